/** ARN translation at the API boundary. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { accountIdForVault, AwsNames } from '../../../main/api/awsNames.js';
import { keyArn } from '../../../main/core/keyIdentifier.js';

const vaultId = randomUUID();
const names = new AwsNames(vaultId, 'eu-north-1');
const keyId = randomUUID();

test('the account is 12 digits, the same for a vault every time and different between vaults', () => {
  assert.match(names.accountId, /^\d{12}$/);
  assert.equal(accountIdForVault(vaultId), names.accountId);
  assert.notEqual(accountIdForVault(randomUUID()), names.accountId);
});

test('vault ARNs in a response become AWS KMS ARNs of the reported region, deep in objects and lists', () => {
  const out = names.toAws({
    KeyMetadata: { Arn: keyArn(vaultId, keyId), KeyId: keyId },
    Aliases: [{ AliasArn: `${keyArn(vaultId, keyId).split(':key/')[0]}:alias/x` }],
  });
  assert.equal(out.KeyMetadata.Arn, `arn:aws:kms:eu-north-1:${names.accountId}:key/${keyId}`);
  assert.equal(out.KeyMetadata.KeyId, keyId);
  assert.equal(out.Aliases[0]!.AliasArn, `arn:aws:kms:eu-north-1:${names.accountId}:alias/x`);
});

test('AWS ARNs of this account and region come in as vault ARNs; others name no key here', () => {
  assert.equal(names.toVault(`arn:aws:kms:eu-north-1:${names.accountId}:key/${keyId}`), keyArn(vaultId, keyId));
  assert.equal(names.toVault('alias/x'), 'alias/x');
  assert.equal(names.toVault(keyId), keyId);
  assert.throws(() => names.toVault(`arn:aws:kms:us-east-1:${names.accountId}:key/${keyId}`), { name: 'NotFoundException' });
  assert.throws(() => names.toVault(`arn:aws:kms:eu-north-1:111122223333:key/${keyId}`), { name: 'NotFoundException' });
});
