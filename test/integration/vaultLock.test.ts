import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DependencyTimeoutException } from '../../main/core/errors.js';
import type { VaultLockStrategy } from '../../main/store/vaultLock.js';
import { acquireVaultLock, defaultLockStrategy } from '../../main/store/vaultLock.js';
import { finished, spawnFixture, waitForLine } from '../fixtures/store/childProcess.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kv-lock-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// The platform's mechanism, plus the portable socket-file fallback (exercised here on Linux too).
const strategies: VaultLockStrategy[] = defaultLockStrategy() === 'socket-file' ? ['socket-file'] : [defaultLockStrategy(), 'socket-file'];

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
