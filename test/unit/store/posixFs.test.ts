/** The native posixfs addon: flock semantics, unnamed files, and the arguments it refuses. */
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadPosixFs } from '../../../main/store/posixFs.js';

const linux = process.platform === 'linux';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kv-posixfs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('flock: a second open of the file cannot take the lock until the first lets go', (t) => {
  const posix = loadPosixFs();
  const file = join(tempDir(t), 'lock');
  writeFileSync(file, '');
  const a = openSync(file, 'r');
  const b = openSync(file, 'r');
  try {
    assert.equal(posix.lock(a, true, true), true);
    assert.equal(posix.lock(b, true, true), false);
    posix.unlock(a);
    assert.equal(posix.lock(b, true, true), true);
  } finally {
    closeSync(a);
    closeSync(b);
  }
});

test('flock: a bad descriptor is an error with its errno code', () => {
  assert.throws(
    () => loadPosixFs().lock(1_000_000, true, true),
    (err: unknown) => (err as { code?: string }).code === 'EBADF',
  );
});

test(
  'an unnamed file has no name in its directory until it is linked, and linking never replaces a file',
  { skip: !linux && 'O_TMPFILE is Linux only' },
  (t) => {
    const posix = loadPosixFs();
    const dir = tempDir(t);
    const fd = posix.openUnnamed(dir, 0o600);
    try {
      writeSync(fd, 'secret');
      assert.deepEqual(readdirSync(dir), []);
      writeFileSync(join(dir, 'taken'), 'keep');
      assert.throws(
        () => posix.linkUnnamed(fd, join(dir, 'taken')),
        (err: unknown) => (err as { code?: string }).code === 'EEXIST',
      );
      assert.equal(readFileSync(join(dir, 'taken'), 'utf8'), 'keep');
      posix.linkUnnamed(fd, join(dir, 'named'));
      assert.equal(readFileSync(join(dir, 'named'), 'utf8'), 'secret');
    } finally {
      closeSync(fd);
    }
  },
);

test('paths with a NUL byte are refused rather than cut short', (t) => {
  const posix = loadPosixFs();
  const dir = tempDir(t);
  assert.throws(() => posix.openUnnamed(`${dir}\0/elsewhere`, 0o600), TypeError);
  if (!linux) return;
  const fd = posix.openUnnamed(dir, 0o600);
  try {
    assert.throws(() => posix.linkUnnamed(fd, `${join(dir, 'a')}\0b`), TypeError);
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    closeSync(fd);
  }
});

test('syncfs resolves for a file on a local filesystem and rejects a bad descriptor with its code', { skip: !linux && 'syncfs is Linux only' }, async (t) => {
  const posix = loadPosixFs();
  const file = join(tempDir(t), 'data');
  writeFileSync(file, 'x');
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, 'written before the sync', 0);
    const pending = posix.syncfs(fd);
    assert.ok(pending instanceof Promise, 'it runs off the main thread');
    await pending;
  } finally {
    closeSync(fd);
  }
  await assert.rejects(posix.syncfs(1_000_000), (err: unknown) => (err as { code?: string }).code === 'EBADF');
  assert.throws(() => posix.syncfs(-1), TypeError);
});

test('alignOffset: the offset it gives lands on an aligned address, and it refuses what is not a power of two', () => {
  const alignOffset = loadPosixFs().alignOffset;
  assert.ok(alignOffset, 'the addon built from this checkout has alignOffset');
  const raw = Buffer.allocUnsafeSlow(3 * 4096);
  const at = alignOffset(raw, 4096);
  assert.ok(at >= 0 && at < 4096);
  // From the aligned start, the next aligned address is right there, and one byte on it is 4095 away.
  assert.equal(alignOffset(raw.subarray(at), 4096), 0);
  assert.equal(alignOffset(raw.subarray(at + 1), 4096), 4095);
  assert.equal(alignOffset(raw.subarray(at + 1), 1), 0);
  assert.equal(alignOffset(new Uint8Array(raw.buffer, raw.byteOffset + at + 512, 8), 512), 0);
  assert.throws(() => alignOffset(raw, 3000), TypeError);
  assert.throws(() => alignOffset(raw, 0), TypeError);
  assert.throws(() => alignOffset('not a buffer' as unknown as Uint8Array, 4096), TypeError);
});
