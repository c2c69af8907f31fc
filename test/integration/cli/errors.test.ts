/**
 * Failures of `keyvault` commands: each one is the KMS exception as JSON on stderr with exit 254,
 * and after each the vault is intact (same keys, earlier ciphertexts still decrypt).
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import type * as Api from '../../../main/core/api.js';
import { b64, CliVault, assertBuilt } from '../../support/cliHarness.js';

const vault = new CliVault('kv-cli-errors-');
let keyId = '';
let disabledKeyId = '';
let externalKeyId = '';
let blob = '';
let keysBefore: Api.ListKeysResponse;
const CONTEXT = '{"app":"errors-test"}';

before(async () => {
  assertBuilt();
  keyId = (await vault.ok<Api.KeyMetadataResponse>(['create-key', '--description', 'errors'])).KeyMetadata.KeyId;
  disabledKeyId = (await vault.ok<Api.KeyMetadataResponse>(['create-key'])).KeyMetadata.KeyId;
  await vault.ok(['disable-key', '--key-id', disabledKeyId]);
  externalKeyId = (await vault.ok<Api.KeyMetadataResponse>(['create-key', '--origin', 'EXTERNAL'])).KeyMetadata.KeyId;
  blob = (await vault.ok<Api.EncryptResponse>(['encrypt', '--key-id', keyId, '--plaintext', b64('keep me'), '--encryption-context', CONTEXT])).CiphertextBlob;
  keysBefore = await vault.ok<Api.ListKeysResponse>(['list-keys']);
});

afterEach(async () => {
  assert.deepEqual(await vault.ok<Api.ListKeysResponse>(['list-keys']), keysBefore, 'the failure left the key list unchanged');
  const dec = await vault.ok<Api.DecryptResponse>(['decrypt', '--ciphertext-blob', blob, '--encryption-context', CONTEXT]);
  assert.equal(Buffer.from(dec.Plaintext, 'base64').toString(), 'keep me', 'an earlier ciphertext still decrypts');
});

after(() => vault.destroy());

test('an unknown key id is NotFoundException', async () => {
  const err = await vault.fails(['describe-key', '--key-id', randomUUID()], 'NotFoundException');
  assert.match(err.message, /does not exist/);
});

test('a malformed ARN is InvalidArnException', async () => {
  await vault.fails(['describe-key', '--key-id', 'arn:keyvault:kms:local:nope'], 'InvalidArnException');
});

test('encrypting under a disabled key is DisabledException', async () => {
  await vault.fails(['encrypt', '--key-id', disabledKeyId, '--plaintext', b64('no')], 'DisabledException');
});

test('a tampered ciphertext blob is InvalidCiphertextException', async () => {
  const bytes = Buffer.from(blob, 'base64');
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x01;
  await vault.fails(['decrypt', '--ciphertext-blob', bytes.toString('base64'), '--encryption-context', CONTEXT], 'InvalidCiphertextException');
});

test('decrypting with the wrong encryption context is InvalidCiphertextException', async () => {
  await vault.fails(['decrypt', '--ciphertext-blob', blob, '--encryption-context', '{"app":"someone-else"}'], 'InvalidCiphertextException');
});

test('a plaintext of 4097 bytes is ValidationException', async () => {
  const file = join(vault.dir, 'too-big.bin');
  writeFileSync(file, randomBytes(4097));
  const err = await vault.fails(['encrypt', '--key-id', keyId, '--plaintext', `fileb://${file}`], 'ValidationException');
  assert.match(err.message, /4096/);
});

test('an encryption context that is not an object of strings is ValidationException', async () => {
  await vault.fails(['encrypt', '--key-id', keyId, '--plaintext', b64('x'), '--encryption-context', '{"n":1}'], 'ValidationException');
});

test('a rotation interval of 3d is ValidationException', async () => {
  const err = await vault.fails(['create-key', '--enable-automatic-rotation', '--rotation-interval', '3d'], 'ValidationException');
  assert.match(err.message, /7 and 2560 days/);
});

test('every rotation operation on an EXTERNAL key is UnsupportedOperationException', async () => {
  const commands = [
    ['enable-key-rotation', '--key-id', externalKeyId],
    ['disable-key-rotation', '--key-id', externalKeyId],
    ['update-rotation-policy', '--key-id', externalKeyId, '--enable-automatic-rotation', 'true'],
    ['rotate-key-on-demand', '--key-id', externalKeyId],
    ['get-key-rotation-status', '--key-id', externalKeyId],
    ['list-key-rotations', '--key-id', externalKeyId],
  ];
  for (const args of commands) await vault.fails(args, 'UnsupportedOperationException');
});

test('disabling the default key is UnsupportedOperationException', async () => {
  await vault.fails(['disable-key', '--key-id', 'alias/keyvault/default'], 'UnsupportedOperationException');
  const d = await vault.ok<Api.KeyMetadataResponse>(['describe-key', '--key-id', 'alias/keyvault/default']);
  assert.equal(d.KeyMetadata.KeyState, 'Enabled');
});

test('a key material of the wrong length is ValidationException and the key stays pending import', async () => {
  const file = join(vault.dir, 'short.bin');
  writeFileSync(file, randomBytes(16));
  await vault.fails(['import-key-material', '--key-id', externalKeyId, '--key-material', `fileb://${file}`], 'ValidationException');
  const d = await vault.ok<Api.KeyMetadataResponse>(['describe-key', '--key-id', externalKeyId]);
  assert.equal(d.KeyMetadata.KeyState, 'PendingImport');
});

test('creating an alias that exists is AlreadyExistsException', async () => {
  await vault.ok(['create-alias', '--alias-name', 'alias/once', '--target-key-id', keyId]);
  await vault.fails(['create-alias', '--alias-name', 'alias/once', '--target-key-id', keyId], 'AlreadyExistsException');
});

test('an error is printed without a stack trace unless KEYVAULT_DEBUG=1', async () => {
  const quiet = await vault.run(['describe-key', '--key-id', randomUUID()]);
  assert.doesNotMatch(quiet.stderr, /\n\s+at /);
  const loud = await vault.run(['describe-key', '--key-id', randomUUID()], { env: { KEYVAULT_DEBUG: '1' } });
  assert.equal(loud.code, 254);
  assert.equal((JSON.parse(loud.stderr.split('\n')[0]!) as { __type: string }).__type, 'NotFoundException');
  assert.match(loud.stderr, /\n\s+at /);
});
