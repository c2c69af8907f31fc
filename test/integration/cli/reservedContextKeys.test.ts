/**
 * Issue 9: encryption-context keys that a plain-object copy would drop or turn into a prototype
 * change (`__proto__`, `constructor`, `prototype`) are refused by the CLI with ValidationException,
 * the same as the app's IPC. JSON.parse makes `"__proto__"` an own key, so the check reads own keys.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type * as Api from '../../../main/core/api.js';
import { assertBuilt, b64, CliVault } from './cliHarness.js';

const vault = new CliVault('kv-cli-ctxkeys-');
let keyId = '';
let blob = '';

before(async () => {
  assertBuilt();
  keyId = (await vault.ok<Api.KeyMetadataResponse>(['create-key', '--description', 'context keys'])).KeyMetadata.KeyId;
  blob = (await vault.ok<Api.EncryptResponse>(['encrypt', '--key-id', keyId, '--plaintext', b64('plain')])).CiphertextBlob;
});
after(() => vault.destroy());

describe('reserved encryption-context keys', () => {
  for (const key of ['__proto__', 'constructor', 'prototype']) {
    const context = JSON.stringify({ purpose: 'x' }).replace('{', `{"${key}":"v",`);

    test(`encrypt refuses "${key}"`, async () => {
      const err = await vault.fails(['encrypt', '--key-id', keyId, '--plaintext', b64('p'), '--encryption-context', context], 'ValidationException');
      assert.match(err.message, new RegExp(`EncryptionContext key "${key}" is reserved`));
    });

    test(`decrypt and generate-data-key refuse "${key}"`, async () => {
      await vault.fails(['decrypt', '--ciphertext-blob', blob, '--encryption-context', context], 'ValidationException');
      await vault.fails(['generate-data-key', '--key-id', keyId, '--key-spec', 'AES_256', '--encryption-context', context], 'ValidationException');
    });
  }

  test('re-encrypt refuses a reserved destination key', async () => {
    const err = await vault.fails(
      ['re-encrypt', '--ciphertext-blob', blob, '--destination-key-id', keyId, '--destination-encryption-context', '{"__proto__":"v"}'],
      'ValidationException',
    );
    assert.match(err.message, /DestinationEncryptionContext key "__proto__" is reserved/);
  });

  test('ordinary keys still work, including ones that merely contain the words', async () => {
    const ctx = '{"proto":"a","__proto":"b","my constructor":"c"}';
    const enc = await vault.ok<Api.EncryptResponse>(['encrypt', '--key-id', keyId, '--plaintext', b64('fine'), '--encryption-context', ctx]);
    const dec = await vault.ok<Api.DecryptResponse>(['decrypt', '--ciphertext-blob', enc.CiphertextBlob, '--encryption-context', ctx]);
    assert.equal(Buffer.from(dec.Plaintext, 'base64').toString(), 'fine');
  });
});
