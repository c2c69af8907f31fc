/**
 * Issue 13.9: a keychain daemon that stops answering (SIGSTOP) gives DependencyTimeoutException
 * after the 5 s bound — and the process exits right after it, not ~50 s later when D-Bus gives up
 * on the abandoned call. Runs in its own private D-Bus session and keyring: stopping the suite's
 * daemon would stall every other test.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { assertBuilt, ROOT } from './cliHarness.js';

function haveTools(): boolean {
  return spawnSync('sh', ['-c', 'command -v dbus-run-session && command -v gnome-keyring-daemon && command -v gdbus'], { stdio: 'ignore' }).status === 0;
}

test('a stopped keychain daemon: typed error after the bound, and the process exits at once', { timeout: 60_000 }, (t) => {
  if (!haveTools()) return t.skip('needs dbus-run-session, gnome-keyring-daemon and gdbus');
  assertBuilt();
  const vaultDir = mkdtempSync(join(tmpdir(), 'keyvault-stopped-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'keyvault-stopped-keyring-'));
  const cli = `"${process.execPath}" "${join(ROOT, 'bin', 'keyvault')}" --vault-dir "${vaultDir}"`;
  try {
    // The daemon's pid comes from the bus itself, so only this session's daemon is ever stopped.
    const script = [
      'echo -n stopped-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1',
      `${cli} list-keys >/dev/null || exit 10`,
      "PID=$(gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus --method org.freedesktop.DBus.GetConnectionUnixProcessID org.freedesktop.secrets | sed 's/[^0-9 ]//g' | awk '{print $NF}')",
      '[ -n "$PID" ] || exit 11',
      'kill -STOP "$PID"',
      'START=$(date +%s%N)',
      `${cli} list-keys; CODE=$?`,
      'END=$(date +%s%N)',
      'kill -CONT "$PID"',
      'echo "ELAPSED_MS=$(( (END - START) / 1000000 ))" >&2',
      'exit $CODE',
    ].join('\n');
    const r = spawnSync('dbus-run-session', ['--', 'sh', '-c', script], {
      env: { ...process.env, XDG_DATA_HOME: dataDir, DISPLAY: '', WAYLAND_DISPLAY: '', KEYVAULT_HOME: '' },
      encoding: 'utf8',
      timeout: 90_000,
    });
    assert.equal(r.status, 254, `exit ${r.status}; stderr: ${r.stderr}`);
    const line = r.stderr.split('\n').find((l) => l.startsWith('{"__type"'));
    assert.ok(line, r.stderr);
    const err = JSON.parse(line) as { __type: string; message: string };
    assert.equal(err.__type, 'DependencyTimeoutException');
    const elapsed = Number(/ELAPSED_MS=(\d+)/.exec(r.stderr)?.[1]);
    assert.ok(elapsed >= 4500, `the 5 s bound applied (${elapsed} ms)`);
    assert.ok(elapsed < 10_000, `exited right after the error: ${elapsed} ms`);
  } finally {
    rmSync(vaultDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
});
