/**
 * A vault whose root secret is gone from the OS keychain: every command refuses with
 * KMSInvalidStateException, touches nothing on disk and never creates a new secret.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type * as Api from '../../../main/core/api.js';
import { createKeytarKeychain, keychainAccountForVault } from '../../../main/keychain/keychain.js';
import { b64, CliVault, assertBuilt } from '../../support/cliHarness.js';

const vault = new CliVault('kv-cli-keychain-');
const keychain = createKeytarKeychain();
let account = '';
let storeBytes: Buffer;
let blob = '';

before(async () => {
  assertBuilt();
  blob = (await vault.ok<Api.EncryptResponse>(['encrypt', '--key-id', 'alias/keyvault/default', '--plaintext', b64('x')])).CiphertextBlob;
  account = keychainAccountForVault(vault.vaultId()!);
  assert.equal(await keychain.deleteSecret(account), true, 'the vault had a keychain entry to delete');
  storeBytes = readFileSync(vault.vaultFile());
});

after(() => vault.destroy());

test('every command fails with KMSInvalidStateException naming the missing keychain entry', async () => {
  const commands = [
    ['list-keys'],
    ['vault-info'],
    ['create-key', '--description', 'should not exist'],
    ['decrypt', '--ciphertext-blob', blob],
    ['run-maintenance'],
  ];
  for (const args of commands) {
    const err = await vault.fails(args, 'KMSInvalidStateException');
    assert.match(err.message, /keychain has no root secret/);
    assert.ok(err.message.includes(vault.vaultId()!));
  }
});

test('the vault file is left byte for byte unchanged', () => {
  assert.ok(readFileSync(vault.vaultFile()).equals(storeBytes));
});

test('no new root secret is created in the keychain', async () => {
  assert.equal(await keychain.getSecret(account), null);
});
