#!/usr/bin/env node
// Runs the test suite with node's test runner (TypeScript through tsx). Needs a Secret Service:
// when none is reachable it re-runs itself inside a private D-Bus session with an unlocked
// gnome-keyring (the way CI does it).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const groups = args.filter((a) => !a.startsWith('-'));
const dirs = groups.length > 0 ? groups : ['test/unit', 'test/integration', 'test/e2e', 'test/electron'];

if (!process.env.KEYVAULT_KEYRING_READY) {
  const probe = spawnSync(process.execPath, ['scripts/keyring-probe.mjs'], { cwd: root, stdio: 'ignore' });
  if (probe.status !== 0) {
    const hasDbus = spawnSync('sh', ['-c', 'command -v dbus-run-session && command -v gnome-keyring-daemon'], { stdio: 'ignore' }).status === 0;
    if (!hasDbus) {
      console.error('No Secret Service is reachable and dbus-run-session / gnome-keyring-daemon are not installed.');
      console.error('On Debian/Ubuntu: sudo apt-get install -y gnome-keyring dbus-x11 libsecret-1-dev');
      process.exit(2);
    }
    // A throwaway keyring directory: an existing login keyring with another password would stay locked.
    const inner = `export XDG_DATA_HOME=$(mktemp -d); echo -n keyvault-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; KEYVAULT_KEYRING_READY=1 exec "${process.execPath}" scripts/run-tests.mjs ${args.map((a) => `'${a}'`).join(' ')}`;
    const r = spawnSync('dbus-run-session', ['--', 'sh', '-c', inner], { cwd: root, stdio: 'inherit' });
    sweepFaketime();
    process.exit(r.status ?? 1);
  }
}

function collect(dir) {
  const out = [];
  let entries;
  try {
    entries = readdirSync(join(root, dir));
  } catch {
    return out;
  }
  for (const name of entries.sort()) {
    const p = join(dir, name);
    if (statSync(join(root, p)).isDirectory()) out.push(...collect(p));
    else if (/\.test\.(ts|tsx|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

// libfaketime leaves /dev/shm/faketime_shm_<pid> and sem.faketime_sem_<pid> behind; a later process
// that gets the same PID aborts on them. Sweep the entries of dead PIDs before and after the suite.
function sweepFaketime() {
  let names;
  try {
    names = readdirSync('/dev/shm');
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^(?:faketime_shm_|sem\.faketime_sem_)(\d+)$/.exec(name);
    if (!m) continue;
    try {
      process.kill(Number(m[1]), 0);
      continue; // alive (or not ours to signal): leave it
    } catch (err) {
      if (err.code !== 'ESRCH') continue;
    }
    try {
      unlinkSync(join('/dev/shm', name));
    } catch {
      // already gone
    }
  }
}

const files = dirs.flatMap((d) => (d.endsWith('.ts') ? [d] : collect(d)));
if (files.length === 0) {
  console.error(`No test files under ${dirs.join(', ')}`);
  process.exit(1);
}
// Every temp directory the tests make goes under one per run, removed afterwards: CI runs on a
// reused machine, and a test that dies (or forgets) must not leave its vaults behind for good.
// Directories of earlier runs whose runner is gone are removed first.
function sweepRunDirectories() {
  for (const name of readdirSync(tmpdir())) {
    const m = /^keyvault-run-(\d+)-/.exec(name);
    if (!m) continue;
    try {
      process.kill(Number(m[1]), 0);
      continue; // that run is still going
    } catch (err) {
      if (err.code !== 'ESRCH') continue;
    }
    rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

const flags = args.filter((a) => a.startsWith('-'));
sweepFaketime();
sweepRunDirectories();
const runDir = mkdtempSync(join(tmpdir(), `keyvault-run-${process.pid}-`));
chmodSync(runDir, 0o1777); // as /tmp itself: the tests that act as another user write there too
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...flags, ...files.map((f) => relative(root, join(root, f)))], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, KEYVAULT_KEYRING_READY: '1', TMPDIR: runDir },
});
rmSync(runDir, { recursive: true, force: true });
sweepFaketime();
process.exit(r.status ?? 1);
