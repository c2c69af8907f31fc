/**
 * Property: a valid age file whose header is mutated (bytes, lines, stanza arguments) is rejected
 * with a typed error within a bounded time — never a crash, never a hang, never plaintext.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KmsError } from '../../../../main/core/errors.js';
import {
  decryptBuffer,
  encryptBuffer,
  parseHeader,
  ScryptIdentity,
  ScryptRecipient,
  X25519Identity,
  type Identity,
} from '../../../../main/crypto/age/index.js';

const RUNS = Number(process.env.KEYVAULT_FUZZ_RUNS ?? 300);
/** No single attempt may take longer than this (a hang or an unbounded scrypt would). */
const BOUND_MS = 5000;
const PASSPHRASE = 'fuzzing passphrase';

const x25519 = X25519Identity.generate();
const identities: Identity[] = [x25519, new ScryptIdentity(PASSPHRASE, { maxWorkFactor: 10 })];
const plaintext = Buffer.from('the plaintext of a fuzzed file');

const filesPromise = Promise.all([
  encryptBuffer(plaintext, [x25519.recipient]),
  encryptBuffer(plaintext, [X25519Identity.generate().recipient, x25519.recipient]),
  encryptBuffer(plaintext, [new ScryptRecipient(PASSPHRASE, { workFactor: 8 })]),
]);

function headerLength(file: Buffer): number {
  const parsed = parseHeader(file);
  assert.ok(parsed.complete);
  return parsed.payloadOffset;
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.constantFrom(0x0a, 0x20, 0x2d, 0x3e, 0x30, 0x39, 0x41, 0x00, 0xff) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('dupLine' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('dropLine' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('bigNumber' as const), digits: fc.stringMatching(/^[1-9][0-9]{1,12}$/) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

/** Applies a mutation inside the header (the first `h` bytes), keeping the payload as it was. */
function mutate(file: Buffer, m: Mutation): Buffer {
  const h = headerLength(file);
  const header = file.subarray(0, h);
  const payload = file.subarray(h);
  let out: Buffer;
  const at = 'at' in m ? m.at % h : 0;
  const lines = header.toString('latin1').split('\n');
  switch (m.kind) {
    case 'flip':
      out = Buffer.from(header);
      out[at]! ^= 1 << m.bit;
      break;
    case 'set':
      out = Buffer.from(header);
      out[at] = m.value;
      break;
    case 'delete':
      out = Buffer.concat([header.subarray(0, at), header.subarray(at + m.length)]);
      break;
    case 'insert':
      out = Buffer.concat([header.subarray(0, at), m.bytes, header.subarray(at)]);
      break;
    case 'dupLine': {
      const i = m.line % lines.length;
      lines.splice(i, 0, lines[i]!);
      out = Buffer.from(lines.join('\n'), 'latin1');
      break;
    }
    case 'dropLine':
      lines.splice(m.line % lines.length, 1);
      out = Buffer.from(lines.join('\n'), 'latin1');
      break;
    case 'bigNumber':
      // Replace the scrypt work factor (or any last argument) with a large number.
      out = Buffer.from(header.toString('latin1').replace(/^(-> \S+ .*?)(\S+)$/m, `$1${m.digits}`), 'latin1');
      break;
  }
  return Buffer.concat([out, payload]);
}

async function bounded<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${BOUND_MS} ms`)), BOUND_MS);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

test('the unmutated files decrypt (sanity)', async () => {
  for (const file of await filesPromise) assert.deepEqual(await decryptBuffer(file, identities), plaintext);
});

test('mutated headers are rejected with a typed error, in bounded time, releasing nothing', async () => {
  const files = await filesPromise;
  let rejected = 0;
  await fc.assert(
    fc.asyncProperty(fc.nat({ max: files.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), async (which, mutations) => {
      const original = files[which]!;
      let mutated = original;
      try {
        mutated = mutations.reduce(mutate, original);
      } catch {
        // An earlier mutation already broke the header: mutate that one no further.
      }
      fc.pre(!mutated.equals(original));
      const started = performance.now();
      let out: Buffer | undefined;
      try {
        out = await bounded(decryptBuffer(mutated, identities, { armor: false }));
      } catch (err) {
        assert.ok(err instanceof KmsError, `expected a typed error, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
        rejected++;
      }
      assert.ok(performance.now() - started < BOUND_MS);
      // A mutation the format cannot see (none should exist: the MAC covers the header) would
      // have to give back exactly the plaintext, never something else.
      if (out !== undefined) assert.deepEqual(out, plaintext);
    }),
    { numRuns: RUNS },
  );
  assert.ok(rejected > 0);
});

test('parseHeader on arbitrary bytes returns or throws a typed error, never anything else', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 512 }), fc.boolean(), (bytes, withPrefix) => {
      const input = withPrefix ? Buffer.concat([Buffer.from('age-encryption.org/v1\n'), bytes]) : Buffer.from(bytes);
      try {
        parseHeader(input);
      } catch (err) {
        assert.ok(err instanceof KmsError, String(err));
      }
    }),
    { numRuns: RUNS * 3 },
  );
});
