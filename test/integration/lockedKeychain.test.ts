/**
 * A locked keychain (its unlock prompt cannot be shown) is told apart from a missing entry: the
 * CLI answers DependencyTimeoutException, not "no root secret, run recover", and the vault is
 * untouched. Runs in its own private D-Bus session and keyring, because locking the login
 * collection would disturb every other test sharing the suite's session.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const cli = join(root, 'bin', 'keyvault');

function haveTools(): boolean {
  return spawnSync('sh', ['-c', 'command -v dbus-run-session && command -v gnome-keyring-daemon && command -v gdbus'], { stdio: 'ignore' }).status === 0;
}

test('a locked keychain gives DependencyTimeoutException and leaves the vault untouched', (t) => {
  if (!haveTools()) {
    t.skip('needs dbus-run-session, gnome-keyring-daemon and gdbus (Debian: dbus-x11 gnome-keyring libglib2.0-bin)');
    return;
  }
  const vaultDir = mkdtempSync(join(tmpdir(), 'keyvault-locked-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'keyvault-locked-keyring-'));
  try {
    // Inside one private session: create the vault, copy its store, lock the collection, try again.
    const script = [
      'echo -n locked-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1',
      `"${process.execPath}" "${cli}" --vault-dir "${vaultDir}" list-keys >/dev/null || exit 10`,
      `cp "${vaultDir}/vault.json" "${vaultDir}/before.json"`,
      'gdbus call --session --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets --method org.freedesktop.Secret.Service.Lock "[\'/org/freedesktop/secrets/collection/login\']" >/dev/null || exit 11',
      `"${process.execPath}" "${cli}" --vault-dir "${vaultDir}" list-keys`,
    ].join('\n');
    const r = spawnSync('dbus-run-session', ['--', 'sh', '-c', script], {
      env: { ...process.env, XDG_DATA_HOME: dataDir, DISPLAY: '', WAYLAND_DISPLAY: '', KEYVAULT_HOME: '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 254, `exit ${r.status}; stderr: ${r.stderr}`);
    const line = r.stderr.split('\n').find((l) => l.startsWith('{"__type"'));
    assert.ok(line, r.stderr);
    const err = JSON.parse(line) as { __type: string; message: string };
    assert.equal(err.__type, 'DependencyTimeoutException');
    assert.match(err.message, /locked/);
    assert.ok(readFileSync(join(vaultDir, 'vault.json')).equals(readFileSync(join(vaultDir, 'before.json'))), 'the store is unchanged');
  } finally {
    rmSync(vaultDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
});
