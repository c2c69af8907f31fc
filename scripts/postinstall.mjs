// After `npm ci`: build the CLI so bin/keyvault works at once. Never fails the install.
import { spawnSync } from 'node:child_process';
const r = spawnSync(process.execPath, ['scripts/build-cli.mjs'], { stdio: 'inherit' });
if (r.status !== 0) console.warn('postinstall: the CLI build failed; run `npm run build:cli` to see why.');
