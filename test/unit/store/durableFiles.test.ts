import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { AlreadyExistsException } from '../../../main/core/errors.js';
import { errnoCode, fsyncDirectory, publishFile, tempSiblingPath, writeAllAt } from '../../../main/store/durableFiles.js';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kv-durable-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('errnoCode reads the code of a system error and nothing else', () => {
  let caught: unknown;
  try {
    readFileSync(join(tmpdir(), `kv-missing-${process.pid}-${Date.now()}`));
  } catch (err) {
    caught = err;
  }
  assert.equal(errnoCode(caught), 'ENOENT');
  assert.equal(errnoCode(new Error('plain')), undefined);
  assert.equal(errnoCode({ code: 42 }), undefined);
  assert.equal(errnoCode(null), undefined);
});

test('temp names are hidden siblings of the target, unique, with the pid when asked', () => {
  const target = join(tmpdir(), 'vault.json');
  const a = tempSiblingPath(target);
  const b = tempSiblingPath(target);
  assert.notEqual(a, b);
  assert.equal(dirname(a), dirname(target));
  assert.match(basename(a), new RegExp(`^\\.vault\\.json\\.${process.pid}\\.[0-9a-f]{12}\\.tmp$`));
  assert.match(basename(tempSiblingPath(target, '.part', false)), /^\.vault\.json\.[0-9a-f]{12}\.part$/);
});

test('publishFile without overwrite refuses an existing target and leaves it untouched', async (t) => {
  const dir = tempDir(t);
  const target = join(dir, 'out.bin');
  writeFileSync(target, 'original');
  const temp = tempSiblingPath(target);
  writeFileSync(temp, 'new');
  await assert.rejects(publishFile(temp, target, false, 'exists!'), (err: unknown) => err instanceof AlreadyExistsException && err.message === 'exists!');
  assert.equal(readFileSync(target, 'utf8'), 'original');
});

test('publishFile moves the temp file into place (new target, or over one with overwrite) and leaves no temp name', async (t) => {
  const dir = tempDir(t);
  const target = join(dir, 'out.bin');
  const first = tempSiblingPath(target);
  writeFileSync(first, 'one');
  await publishFile(first, target, false, 'exists');
  assert.equal(readFileSync(target, 'utf8'), 'one');
  const second = tempSiblingPath(target);
  writeFileSync(second, 'two');
  await publishFile(second, target, true, 'exists');
  assert.equal(readFileSync(target, 'utf8'), 'two');
  assert.deepEqual(readdirSync(dir), ['out.bin']);
});

test('fsyncDirectory syncs a directory and reports a missing one', async (t) => {
  const dir = tempDir(t);
  await fsyncDirectory(dir);
  await assert.rejects(fsyncDirectory(join(dir, 'nope')), (err: unknown) => errnoCode(err) === 'ENOENT');
});

test('writeAllAt writes 3,000 parts (more than one writev takes) back to back, empty ones included', async (t) => {
  const file = join(tempDir(t), 'parts');
  const parts = Array.from({ length: 3000 }, (_, i) => Buffer.from(i % 7 === 0 ? '' : `${i},`));
  const handle = await open(file, 'w');
  try {
    await writeAllAt(handle, parts);
  } finally {
    await handle.close();
  }
  assert.deepEqual(readFileSync(file), Buffer.concat(parts));
});

test('writeAllAt resumes short writes where they stopped, also in the middle of a part', async () => {
  const parts = [Buffer.from('{"a":'), Buffer.from('1234567890'), Buffer.from(''), Buffer.from(',"b":2}')];
  const out = Buffer.alloc(22, 0x2e);
  const calls: number[] = [];
  // A file handle whose writev takes at most 4 bytes a call, as a full disk or a signal may leave it.
  const shortWriter = {
    async writev(buffers: Buffer[], position: number) {
      let taken = 0;
      for (const b of buffers) {
        const n = Math.min(b.length, 4 - taken);
        b.copy(out, position + taken, 0, n);
        taken += n;
        if (taken === 4) break;
      }
      calls.push(taken);
      return { bytesWritten: taken, buffers };
    },
  } as unknown as FileHandle;
  await writeAllAt(shortWriter, parts);
  assert.equal(out.toString(), '{"a":1234567890,"b":2}');
  assert.equal(calls.length, 6);
});

test('writeAllAt stops with an error when the file system takes no bytes at all, instead of spinning', async () => {
  const stuck = {
    writev: async (buffers: Buffer[]) => ({ bytesWritten: 0, buffers }),
  } as unknown as FileHandle;
  await assert.rejects(writeAllAt(stuck, [Buffer.from('data')]), /took none/);
  // Nothing to write is not an error.
  await writeAllAt(stuck, [Buffer.alloc(0), Buffer.alloc(0)]);
});
