// Bundles the `keyvault` CLI into out/cli/keyvault.mjs (keytar stays external: it is native).
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const entry = 'main/cli/index.ts';
if (!existsSync(entry)) {
  console.log(`build-cli: ${entry} not present yet, nothing to build`);
  process.exit(0);
}
await build({
  entryPoints: [entry],
  outfile: 'out/cli/keyvault.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['keytar'],
  sourcemap: 'linked',
  banner: { js: "import { createRequire as __kvCreateRequire } from 'node:module'; const require = __kvCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
