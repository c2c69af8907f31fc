// Bundles the `keyvault` CLI into out/cli/keyvault.mjs (chunks loaded on demand in out/cli/chunks). Native code stays out of the bundle:
// keytar is external, and the posixfs addon (native/posixfs, built by scripts/build-native.mjs)
// is loaded at run time from the checkout (main/store/posixFs.ts looks in the folders above
// out/cli), so bin/keyvault finds it without a copy that could go stale.
import { build } from 'esbuild';
import { existsSync, rmSync } from 'node:fs';

const entry = 'main/cli/index.ts';
if (!existsSync(entry)) {
  console.log(`build-cli: ${entry} not present yet, nothing to build`);
  process.exit(0);
}
// Chunk names carry a content hash: clear the old ones so the folder holds only this build's.
rmSync('out/cli/chunks', { recursive: true, force: true });
await build({
  entryPoints: { keyvault: entry },
  // Code splitting: modules imported dynamically (the 1.6 MB zxcvbn dictionaries, needed only when a
  // passphrase is judged) go to chunks beside the entry, so V8 does not parse them at every start.
  outdir: 'out/cli',
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  splitting: true,
  // ESM builds of packages first: a CommonJS package in a chunk of its own only has a default
  // export, so `(await import('@zxcvbn-ts/core')).ZxcvbnFactory` would be undefined.
  mainFields: ['module', 'main'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['keytar'],
  sourcemap: 'linked',
  banner: { js: "import { createRequire as __kvCreateRequire } from 'node:module'; const require = __kvCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
