import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { AlreadyExistsException } from '../../../main/core/errors.js';
import { errnoCode, fsyncDirectory, publishFile, tempSiblingPath } from '../../../main/store/durableFiles.js';

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
