/** In-place sealing and opening of 1 MiB blocks: the same bytes as the stream classes, and the same verdicts. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import {
  AgeDecryptionError,
  canReleaseBuffers,
  CHUNK_SIZE,
  derivePayloadKey,
  ENCRYPTED_CHUNK_SIZE,
  failedChunkError,
  openBlockInPlace,
  PAYLOAD_NONCE_SIZE,
  PLAIN_BLOCK_SIZE,
  releaseBuffer,
  SEALED_BLOCK_SIZE,
  sealBlockInPlace,
  StreamEncryptor,
} from '../../../../main/crypto/age/index.js';

const fileKey = randomBytes(16);
const nonce = randomBytes(PAYLOAD_NONCE_SIZE);
const key = derivePayloadKey(fileKey, nonce);

/** The payload (without its nonce) that StreamEncryptor makes of `plain`. */
function streamPayload(plain: Buffer): Buffer {
  const enc = new StreamEncryptor(fileKey, nonce);
  return Buffer.concat([enc.push(plain), enc.final()]).subarray(PAYLOAD_NONCE_SIZE);
}

/** The payload made block by block with sealBlockInPlace. */
function blockPayload(plain: Buffer): Buffer {
  const out: Buffer[] = [];
  let counter = 0;
  let offset = 0;
  for (;;) {
    const length = Math.min(PLAIN_BLOCK_SIZE, plain.length - offset);
    const final = offset + length === plain.length;
    const buf = Buffer.alloc(SEALED_BLOCK_SIZE);
    plain.copy(buf, 0, offset, offset + length);
    out.push(Buffer.from(buf.subarray(0, sealBlockInPlace(key, counter, buf, length, final))));
    counter += Math.ceil(length / CHUNK_SIZE);
    offset += length;
    if (final) return Buffer.concat(out);
  }
}

for (const size of [
  0,
  1,
  CHUNK_SIZE - 1,
  CHUNK_SIZE,
  CHUNK_SIZE + 1,
  PLAIN_BLOCK_SIZE - 1,
  PLAIN_BLOCK_SIZE,
  PLAIN_BLOCK_SIZE + 1,
  2 * PLAIN_BLOCK_SIZE + 3 * CHUNK_SIZE,
]) {
  test(`sealing ${size} bytes block by block in place gives the StreamEncryptor payload`, () => {
    const plain = randomBytes(size);
    assert.ok(blockPayload(plain).equals(streamPayload(plain)));
  });
}

test('opening a non-final block in place gives back the plaintext, chunk i at i * 64 KiB', () => {
  const plain = randomBytes(2 * PLAIN_BLOCK_SIZE);
  const sealed = streamPayload(plain);
  const buf = Buffer.from(sealed.subarray(0, SEALED_BLOCK_SIZE));
  assert.equal(openBlockInPlace(key, 0, buf, SEALED_BLOCK_SIZE), -1);
  assert.ok(buf.subarray(0, PLAIN_BLOCK_SIZE).equals(plain.subarray(0, PLAIN_BLOCK_SIZE)));
  const next = Buffer.from(sealed.subarray(SEALED_BLOCK_SIZE, 2 * SEALED_BLOCK_SIZE - ENCRYPTED_CHUNK_SIZE));
  assert.equal(openBlockInPlace(key, 16, next, next.length), -1, 'counters continue across blocks');
});

test('a tampered chunk stops opening there, with its sealed bytes intact and none of its plaintext written', () => {
  const sealed = streamPayload(randomBytes(2 * PLAIN_BLOCK_SIZE));
  const buf = Buffer.from(sealed.subarray(0, SEALED_BLOCK_SIZE));
  buf[5 * ENCRYPTED_CHUNK_SIZE + 10]! ^= 1;
  const tampered = Buffer.from(buf.subarray(5 * ENCRYPTED_CHUNK_SIZE, 6 * ENCRYPTED_CHUNK_SIZE));
  assert.equal(openBlockInPlace(key, 0, buf, SEALED_BLOCK_SIZE), 5);
  assert.ok(buf.subarray(5 * ENCRYPTED_CHUNK_SIZE, 6 * ENCRYPTED_CHUNK_SIZE).equals(tampered));
  const err = failedChunkError(key, 5, tampered);
  assert.ok(err instanceof AgeDecryptionError && err.stage === 'payload' && /authentication/.test(err.message), String(err));
});

test('a valid final chunk opened as non-final is reported as trailing data, the way StreamDecryptor does', () => {
  const sealed = streamPayload(randomBytes(3 * CHUNK_SIZE));
  const buf = Buffer.concat([sealed, randomBytes(SEALED_BLOCK_SIZE - sealed.length)]);
  assert.equal(openBlockInPlace(key, 0, buf, SEALED_BLOCK_SIZE), 2);
  const err = failedChunkError(key, 2, buf.subarray(2 * ENCRYPTED_CHUNK_SIZE, 3 * ENCRYPTED_CHUNK_SIZE));
  assert.ok(err instanceof AgeDecryptionError && err.stage === 'payload' && /trailing data/.test(err.message), String(err));
});

test('a non-final run must be whole chunks, and the buffer must have room for the tags', () => {
  assert.throws(() => sealBlockInPlace(key, 0, Buffer.alloc(SEALED_BLOCK_SIZE), CHUNK_SIZE + 1, false), RangeError);
  assert.throws(() => sealBlockInPlace(key, 0, Buffer.alloc(CHUNK_SIZE), CHUNK_SIZE, true), RangeError);
});

test('releaseBuffer frees a buffer that owns its memory and leaves views and pooled buffers alone', () => {
  assert.equal(canReleaseBuffers(), true);
  const owned = Buffer.allocUnsafeSlow(64 * 1024);
  releaseBuffer(owned);
  assert.equal(owned.length, 0);
  const whole = Buffer.allocUnsafeSlow(64 * 1024);
  const view = whole.subarray(16);
  releaseBuffer(view);
  assert.equal(whole.length, 64 * 1024);
  const pooled = Buffer.from('a pooled buffer');
  releaseBuffer(pooled);
  assert.equal(pooled.toString(), 'a pooled buffer');
});
