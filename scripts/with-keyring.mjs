#!/usr/bin/env node
// Runs a command with a reachable Secret Service: as it is when keytar already answers, otherwise
// inside a private D-Bus session with a throwaway, unlocked gnome-keyring.
//   node scripts/with-keyring.mjs <command> [args...]
import { spawnSync } from 'node:child_process';

const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  console.error('usage: node scripts/with-keyring.mjs <command> [args...]');
  process.exit(2);
}
const root = new URL('..', import.meta.url).pathname;
const quote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
let ready = process.env.KEYVAULT_KEYRING_READY === '1';
if (!ready) ready = spawnSync(process.execPath, ['scripts/keyring-probe.mjs'], { cwd: root, stdio: 'ignore' }).status === 0;
if (ready) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, KEYVAULT_KEYRING_READY: '1' } });
  process.exit(r.status ?? 1);
}
if (spawnSync('sh', ['-c', 'command -v dbus-run-session && command -v gnome-keyring-daemon'], { stdio: 'ignore' }).status !== 0) {
  console.error('No Secret Service is reachable and dbus-run-session / gnome-keyring-daemon are not installed.');
  console.error('On Debian/Ubuntu: sudo apt-get install -y gnome-keyring dbus-x11 libsecret-1-dev');
  process.exit(2);
}
const inner = `export XDG_DATA_HOME=$(mktemp -d); echo -n keyvault | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; KEYVAULT_KEYRING_READY=1 exec ${[cmd, ...args].map(quote).join(' ')}`;
const r = spawnSync('dbus-run-session', ['--', 'sh', '-c', inner], { stdio: 'inherit' });
process.exit(r.status ?? 1);
