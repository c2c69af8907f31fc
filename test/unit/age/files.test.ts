/** File-to-file helpers: round trips on both thread settings, cleanup on failure, interop with age. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { AgeDecryptionError, CHUNK_SIZE, decryptFile, encryptFile, X25519Identity } from '../../../main/crypto/age/index.js';

const dir = mkdtempSync(join(tmpdir(), 'keyvault-agefiles-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const id = X25519Identity.generate();

test('encryptFile/decryptFile round trip on the calling thread and on workers', async () => {
  for (const size of [0, 1, CHUNK_SIZE, 5 * 1024 * 1024 + 17]) {
    const plain = randomBytes(size);
    writeFileSync(join(dir, 'in'), plain);
    for (const threads of [0, 2]) {
      let progress = 0;
      await encryptFile(join(dir, 'in'), join(dir, 'enc.age'), [id.recipient], { threads, onProgress: (n) => (progress = n) });
      assert.equal(progress, size);
      const { bytesWritten } = await decryptFile(join(dir, 'enc.age'), join(dir, 'out'), [id], { threads });
      assert.equal(bytesWritten, size);
      assert.deepEqual(readFileSync(join(dir, 'out')), plain);
    }
  }
});

test('decryptFile removes the partial output when the file is damaged', async () => {
  writeFileSync(join(dir, 'in2'), randomBytes(3 * 1024 * 1024));
  await encryptFile(join(dir, 'in2'), join(dir, 'enc2.age'), [id.recipient]);
  const file = readFileSync(join(dir, 'enc2.age'));
  file.writeUInt8(file.readUInt8(file.length - 100) ^ 1, file.length - 100);
  writeFileSync(join(dir, 'enc2.age'), file);
  await assert.rejects(decryptFile(join(dir, 'enc2.age'), join(dir, 'out2'), [id]), (e: unknown) => e instanceof AgeDecryptionError && e.stage === 'payload');
  assert.equal(existsSync(join(dir, 'out2')), false);
});

test('an aborted job stops and removes its output', async () => {
  writeFileSync(join(dir, 'in3'), randomBytes(4 * 1024 * 1024));
  const ctl = new AbortController();
  ctl.abort();
  await assert.rejects(encryptFile(join(dir, 'in3'), join(dir, 'enc3.age'), [id.recipient], { signal: ctl.signal }));
  assert.equal(existsSync(join(dir, 'enc3.age')), false);
});

test('worker-encrypted files open with age -d', { skip: existsSync('/usr/bin/age') ? false : 'age not installed' }, async () => {
  const plain = randomBytes(3 * 1024 * 1024 + 999);
  writeFileSync(join(dir, 'in4'), plain);
  writeFileSync(join(dir, 'key4.txt'), `${id.toString()}\n`);
  await encryptFile(join(dir, 'in4'), join(dir, 'enc4.age'), [id.recipient], { threads: 2 });
  const r = spawnSync('/usr/bin/age', ['-d', '-i', join(dir, 'key4.txt'), join(dir, 'enc4.age')], { maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr.toString());
  assert.deepEqual(r.stdout, plain);
});
