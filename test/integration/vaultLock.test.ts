import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DependencyTimeoutException, KMSInternalException, KMSInvalidStateException } from '../../main/core/errors.js';
import type { VaultLockStrategy } from '../../main/store/vaultLock.js';
import { loadPosixFs } from '../../main/store/posixFs.js';
import { acquireVaultLock, defaultLockStrategy } from '../../main/store/vaultLock.js';
import { finished, repoRoot, spawnFixture, waitForLine } from '../fixtures/store/childProcess.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kv-lock-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// The platform's mechanism (flock everywhere but Windows).
const strategies: VaultLockStrategy[] = [defaultLockStrategy()];

for (const strategy of strategies) {
  test(`[${strategy}] two processes never hold the lock at once: 2 × 100 locked increments give 200`, async (t) => {
    const dir = tempDir(t);
    const counter = join(dir, 'counter');
    writeFileSync(counter, '0');
    const workers = [0, 1].map(() => finished(spawnFixture('lockWorker.ts', ['count', dir, counter, '100', strategy])));
    for (const r of await Promise.all(workers)) assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(counter, 'utf8'), '200');
  });

  test(`[${strategy}] the lock of a SIGKILLed holder is taken by another process within a second`, async (t) => {
    const dir = tempDir(t);
    const holder = spawnFixture('lockWorker.ts', ['hold', dir, strategy]);
    t.after(() => holder.kill('SIGKILL'));
    await waitForLine(holder, 'held');
    await assert.rejects(acquireVaultLock(dir, { timeoutMs: 200, strategy }), DependencyTimeoutException);
    const exited = finished(holder);
    holder.kill('SIGKILL');
    await exited;
    const start = Date.now();
    const lock = await acquireVaultLock(dir, { timeoutMs: 1000, strategy });
    assert.ok(Date.now() - start < 1000);
    await lock.release();
  });

  test(`[${strategy}] waiting longer than the timeout gives DependencyTimeoutException naming the vault`, async (t) => {
    const dir = tempDir(t);
    const holder = spawnFixture('lockWorker.ts', ['hold', dir, strategy]);
    t.after(() => holder.kill('SIGKILL'));
    await waitForLine(holder, 'held');
    const start = Date.now();
    await assert.rejects(acquireVaultLock(dir, { timeoutMs: 300, strategy }), (err: unknown) => {
      assert.ok(err instanceof DependencyTimeoutException);
      assert.match(err.message, /locked by another process/);
      assert.ok(err.message.includes(dir));
      return true;
    });
    const waited = Date.now() - start;
    assert.ok(waited >= 290 && waited < 2000, `waited ${waited} ms`);
  });

  test(`[${strategy}] a released lock can be taken again at once`, async (t) => {
    const dir = tempDir(t);
    const first = await acquireVaultLock(dir, { strategy });
    await first.release();
    await first.release(); // idempotent
    const second = await acquireVaultLock(dir, { timeoutMs: 100, strategy });
    await second.release();
  });
}

test('within one process, concurrent acquirers queue instead of failing', async (t) => {
  const dir = tempDir(t);
  let inside = 0;
  let maxInside = 0;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      const lock = await acquireVaultLock(dir, { timeoutMs: 5000 });
      inside++;
      maxInside = Math.max(maxInside, inside);
      await new Promise((r) => setTimeout(r, 5));
      inside--;
      await lock.release();
    }),
  );
  assert.equal(maxInside, 1);
});

test('within one process, a waiter that times out does not block those behind it', async (t) => {
  const dir = tempDir(t);
  const holder = await acquireVaultLock(dir);
  const impatient = acquireVaultLock(dir, { timeoutMs: 50 });
  const patient = acquireVaultLock(dir, { timeoutMs: 5000 });
  await assert.rejects(impatient, DependencyTimeoutException);
  await holder.release();
  const lock = await patient;
  await lock.release();
});

test('the same directory reached through a symlink is one lock', async (t) => {
  const dir = tempDir(t);
  const vault = join(dir, 'vault');
  mkdirSync(vault);
  symlinkSync(vault, join(dir, 'link'));
  const lock = await acquireVaultLock(vault);
  await assert.rejects(acquireVaultLock(join(dir, 'link'), { timeoutMs: 100 }), DependencyTimeoutException);
  await lock.release();
});

test('different vault directories have independent locks', async (t) => {
  const a = await acquireVaultLock(tempDir(t));
  const b = await acquireVaultLock(tempDir(t), { timeoutMs: 100 });
  await a.release();
  await b.release();
});

// ---- another local user (the tests run as root and drop to `nobody` with setpriv) ----

const NOBODY_UID = 65534;
const asRoot = process.getuid?.() === 0;

/** Runs a Python snippet as nobody:nogroup; it prints "held" once it holds what it grabbed. */
function asNobody(script: string, args: string[]): ChildProcess {
  return spawn('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '/usr/bin/python3', '-c', script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const HOLD_FLOCK = `
import fcntl, os, sys, time
try:
    fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
except OSError as e:
    print('denied', e.errno, flush=True); sys.exit(3)
fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
print('held', flush=True)
time.sleep(60)
`;

const BIND_ABSTRACT = `
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
# libuv binds abstract names over the whole sun_path (108 bytes, NUL-padded): so does the squatter
s.bind(('\\0' + sys.argv[1]).ljust(108, '\\0'))
s.listen(1)
print('held', flush=True)
time.sleep(60)
`;

test('another user binding the old abstract socket name of the vault does not block it', { skip: !asRoot && 'needs root to run as nobody' }, async (t) => {
  const dir = tempDir(t);
  const name = `keyvault-lock-${createHash('sha256').update(realpathSync(dir)).digest('hex')}`;
  const squatter = asNobody(BIND_ABSTRACT, [name]);
  t.after(() => squatter.kill('SIGKILL'));
  await waitForLine(squatter, 'held');
  const lock = await acquireVaultLock(dir, { timeoutMs: 1000 });
  await lock.release();
});

test(
  'another user cannot open the lock file inside a 0700 vault directory, and the vault still locks',
  { skip: !asRoot && 'needs root to run as nobody' },
  async (t) => {
    const dir = tempDir(t);
    chmodSync(dir, 0o700);
    const lock = await acquireVaultLock(dir, { timeoutMs: 1000 });
    await lock.release();
    const r = await finished(asNobody(HOLD_FLOCK, [join(dir, '.vault.lock')]));
    assert.equal(r.code, 3, `nobody got: ${r.stdout} ${r.stderr}`);
    assert.match(r.stdout, /^denied 13/); // EACCES
    const again = await acquireVaultLock(dir, { timeoutMs: 1000 });
    await again.release();
  },
);

test(
  'a lock file planted and held by another user is refused by name at once, not waited on',
  { skip: !asRoot && 'needs root to run as nobody' },
  async (t) => {
    const dir = tempDir(t);
    chmodSync(dir, 0o777); // a vault directory left open to everyone, as before the 0700 tightening
    const squatter = asNobody(HOLD_FLOCK, [join(dir, '.vault.lock')]);
    t.after(() => squatter.kill('SIGKILL'));
    await waitForLine(squatter, 'held');
    chmodSync(dir, 0o700); // tightened afterwards: the squatter keeps its open descriptor
    const start = Date.now();
    await assert.rejects(acquireVaultLock(dir, { timeoutMs: 5000 }), (err: unknown) => {
      assert.ok(err instanceof KMSInvalidStateException, String(err));
      assert.ok(err.message.includes(join(realpathSync(dir), '.vault.lock')), err.message);
      assert.match(err.message, new RegExp(`user id ${NOBODY_UID}`));
      return true;
    });
    assert.ok(Date.now() - start < 2000, 'refused without waiting for the timeout');
  },
);

test('a lock file that is a symbolic link is refused, and its target is not touched', async (t) => {
  const dir = tempDir(t);
  const target = join(dir, 'elsewhere');
  writeFileSync(target, 'precious');
  symlinkSync(target, join(dir, '.vault.lock'));
  await assert.rejects(acquireVaultLock(dir, { timeoutMs: 1000 }), (err: unknown) => {
    assert.ok(err instanceof KMSInvalidStateException, String(err));
    assert.match(err.message, /symbolic link/);
    return true;
  });
  assert.equal(readFileSync(target, 'utf8'), 'precious');
});

test('the lock is a private regular file in the vault directory, kept after release', async (t) => {
  const dir = tempDir(t);
  const lock = await acquireVaultLock(dir);
  await lock.release();
  const st = lstatSync(join(dir, '.vault.lock'));
  assert.ok(st.isFile());
  assert.equal(st.mode & 0o777, 0o600);
  assert.equal(st.uid, process.getuid?.());
});

test('without the native addon the lock says how to build it', () => {
  assert.throws(
    () => loadPosixFs(join(tmpdir(), 'no-such-checkout', 'main', 'store')),
    (err: unknown) => {
      assert.ok(err instanceof KMSInternalException);
      assert.match(err.message, /npm run build:native/);
      return true;
    },
  );
});

test('the addon is found from where the bundles run (out/cli for bin/keyvault, out/main for the app)', () => {
  for (const from of [join(repoRoot, 'out', 'cli'), join(repoRoot, 'out', 'main'), join(repoRoot, 'main', 'store')]) {
    assert.equal(typeof loadPosixFs(from).lock, 'function', from);
  }
});
