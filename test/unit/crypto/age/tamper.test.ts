/** Any modification of an age file is a typed error and releases no plaintext. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { InvalidCiphertextException } from '../../../../main/core/errors.js';
import {
  AgeDecryptionError,
  CHUNK_SIZE,
  decryptBuffer,
  decryptStream,
  encryptBuffer,
  readHeader,
  X25519Identity,
  type AgeFailureStage,
} from '../../../../main/crypto/age/index.js';

const id = X25519Identity.generate();
const plain = randomBytes(2 * CHUNK_SIZE + 1000);
const filePromise = encryptBuffer(plain, [id.recipient]);

function flip(file: Buffer, at: number, mask = 0x01): void {
  file.writeUInt8((file.readUInt8(at) ^ mask) & 0xff, at);
}

async function expectRejected(file: Buffer, stages: AgeFailureStage[], releasedMax = 0): Promise<void> {
  let out: Buffer | null = null;
  await assert.rejects(
    async () => {
      out = await decryptBuffer(file, [id], { armor: false });
    },
    (e: unknown) => e instanceof InvalidCiphertextException && e instanceof AgeDecryptionError && stages.includes(e.stage),
  );
  assert.equal(out, null);
  let released = 0;
  await assert.rejects(async () => {
    for await (const p of decryptStream([file], [id], { armor: false })) released += p.length;
  }, AgeDecryptionError);
  assert.ok(released <= releasedMax, `released ${released} bytes`);
}

test('a flipped byte in a stanza argument is rejected', async () => {
  const file = Buffer.from(await filePromise);
  flip(file, file.indexOf('-> X25519 ') + 12);
  await expectRejected(file, ['header', 'no-match']);
});

test('a flipped byte in a stanza body is rejected', async () => {
  const file = Buffer.from(await filePromise);
  flip(file, file.indexOf('\n', file.indexOf('-> X25519 ')) + 3);
  await expectRejected(file, ['header', 'no-match']);
});

test('a flipped byte in the MAC is an HMAC failure', async () => {
  const file = Buffer.from(await filePromise);
  const macAt = file.indexOf('\n--- ') + 6;
  file[macAt] = file[macAt] === 0x41 ? 0x42 : 0x41;
  await expectRejected(file, ['hmac', 'header']);
});

test('a flipped byte in the payload nonce fails the first chunk', async () => {
  const file = Buffer.from(await filePromise);
  flip(file, readHeader(file).payloadOffset, 0x80);
  await expectRejected(file, ['payload']);
});

test('a flipped byte in the last chunk fails after earlier chunks authenticate', async () => {
  const file = Buffer.from(await filePromise);
  flip(file, file.length - 20);
  // Whole-buffer decryption releases nothing; streaming releases only the two good chunks.
  await expectRejected(file, ['payload'], 2 * CHUNK_SIZE);
});

test('swapping two chunks is detected', async () => {
  const file = Buffer.from(await filePromise);
  const start = readHeader(file).payloadOffset + 16;
  const size = CHUNK_SIZE + 16;
  const a = Buffer.from(file.subarray(start, start + size));
  file.copy(file, start, start + size, start + 2 * size);
  a.copy(file, start + size);
  await expectRejected(file, ['payload']);
});

test('truncation anywhere is rejected', async () => {
  const file = await filePromise;
  const header = readHeader(file);
  const cuts = [
    1,
    20,
    header.payloadOffset - 1,
    header.payloadOffset,
    header.payloadOffset + 10,
    header.payloadOffset + 16,
    file.length - CHUNK_SIZE,
    file.length - 1000,
    file.length - 1,
  ];
  for (const n of cuts) await expectRejected(file.subarray(0, n), ['header', 'payload'], 2 * CHUNK_SIZE);
});

test('truncation exactly at a chunk boundary is rejected', async () => {
  const file = await filePromise;
  const boundary = readHeader(file).payloadOffset + 16 + 2 * (CHUNK_SIZE + 16);
  await expectRejected(file.subarray(0, boundary), ['payload'], 2 * CHUNK_SIZE);
});

test('appended bytes are rejected', async () => {
  const file = await filePromise;
  for (const extra of [Buffer.from([0]), randomBytes(16), randomBytes(CHUNK_SIZE + 16)]) {
    await expectRejected(Buffer.concat([file, extra]), ['payload'], plain.length);
  }
});

test('a chunk re-flagged as final (truncation attack) is rejected', async () => {
  const file = await encryptBuffer(randomBytes(CHUNK_SIZE * 2), [id.recipient]);
  // Dropping the last full chunk leaves a non-final chunk at the end.
  await expectRejected(file.subarray(0, file.length - (CHUNK_SIZE + 16)), ['payload'], CHUNK_SIZE);
});

test('in a large file, a bad chunk stops decryption exactly there', async () => {
  const big = randomBytes(40 * CHUNK_SIZE + 123);
  const file = Buffer.from(await encryptBuffer(big, [id.recipient]));
  const bad = 37; // inside the third 1 MiB block
  flip(file, readHeader(file).payloadOffset + 16 + bad * (CHUNK_SIZE + 16) + 5);
  const parts: Buffer[] = [];
  await assert.rejects(
    async () => {
      for await (const p of decryptStream([file.subarray(0, 300_000), file.subarray(300_000)], [id])) parts.push(p);
    },
    (e: unknown) => e instanceof AgeDecryptionError && e.stage === 'payload' && e.message.includes(`chunk ${bad}`),
  );
  assert.deepEqual(Buffer.concat(parts), big.subarray(0, bad * CHUNK_SIZE));
});
