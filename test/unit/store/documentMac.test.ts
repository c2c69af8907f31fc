/** The document MAC checked on the file's bytes gives the verdicts of the check on its text. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { checkDocumentMac, checkDocumentMacBytes, sealDocument } from '../../../main/crypto/documentMac.js';

const key = randomBytes(32);
const body = (extra: string) => Buffer.from(JSON.stringify({ FormatVersion: 1, VaultId: 'v', Keys: { a: { Description: extra } } }));

function both(file: Buffer, k = key): string {
  const fromBytes = checkDocumentMacBytes(file, k);
  assert.equal(fromBytes, checkDocumentMac(file.toString('utf8'), k), `same verdict for ${file.toString('utf8').slice(-80)}`);
  return fromBytes;
}

test('a sealed document is valid, under its key only, whatever its characters', () => {
  for (const extra of ['', 'plain', 'é \u{1F511} 中文', 'x'.repeat(70_000)]) {
    const file = sealDocument([body(extra)], key);
    assert.equal(both(file), 'valid');
    assert.equal(both(file, randomBytes(32)), 'invalid');
  }
});

test('edited bodies and tags are invalid; a document without the member is absent', () => {
  const file = sealDocument([body('plain')], key);
  const edited = Buffer.from(file.toString('utf8').replace('plain', 'PLAIN'));
  assert.equal(both(edited), 'invalid');
  const text = file.toString('utf8');
  const tagAt = text.lastIndexOf('"') - 5;
  const badTag = Buffer.from(text.slice(0, tagAt) + (text[tagAt] === 'A' ? 'B' : 'A') + text.slice(tagAt + 1));
  assert.equal(both(badTag), 'invalid');
  assert.equal(both(body('plain')), 'absent');
  assert.equal(both(Buffer.from('{}')), 'absent');
  assert.equal(both(Buffer.from(text.replace(/"}$/, '" }'))), 'absent');
});

test('bytes that are not valid UTF-8 in the body never pass', () => {
  const file = sealDocument([body('abc')], key);
  const at = file.indexOf('abc');
  const broken = Buffer.from(file);
  broken[at] = 0xff;
  assert.equal(checkDocumentMacBytes(broken, key), 'invalid');
  assert.equal(checkDocumentMac(broken.toString('utf8'), key), 'invalid');
});
