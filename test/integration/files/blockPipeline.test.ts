/**
 * File jobs go through the 1 MiB block pipeline (main/files/payloadPipeline.ts), binary and
 * ASCII-armored alike: sizes around block boundaries, and damage in blocks that are not the last one.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isKmsError } from '../../../main/core/errors.js';
import { armor, CHUNK_SIZE, dearmor, ENCRYPTED_CHUNK_SIZE, PAYLOAD_NONCE_SIZE, PLAIN_BLOCK_SIZE, SEALED_BLOCK_SIZE } from '../../../main/crypto/age/index.js';
import { createTempVault, tempDir, type TempVault } from '../../support/tempVault.js';
import { AGE, ageKeygen, hasAge, job, newKey, rejectsWith, strayFiles, writeRandom } from '../../support/fileTestKit.js';

describe('block pipeline', () => {
  let tv: TempVault;
  let keyId: string;
  let recovery: { identityFile: string; recipient: string } | null = null;
  let keyDir: string;
  before(async () => {
    tv = await createTempVault();
    keyId = await newKey(tv.service);
    keyDir = tempDir();
    if (hasAge) {
      recovery = ageKeygen(keyDir);
      await tv.service.addRecoveryRecipient({ Recipient: recovery.recipient });
    }
  });
  after(async () => {
    await tv.cleanup();
  });

  /** Encrypts `size` random bytes; returns the plaintext, the age file and its header size. */
  async function sealed(dir: string, size: number, armored = false): Promise<{ data: Buffer; file: string; headerSize: number }> {
    const input = join(dir, 'plain.bin');
    const data = writeRandom(input, size);
    await job(tv.service, { Operation: 'Encrypt', InputPath: input, KeyId: keyId, Armor: armored });
    const file = `${input}.age`;
    const headerSize = (await job(tv.service, { Operation: 'Inspect', InputPath: file })).Inspection!.HeaderSize;
    return { data, file, headerSize };
  }

  /** Decrypts `file` with the vault and, where `age` is installed, with the recovery identity: both give `data`. */
  async function opensToData(dir: string, file: string, data: Buffer, what: string): Promise<void> {
    const out = join(dir, 'back.bin');
    const dec = await job(tv.service, { Operation: 'Decrypt', InputPath: file, OutputPath: out });
    assert.equal(dec.BytesProcessed, data.length);
    assert.ok(readFileSync(out).equals(data));
    if (recovery) {
      const r = spawnSync(AGE, ['-d', '-i', recovery.identityFile, file], { maxBuffer: 64 << 20 });
      assert.equal(r.status, 0, r.stderr?.toString());
      assert.ok(r.stdout.equals(data), what);
    }
  }

  for (const size of [PLAIN_BLOCK_SIZE - 1, PLAIN_BLOCK_SIZE, PLAIN_BLOCK_SIZE + 1, 2 * PLAIN_BLOCK_SIZE, 2 * PLAIN_BLOCK_SIZE + CHUNK_SIZE]) {
    test(`a ${size}-byte file round-trips, and the stock age tool opens it`, async () => {
      const dir = tempDir();
      const { data, file } = await sealed(dir, size);
      await opensToData(dir, file, data, 'age reads our file');
    });
  }

  for (const size of [0, PLAIN_BLOCK_SIZE - 1, PLAIN_BLOCK_SIZE, 2 * PLAIN_BLOCK_SIZE + CHUNK_SIZE + 1]) {
    test(`an armored ${size}-byte file round-trips through the same pipeline, and the stock age tool opens it`, async () => {
      const dir = tempDir();
      const { data, file } = await sealed(dir, size, true);
      const text = readFileSync(file);
      assert.ok(text.toString('latin1').startsWith('-----BEGIN AGE ENCRYPTED FILE-----\n'));
      // Re-armoring the binary form gives the same bytes: strict 64-column lines throughout.
      assert.ok(armor(dearmor(text)).equals(text), 'canonical armor');
      await opensToData(dir, file, data, 'age reads our armored file');
    });
  }

  async function refuses(dir: string, bytes: Buffer, message?: RegExp): Promise<void> {
    const bad = join(dir, 'bad.age');
    writeFileSync(bad, bytes);
    const out = join(dir, 'out.bin');
    const running = job(tv.service, { Operation: 'Decrypt', InputPath: bad, OutputPath: out });
    if (message) {
      await assert.rejects(running, (err: unknown) => isKmsError(err) && err.__type === 'InvalidCiphertextException' && message.test(err.message));
    } else {
      await rejectsWith(running, 'InvalidCiphertextException');
    }
    assert.deepEqual(strayFiles(dir, ['plain.bin', 'plain.bin.age', 'bad.age']), []);
  }

  test('a flipped byte in the first of three blocks is refused, with no output', async () => {
    const dir = tempDir();
    const { file, headerSize } = await sealed(dir, 3 * PLAIN_BLOCK_SIZE - 5);
    const bytes = readFileSync(file);
    bytes[headerSize + PAYLOAD_NONCE_SIZE + 7 * ENCRYPTED_CHUNK_SIZE + 3]! ^= 0x40;
    await refuses(dir, bytes, /authentication/);
  });

  test('a payload cut at a block boundary (no final chunk) is refused', async () => {
    const dir = tempDir();
    const { file, headerSize } = await sealed(dir, 3 * PLAIN_BLOCK_SIZE);
    await refuses(dir, readFileSync(file).subarray(0, headerSize + PAYLOAD_NONCE_SIZE + 2 * SEALED_BLOCK_SIZE));
  });

  test('a final chunk followed by more than a block of data is refused as trailing data', async () => {
    const dir = tempDir();
    const { file } = await sealed(dir, 2 * CHUNK_SIZE);
    appendFileSync(file, Buffer.alloc(2 * SEALED_BLOCK_SIZE, 7));
    await refuses(dir, readFileSync(file), /trailing data/);
  });

  test('chunks swapped across a block boundary are refused', async () => {
    const dir = tempDir();
    const { file, headerSize } = await sealed(dir, 2 * PLAIN_BLOCK_SIZE + 100);
    const bytes = readFileSync(file);
    const a = headerSize + PAYLOAD_NONCE_SIZE + 15 * ENCRYPTED_CHUNK_SIZE;
    const b = a + ENCRYPTED_CHUNK_SIZE;
    const first = Buffer.from(bytes.subarray(a, b));
    bytes.copy(bytes, a, b, b + ENCRYPTED_CHUNK_SIZE);
    first.copy(bytes, b);
    await refuses(dir, bytes);
  });

  test('a payload nonce cut short is refused', async () => {
    const dir = tempDir();
    const { file, headerSize } = await sealed(dir, 10);
    await refuses(dir, readFileSync(file).subarray(0, headerSize + PAYLOAD_NONCE_SIZE - 1));
  });

  test('an armored file with a flipped payload byte in its first block is refused, with no output', async () => {
    const dir = tempDir();
    const { file, headerSize } = await sealed(dir, 3 * PLAIN_BLOCK_SIZE - 5, true);
    const binary = dearmor(readFileSync(file));
    binary[headerSize + PAYLOAD_NONCE_SIZE + 3 * ENCRYPTED_CHUNK_SIZE + 9]! ^= 0x01;
    await refuses(dir, armor(binary), /authentication/);
  });

  test('an armored payload cut at a block boundary (no final chunk) is refused', async () => {
    const dir = tempDir();
    const { file, headerSize } = await sealed(dir, 2 * PLAIN_BLOCK_SIZE, true);
    const binary = dearmor(readFileSync(file));
    await refuses(dir, armor(binary.subarray(0, headerSize + PAYLOAD_NONCE_SIZE + SEALED_BLOCK_SIZE)));
  });

  test('armor damaged in the middle of a large file is refused as armor, with no output', async () => {
    const dir = tempDir();
    const { file } = await sealed(dir, 2 * PLAIN_BLOCK_SIZE, true);
    const text = readFileSync(file);
    const at = text.indexOf(0x0a, Math.floor(text.length / 2)) + 5;
    text[at] = 0x2a; // '*' is not base64
    await refuses(dir, text, /armor/);
  });
});
