// Builds native/posixfs (flock for the vault lock, unnamed temporaries for file jobs) with
// node-gyp. Offline-friendly: the headers of the running Node are used when they are installed
// next to it (Debian's nodejs, official tarballs), so nothing is downloaded. N-API keeps the same
// binary loadable by Electron.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ADDON_DIR = fileURLToPath(new URL('../native/posixfs', import.meta.url));
const BUILT = join(ADDON_DIR, 'build', 'Release', 'posixfs.node');

/** Built already, and newer than its sources (so `npm test` does not recompile every run). */
function upToDate() {
  if (!existsSync(BUILT)) return false;
  const built = statSync(BUILT).mtimeMs;
  return ['posixfs.c', 'binding.gyp'].every((f) => statSync(join(ADDON_DIR, f)).mtimeMs <= built);
}

export function buildNative({ force = false } = {}) {
  if (process.platform === 'win32') return { ok: true, skipped: 'Windows uses a named pipe, no addon' };
  if (!force && upToDate()) return { ok: true, skipped: 'up to date' };
  const require = createRequire(import.meta.url);
  let gyp = process.env.npm_config_node_gyp;
  if (!gyp || !existsSync(gyp)) {
    try {
      gyp = require.resolve('node-gyp/bin/node-gyp.js');
    } catch {
      return { ok: false, reason: 'node-gyp is not installed' };
    }
  }
  const args = [gyp, 'rebuild', '--loglevel=warn', '--directory', ADDON_DIR];
  const prefix = dirname(dirname(process.execPath));
  if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  return r.status === 0 ? { ok: true } : { ok: false, reason: `node-gyp exited with ${r.status ?? r.signal}` };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = buildNative({ force: process.argv.includes('--force') });
  if (!r.ok) {
    console.error(`build-native: ${r.reason}`);
    process.exit(1);
  }
}
