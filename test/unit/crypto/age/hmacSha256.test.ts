import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hkdfSha256, hmacSha256 } from '../../../../main/crypto/age/hmacSha256.js';

test('hmacSha256 equals createHmac for keys and messages of every length around the block size', () => {
  for (const keyLength of [0, 1, 16, 32, 63, 64, 65, 100, 200]) {
    for (const messageLength of [0, 1, 55, 56, 64, 100, 1000]) {
      const key = randomBytes(keyLength);
      const message = randomBytes(messageLength);
      const cut = Math.floor(messageLength / 3);
      const ours = hmacSha256(key, message.subarray(0, cut), message.subarray(cut));
      assert.deepEqual(ours, createHmac('sha256', key).update(message).digest(), `key ${keyLength}, message ${messageLength}`);
    }
  }
});

test('hkdfSha256 equals hkdfSync with a 32-byte output, with empty, short and long salts and both kinds of info', () => {
  for (const saltLength of [0, 16, 64, 65, 100]) {
    for (const info of ['header', 'age-encryption.org/v1/X25519', 'é info', '']) {
      const ikm = randomBytes(32);
      const salt = randomBytes(saltLength);
      const want = Buffer.from(hkdfSync('sha256', ikm, salt, info, 32));
      assert.deepEqual(hkdfSha256(ikm, salt, info), want, `salt ${saltLength}, info ${info}`);
      assert.deepEqual(hkdfSha256(ikm, salt, Buffer.from(info, 'utf8')), want);
    }
  }
});

test('RFC 5869 test case 1 (first 32 bytes of the output)', () => {
  const ikm = Buffer.alloc(22, 0x0b);
  const salt = Buffer.from('000102030405060708090a0b0c', 'hex');
  const info = Buffer.from('f0f1f2f3f4f5f6f7f8f9', 'hex');
  assert.equal(hkdfSha256(ikm, salt, info).toString('hex'), '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf');
});
