/** Key strings, identity files and the strict encodings underneath them. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ValidationException } from '../../../../main/core/errors.js';
import { bech32Decode, bech32Encode, decodeBase64NoPad, decodeBase64Padded } from '../../../../main/crypto/age/encoding.js';
import { parseIdentityFile, parseRecipient, X25519Identity, X25519Recipient } from '../../../../main/crypto/age/index.js';

// The example key pair from the age specification.
const SPEC_IDENTITY = 'AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX';
const SPEC_RECIPIENT = 'age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj';

test('the specification example identity derives its example recipient', () => {
  const id = X25519Identity.parse(SPEC_IDENTITY);
  assert.equal(id.recipient.toString(), SPEC_RECIPIENT);
  assert.equal(id.toString(), SPEC_IDENTITY);
  assert.equal(parseRecipient(` ${SPEC_RECIPIENT}\n`).toString(), SPEC_RECIPIENT);
});

test('malformed recipients are validation errors', () => {
  const flipped = SPEC_RECIPIENT.slice(0, -1) + (SPEC_RECIPIENT.endsWith('j') ? 'k' : 'j');
  for (const bad of ['', 'age1', SPEC_RECIPIENT.toUpperCase(), flipped, 'age1pq1abc', SPEC_IDENTITY, 'ssh-ed25519 AAAA']) {
    assert.throws(() => X25519Recipient.parse(bad), ValidationException, bad);
  }
});

test('malformed identities are validation errors that do not echo the key', () => {
  const bad = SPEC_IDENTITY.slice(0, -2) + 'QQ';
  assert.throws(
    () => X25519Identity.parse(bad),
    (e: unknown) => e instanceof ValidationException && !e.message.includes(bad),
  );
  assert.throws(() => X25519Identity.parse(SPEC_IDENTITY.toLowerCase()), ValidationException);
  assert.throws(() => X25519Identity.parse('AGE-SECRET-KEY-PQ-1XX76JRALNLXDMEW0CRK45QMCCH4X06SE84UN3VPM33W6HWDX0H3SK3ZQFR'), /post-quantum/);
});

test('identity files allow comments, blank lines, CRLF and several keys', () => {
  const other = X25519Identity.generate();
  const ids = parseIdentityFile(`# created: today\r\n# public key: ${SPEC_RECIPIENT}\r\n${SPEC_IDENTITY}\r\n\r\n  \n${other.toString()}\n`);
  assert.deepEqual(
    ids.map((i) => i.recipient.toString()),
    [SPEC_RECIPIENT, other.recipient.toString()],
  );
});

test('identity files with garbage or no keys are rejected with the line number', () => {
  assert.throws(
    () => parseIdentityFile(`# ok\n${SPEC_IDENTITY}\nnot a key\n`),
    (e: unknown) => e instanceof ValidationException && /line 3/.test(e.message),
  );
  assert.throws(() => parseIdentityFile('# only a comment\n\n'), ValidationException);
});

test('unpadded base64 rejects padding and non-canonical trailing bits', () => {
  assert.deepEqual(decodeBase64NoPad('AAE'), Buffer.from([0, 1]));
  assert.equal(decodeBase64NoPad('AAE='), null);
  assert.equal(decodeBase64NoPad('AAF'), null);
  assert.equal(decodeBase64NoPad('A'), null);
  assert.equal(decodeBase64NoPad('AA-_'), null);
  assert.equal(decodeBase64NoPad('AA E'), null);
});

test('padded base64 requires exact canonical padding', () => {
  assert.deepEqual(decodeBase64Padded('AAE='), Buffer.from([0, 1]));
  assert.equal(decodeBase64Padded('AAE'), null);
  assert.equal(decodeBase64Padded('AAF='), null);
  assert.deepEqual(decodeBase64Padded('AA=='), Buffer.from([0]));
  assert.equal(decodeBase64Padded('AB=='), null);
  assert.equal(decodeBase64Padded('A==='), null);
});

test('bech32 round trips arbitrary lengths and rejects mixed case', () => {
  for (const len of [0, 1, 32, 100]) {
    const data = Buffer.alloc(len, 0xa5);
    const s = bech32Encode('test', data);
    assert.deepEqual(bech32Decode(s), { hrp: 'test', data });
    assert.deepEqual(bech32Decode(s.toUpperCase()), { hrp: 'test', data });
  }
  assert.equal(bech32Decode('Age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj'), null);
});
