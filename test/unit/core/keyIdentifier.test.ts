import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKeyIdentifier, keyArn } from '../../../main/core/keyIdentifier.js';
import { InvalidArnException, NotFoundException, ValidationException } from '../../../main/core/errors.js';

const VAULT = '0f0e0d0c-0b0a-4908-8706-050403020100';
const KEY = '11111111-2222-4333-8444-555555555555';

test('a key id names the key', () => {
  assert.deepEqual(parseKeyIdentifier(KEY, VAULT), { kind: 'keyId', keyId: KEY });
});

test('a key ARN of this vault names the key', () => {
  assert.deepEqual(parseKeyIdentifier(keyArn(VAULT, KEY), VAULT), { kind: 'keyId', keyId: KEY });
});

test('an alias name and an alias ARN name the alias', () => {
  assert.deepEqual(parseKeyIdentifier('alias/payroll', VAULT), { kind: 'alias', aliasName: 'alias/payroll' });
  assert.deepEqual(parseKeyIdentifier(`arn:keyvault:kms:local:${VAULT}:alias/payroll`, VAULT), { kind: 'alias', aliasName: 'alias/payroll' });
});

test('a malformed ARN is an InvalidArnException', () => {
  for (const bad of [
    'arn:aws:kms:us-east-1:123:key/x',
    'arn:keyvault:kms:local:nope',
    `arn:keyvault:kms:local:${VAULT}:key/not-a-uuid`,
    `arn:keyvault:kms:local:${VAULT}:bucket/x`,
  ]) {
    assert.throws(() => parseKeyIdentifier(bad, VAULT), InvalidArnException, bad);
  }
});

test('an ARN of another vault is a NotFoundException', () => {
  const other = '99999999-9999-4999-8999-999999999999';
  assert.throws(() => parseKeyIdentifier(keyArn(other, KEY), VAULT), NotFoundException);
});

test('something that is no identifier is a NotFoundException, an empty one a ValidationException', () => {
  assert.throws(() => parseKeyIdentifier('my-key', VAULT), NotFoundException);
  assert.throws(() => parseKeyIdentifier('', VAULT), ValidationException);
  assert.throws(() => parseKeyIdentifier(undefined, VAULT), ValidationException);
});
