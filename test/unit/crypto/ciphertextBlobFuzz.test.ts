/**
 * Property: a mutated ciphertext blob (bytes flipped, cut, extended, or its base64 text edited)
 * is rejected whole with InvalidCiphertextException — never another error, never some plaintext.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { InvalidCiphertextException } from '../../../main/core/errors.js';
import { decryptBlob, encryptBlob, encryptBlobBase64, parseBlob, withParsedBlob } from '../../../main/crypto/ciphertextBlob.js';
import { canonicalEncryptionContext } from '../../../main/crypto/encryptionContext.js';

const RUNS = Number(process.env.KEYVAULT_FUZZ_RUNS ?? 1000);

// Two keys with two versions each: a mutated header may name another real version.
const keys = [randomUUID(), randomUUID()];
const versions = new Map<string, { keyId: string; material: Buffer }>();
for (const keyId of keys) for (let i = 0; i < 2; i++) versions.set(randomUUID(), { keyId, material: randomBytes(32) });
const [[versionId, { keyId, material }]] = [...versions.entries()] as [[string, { keyId: string; material: Buffer }]];

const context = canonicalEncryptionContext({ purpose: 'fuzz' });

/** What Decrypt does with a blob: parse (in the reused decoding buffer), find the named version, open it. */
function decrypt(b64: string, ctx: Buffer): Buffer {
  return withParsedBlob(b64, (header, blob) => {
    const v = versions.get(header.versionId);
    if (!v || v.keyId !== header.keyId) throw new InvalidCiphertextException('names a version that does not exist');
    return decryptBlob(v.material, blob, ctx);
  });
}

const plaintextArb = fc.uint8Array({ minLength: 1, maxLength: 256 });

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }) }),
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('header' as const), which: fc.constantFrom(...versions.keys()) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function apply(blob: Buffer, m: Mutation): Buffer {
  const at = m.kind === 'flip' || m.kind === 'cut' || m.kind === 'splice' ? m.at % (blob.length + 1) : 0;
  switch (m.kind) {
    case 'flip': {
      const b = Buffer.from(blob);
      if (at < b.length) b[at]! ^= 1 << m.bit;
      return b;
    }
    case 'cut':
      return blob.subarray(0, at);
    case 'append':
      return Buffer.concat([blob, m.bytes]);
    case 'splice':
      return Buffer.concat([blob.subarray(0, at), m.bytes, blob.subarray(at)]);
    case 'header': {
      // Re-point the blob at another real key version (its own ids are authenticated).
      const b = Buffer.from(blob);
      if (b.length < 33) return b;
      b.write(versions.get(m.which)!.keyId.replace(/-/g, ''), 1, 16, 'hex');
      b.write(m.which.replace(/-/g, ''), 17, 16, 'hex');
      return b;
    }
  }
}

function expectRejected(run: () => Buffer): void {
  let out: Buffer | undefined;
  try {
    out = run();
  } catch (err) {
    assert.ok(err instanceof InvalidCiphertextException, `expected InvalidCiphertextException, got ${String(err)}`);
    return;
  }
  assert.fail(`a mutated blob decrypted to ${out.length} bytes`);
}

test('the unmutated blob decrypts (sanity)', () => {
  const blob = encryptBlob(material, { keyId, versionId }, Buffer.from('hello'), context);
  assert.equal(decrypt(blob.toString('base64'), context).toString(), 'hello');
});

test('the base64 assembly and the reused decoding buffer give the same blobs as the buffer forms', () => {
  for (let i = 0; i < 200; i++) {
    const plain = randomBytes(1 + i * 17);
    const b64 = encryptBlobBase64(material, { keyId, versionId }, plain, context);
    const parsed = parseBlob(b64);
    assert.deepEqual(parsed.header, { keyId, versionId });
    assert.deepEqual(decryptBlob(material, parsed.blob, context), plain);
    assert.deepEqual(decrypt(b64, context), plain);
    const other = encryptBlob(material, { keyId, versionId }, plain, context).toString('base64');
    assert.equal(other.length, b64.length);
    assert.deepEqual(decrypt(other, context), plain);
  }
});

test('byte mutations of a blob are rejected whole with InvalidCiphertextException', () => {
  fc.assert(
    fc.property(plaintextArb, fc.array(mutation, { minLength: 1, maxLength: 3 }), (plain, mutations) => {
      const blob = encryptBlob(material, { keyId, versionId }, Buffer.from(plain), context);
      const mutated = mutations.reduce(apply, blob);
      fc.pre(!mutated.equals(blob));
      expectRejected(() => decrypt(mutated.toString('base64'), context));
    }),
    { numRuns: RUNS },
  );
});

test('edits of the base64 text (any characters) are rejected with InvalidCiphertextException', () => {
  fc.assert(
    fc.property(plaintextArb, fc.nat(), fc.string({ minLength: 1, maxLength: 4 }), fc.nat({ max: 4 }), (plain, at, insert, remove) => {
      const b64 = encryptBlobBase64(material, { keyId, versionId }, Buffer.from(plain), context);
      const i = at % (b64.length + 1);
      const edited = b64.slice(0, i) + insert + b64.slice(i + remove);
      fc.pre(edited !== b64);
      expectRejected(() => decrypt(edited, context));
    }),
    { numRuns: RUNS },
  );
});

test('a different encryption context is rejected whole', () => {
  fc.assert(
    fc.property(plaintextArb, fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }), (plain, ctx) => {
      const other = canonicalEncryptionContext(ctx);
      fc.pre(!other.equals(context));
      const b64 = encryptBlobBase64(material, { keyId, versionId }, Buffer.from(plain), context);
      expectRejected(() => decrypt(b64, other));
    }),
    { numRuns: Math.ceil(RUNS / 4) },
  );
});
