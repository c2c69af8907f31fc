// Bundles the `keyvault` CLI into out/cli/keyvault.mjs. Native code stays out of the bundle:
// keytar is external, and the posixfs addon (native/posixfs, built by scripts/build-native.mjs)
// is loaded at run time from the checkout (main/store/posixFs.ts looks in the folders above
// out/cli), so bin/keyvault finds it without a copy that could go stale.
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
