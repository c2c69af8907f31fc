/**
 * The payload pipeline's O_DIRECT output (main/files/directIo.ts, payloadWriter.ts): the bytes
 * written directly, with held-back tails carried from block to block, are exactly the bytes the
 * page-cache path writes, for headers that end on, before and after an alignment boundary and for
 * payloads around block boundaries; and they decrypt back, through either path.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { constants, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { CHUNK_SIZE, PLAIN_BLOCK_SIZE, StreamEncryptor } from '../../../main/crypto/age/index.js';
import { DIRECT_ALIGN, openDirectTwin } from '../../../main/files/directIo.js';
import { decryptPayload, encryptPayload } from '../../../main/files/payloadPipeline.js';
import { tempDir } from '../../support/tempVault.js';

const fileKey = Buffer.alloc(16, 7);
const nonce = Buffer.alloc(16, 9);

async function runJob(kind: 'enc' | 'dec', input: string, output: string, opts: { inputStart?: number; header?: Buffer; directIo: boolean }): Promise<number> {
  const inFh = await open(input, 'r');
  const outFh = await open(output, 'w+');
  try {
    const job = {
      input: inFh,
      output: outFh,
      inputStart: opts.inputStart ?? 0,
      outputStart: 0,
      signal: new AbortController().signal,
      onInput: () => undefined,
      directIo: opts.directIo,
      syncEvery: 3 * PLAIN_BLOCK_SIZE,
    };
    return kind === 'enc' ? await encryptPayload(job, Buffer.from(fileKey), nonce, opts.header) : await decryptPayload(job, Buffer.from(fileKey));
  } finally {
    await inFh.close();
    await outFh.close();
  }
}

test(
  'the direct twin of an output is the same file, opened with O_DIRECT',
  { skip: process.platform !== 'linux' && 'O_DIRECT path is Linux only' },
  async (t) => {
    const dir = tempDir();
    const fh = await open(join(dir, 'probe'), 'w+');
    try {
      const twin = await openDirectTwin(fh);
      // Not every file system takes O_DIRECT; where this one does not, the tests below cover the page-cache path twice.
      if (twin === null) return t.skip('no O_DIRECT on this file system');
      try {
        const flags = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${twin.fd}`, 'utf8'));
        assert.ok(flags, 'fdinfo shows the flags');
        assert.ok((parseInt(flags[1] ?? '0', 8) & constants.O_DIRECT) !== 0, 'opened with O_DIRECT');
        assert.equal((await twin.stat()).ino, (await fh.stat()).ino, 'same inode');
      } finally {
        await twin.close();
      }
    } finally {
      await fh.close();
    }
  },
);

for (const headerSize of [0, 100, DIRECT_ALIGN - 16, DIRECT_ALIGN - 15, DIRECT_ALIGN + 1, 2 * DIRECT_ALIGN + 300]) {
  for (const size of [0, 1, CHUNK_SIZE, PLAIN_BLOCK_SIZE - 1, PLAIN_BLOCK_SIZE, 3 * PLAIN_BLOCK_SIZE + 4097]) {
    test(`header ${headerSize} bytes, payload ${size} bytes: direct and page-cache outputs are the same bytes and decrypt back`, async () => {
      const dir = tempDir();
      const plain = join(dir, 'plain.bin');
      const data = randomBytes(size);
      writeFileSync(plain, data);
      const header = randomBytes(headerSize);
      const viaDirect = join(dir, 'direct.age');
      const viaCache = join(dir, 'cache.age');
      assert.equal(await runJob('enc', plain, viaDirect, { header, directIo: true }), size);
      assert.equal(await runJob('enc', plain, viaCache, { header, directIo: false }), size);
      const sealedDirect = readFileSync(viaDirect);
      assert.ok(sealedDirect.equals(readFileSync(viaCache)), 'same bytes either way');
      // And the same bytes as the incremental encryptor makes.
      const enc = new StreamEncryptor(fileKey, nonce);
      const reference = Buffer.concat([header, enc.push(data), enc.final()]);
      assert.ok(sealedDirect.equals(reference), 'same bytes as StreamEncryptor');
      for (const directIo of [true, false]) {
        const back = join(dir, `back-${String(directIo)}.bin`);
        assert.equal(await runJob('dec', viaDirect, back, { inputStart: headerSize, directIo }), size);
        assert.ok(readFileSync(back).equals(data), `decrypts back (directIo ${String(directIo)})`);
      }
    });
  }
}
