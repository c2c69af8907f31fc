/** Passphrase files: bytes checked as UTF-8 (never a lossy decode), bounded, regular files only. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationException } from '../../../main/core/errors.js';
import { MAX_SECRET_FILE_BYTES, readPassphraseFile, readSecretFileBytes } from '../../../main/cli/passphraseInput.js';

const dir = mkdtempSync(join(tmpdir(), 'kv-passfile-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

test('two different binary files are not the same passphrase: both are refused as not UTF-8', () => {
  // Before the fix both decoded to "\uFFFD\uFFFD" and so unlocked the same backup.
  const a = file('a.bin', Buffer.from([0xff, 0xfe]));
  const b = file('b.bin', Buffer.from([0xc3, 0x28]));
  for (const path of [a, b])
    assert.throws(
      () => readPassphraseFile(path, 'backup passphrase'),
      (err: unknown) => err instanceof ValidationException && /not UTF-8/.test(err.message),
    );
});

test('a UTF-8 file gives its first line exactly, without the line ending', () => {
  assert.equal(readPassphraseFile(file('p1', 'pässwörd with spaces  \r\nsecond line\n'), 'passphrase'), 'pässwörd with spaces  ');
  assert.equal(readPassphraseFile(file('p2', 'no newline'), 'passphrase'), 'no newline');
  assert.throws(() => readPassphraseFile(file('p3', '\nlater'), 'passphrase'), /is empty/);
});

test('/dev/zero is refused at once as not a regular file', () => {
  const started = performance.now();
  assert.throws(() => readPassphraseFile('/dev/zero', 'passphrase'), /not a regular file/);
  assert.ok(performance.now() - started < 1000);
});

test('a FIFO with no writer is refused without hanging', () => {
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const started = performance.now();
  assert.throws(() => readSecretFileBytes(fifo, 'passphrase'), /not a regular file/);
  assert.ok(performance.now() - started < 1000);
});

test('a directory, a missing file and a file over the bound are refused', () => {
  assert.throws(() => readSecretFileBytes(dir, 'passphrase'), /not a regular file|cannot be read/);
  assert.throws(() => readSecretFileBytes(join(dir, 'missing'), 'passphrase'), /cannot be read \(ENOENT\)/);
  assert.throws(() => readSecretFileBytes(file('big', Buffer.alloc(MAX_SECRET_FILE_BYTES + 1, 0x61)), 'passphrase'), /larger than 65536 bytes/);
});

test('a 10 MB one-line passphrase file is refused (one cap for every passphrase)', () => {
  assert.throws(() => readPassphraseFile(file('huge', 'x'.repeat(10 * 1024 * 1024)), 'passphrase'), ValidationException);
  // Within the file bound but over 1,024 characters: the passphrase cap.
  assert.throws(() => readPassphraseFile(file('long', `${'y'.repeat(1025)}\n`), 'passphrase'), /at most 1024 characters/);
});
