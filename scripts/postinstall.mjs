// After `npm ci`: build the posixfs addon (vault lock, unnamed outputs), then the CLI so bin/keyvault works at
// once. Never fails the install; what is missing is reported with the command that rebuilds it.
import { spawnSync } from 'node:child_process';
import { buildNative } from './build-native.mjs';

const native = buildNative({ force: true });
if (!native.ok) console.warn(`postinstall: the posixfs addon was not built (${native.reason}); run \`npm run build:native\` to see why.`);
const r = spawnSync(process.execPath, ['scripts/build-cli.mjs'], { stdio: 'inherit' });
if (r.status !== 0) console.warn('postinstall: the CLI build failed; run `npm run build:cli` to see why.');
