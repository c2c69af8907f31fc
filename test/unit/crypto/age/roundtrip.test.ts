/** Encrypt/decrypt round trips over sizes, recipients, armor and the streaming API. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { ValidationException } from '../../../../main/core/errors.js';
import {
  AgeDecryptionError,
  CHUNK_SIZE,
  decryptBuffer,
  decryptStream,
  encryptBuffer,
  encryptStream,
  parseHeader,
  payloadCiphertextSize,
  payloadPlaintextSize,
  readHeader,
  rewrapHeader,
  ScryptIdentity,
  ScryptRecipient,
  X25519Identity,
  type Identity,
  type Recipient,
  type Stanza,
} from '../../../../main/crypto/age/index.js';

const alice = X25519Identity.generate();
const bob = X25519Identity.generate();

async function collect(gen: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of gen) parts.push(p);
  return Buffer.concat(parts);
}

function* slices(buf: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

const SIZES: Array<[string, number]> = [
  ['empty', 0],
  ['1 byte', 1],
  ['64 KiB exactly', CHUNK_SIZE],
  ['64 KiB + 1', CHUNK_SIZE + 1],
  ['two chunks exactly', 2 * CHUNK_SIZE],
  ['3 MiB + 5', 3 * 1024 * 1024 + 5],
];

for (const [name, size] of SIZES) {
  test(`round trip (${name}) through buffers and streams`, async () => {
    const plain = randomBytes(size);
    const file = await encryptBuffer(plain, [alice.recipient]);
    const header = readHeader(file);
    assert.equal(payloadPlaintextSize(file.length - header.payloadOffset), size);
    assert.equal(payloadCiphertextSize(size), file.length - header.payloadOffset);
    assert.deepEqual(await decryptBuffer(file, [alice]), plain);
    // Streams, with source pieces that do not line up with chunks.
    const streamed = await collect(encryptStream(slices(plain, 10_007), [alice.recipient]));
    assert.equal(payloadPlaintextSize(streamed.length - readHeader(streamed).payloadOffset), size);
    assert.deepEqual(await collect(decryptStream(slices(streamed, 4099), [alice])), plain);
    assert.deepEqual(await collect(decryptStream(slices(streamed, 1 << 20), [alice])), plain);
    assert.deepEqual(await decryptBuffer(streamed, [alice]), plain);
  });
}

test('a file for several recipients opens with each identity', async () => {
  const plain = randomBytes(70_000);
  const file = await encryptBuffer(plain, [alice.recipient, bob.recipient]);
  assert.equal(readHeader(file).stanzas.length, 2);
  assert.deepEqual(await decryptBuffer(file, [alice]), plain);
  assert.deepEqual(await decryptBuffer(file, [bob]), plain);
  await assert.rejects(
    decryptBuffer(file, [X25519Identity.generate()]),
    (e: unknown) => e instanceof AgeDecryptionError && e.stage === 'no-match' && /no identity matched/.test(e.message),
  );
});

test('armored files round trip and are detected automatically', async () => {
  for (const size of [0, 1, 47, 48, 49, CHUNK_SIZE + 3]) {
    const plain = randomBytes(size);
    const file = await encryptBuffer(plain, [alice.recipient], { armor: true });
    const text = file.toString('latin1');
    assert.ok(text.startsWith('-----BEGIN AGE ENCRYPTED FILE-----\n'));
    assert.ok(text.endsWith('-----END AGE ENCRYPTED FILE-----\n'));
    for (const line of text.split('\n')) assert.ok(line.length <= 64 || line.startsWith('-----'));
    assert.deepEqual(await decryptBuffer(file, [alice]), plain);
    assert.deepEqual(await decryptBuffer(file, [alice], { armor: true }), plain);
    const streamed = await collect(encryptStream(slices(plain, 999), [alice.recipient], { armor: true }));
    assert.deepEqual(await collect(decryptStream(slices(streamed, 61), [alice])), plain);
  }
});

test('passphrase files round trip; wrong passphrase is no match', async () => {
  const plain = Buffer.from('root secret');
  const file = await encryptBuffer(plain, [new ScryptRecipient('correct horse', { workFactor: 10 })]);
  assert.match(readHeader(file).stanzas[0]?.args[1] ?? '', /^10$/);
  assert.deepEqual(await decryptBuffer(file, [new ScryptIdentity('correct horse')]), plain);
  await assert.rejects(decryptBuffer(file, [new ScryptIdentity('wrong')]), (e: unknown) => e instanceof AgeDecryptionError && e.stage === 'no-match');
});

test('scrypt work factor above the configured cap is refused before any work', async () => {
  const file = await encryptBuffer(Buffer.from('x'), [new ScryptRecipient('pw', { workFactor: 12 })]);
  await assert.rejects(
    decryptBuffer(file, [new ScryptIdentity('pw', { maxWorkFactor: 11 })]),
    (e: unknown) => e instanceof AgeDecryptionError && e.stage === 'header' && /exceeds the limit/.test(e.message),
  );
  assert.deepEqual(await decryptBuffer(file, [new ScryptIdentity('pw', { maxWorkFactor: 12 })]), Buffer.from('x'));
});

test('a passphrase can not be mixed with other recipients', async () => {
  await assert.rejects(encryptBuffer(Buffer.from('x'), [new ScryptRecipient('pw', { workFactor: 10 }), alice.recipient]), ValidationException);
});

test('empty passphrases and empty recipient lists are validation errors', async () => {
  assert.throws(() => new ScryptRecipient(''), ValidationException);
  assert.throws(() => new ScryptIdentity(''), ValidationException);
  await assert.rejects(encryptBuffer(Buffer.from('x'), []), ValidationException);
  const file = await encryptBuffer(Buffer.from('x'), [alice.recipient]);
  await assert.rejects(decryptBuffer(file, []), ValidationException);
});

test('custom recipient and identity types plug in through the stanza interface', async () => {
  const label = 'keyvault.example/test';
  const secret = randomBytes(16);
  const xor = (k: Buffer): Buffer => Buffer.from(k.map((b, i) => b ^ (secret[i] as number)));
  const recipient: Recipient = { wrap: (fileKey) => [{ type: label, args: ['v1'], body: xor(fileKey) }] };
  const identity: Identity = {
    unwrap: (stanzas: readonly Stanza[]) => {
      const s = stanzas.find((x) => x.type === label);
      return s ? xor(s.body) : null;
    },
  };
  const plain = randomBytes(1000);
  const file = await encryptBuffer(plain, [recipient, alice.recipient]);
  assert.deepEqual(await decryptBuffer(file, [identity]), plain);
  assert.deepEqual(await decryptBuffer(file, [alice]), plain);
});

test('rewrapping a header keeps the payload and can keep unknown stanzas verbatim', async () => {
  const plain = randomBytes(100_000);
  const unknown: Recipient = { wrap: () => [{ type: 'example.com/enigma', args: ['a', 'b'], body: randomBytes(70) }] };
  const file = await encryptBuffer(plain, [alice.recipient, unknown]);
  const header = readHeader(file);
  const newHeader = await rewrapHeader(header, [alice], [bob.recipient], (s) => s.type !== 'X25519');
  const rewrapped = Buffer.concat([newHeader, file.subarray(header.payloadOffset)]);
  assert.deepEqual(await decryptBuffer(rewrapped, [bob]), plain);
  await assert.rejects(decryptBuffer(rewrapped, [alice]), (e: unknown) => e instanceof AgeDecryptionError && e.stage === 'no-match');
  const kept = readHeader(rewrapped).stanzas.find((s) => s.type === 'example.com/enigma');
  assert.deepEqual(
    kept,
    header.stanzas.find((s) => s.type === 'example.com/enigma'),
  );
});

test('parseHeader asks for more bytes on every strict prefix of a header', async () => {
  const file = await encryptBuffer(Buffer.from('hello'), [alice.recipient, bob.recipient]);
  const full = readHeader(file);
  for (let n = 0; n < full.payloadOffset; n++) assert.equal(parseHeader(file.subarray(0, n)).complete, false);
  const done = parseHeader(file.subarray(0, full.payloadOffset));
  assert.ok(done.complete);
  assert.equal(done.payloadOffset, full.payloadOffset);
  assert.throws(
    () => parseHeader(Buffer.from('PK\x03\x04')),
    (e: unknown) => e instanceof AgeDecryptionError && e.stage === 'header',
  );
});

test('payloadPlaintextSize rejects impossible payload lengths', () => {
  assert.equal(payloadPlaintextSize(16 + 16), 0);
  assert.equal(payloadPlaintextSize(16 + CHUNK_SIZE + 16), CHUNK_SIZE);
  assert.equal(payloadPlaintextSize(16 + CHUNK_SIZE + 16 + 17), CHUNK_SIZE + 1);
  for (const bad of [0, 15, 16, 31, 16 + CHUNK_SIZE + 16 + 16, 16 + CHUNK_SIZE + 16 + 5]) {
    assert.throws(
      () => payloadPlaintextSize(bad),
      (e: unknown) => e instanceof AgeDecryptionError && e.stage === 'payload',
    );
  }
});
