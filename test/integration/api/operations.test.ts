/**
 * Every operation of the endpoint through @aws-sdk/client-kms against `keyvault serve` (a child
 * process on a real vault): request and response shapes, ARNs the SDK accepts, error names,
 * pagination with the SDK's paginators.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as K from '@aws-sdk/client-kms';
import { assertBuilt } from '../cli/cliHarness.js';
import { errorName, ServedVault } from './apiHarness.js';

const served = new ServedVault();
let kms: K.KMSClient;
const ARN_RE = /^arn:aws:kms:us-east-1:(\d{12}):key\/[0-9a-f-]{36}$/;
const utf8 = (b: Uint8Array | undefined) => Buffer.from(b!).toString('utf8');

before(async () => {
  assertBuilt();
  await served.start();
  kms = served.client(await served.credentials());
});
after(() => served.destroy());

async function newKey(input: Partial<K.CreateKeyCommandInput> = {}): Promise<K.KeyMetadata> {
  return (await kms.send(new K.CreateKeyCommand(input))).KeyMetadata!;
}

async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const p of pages) out.push(p);
  return out;
}

describe('keys', () => {
  test('CreateKey answers KMS metadata with an AWS key ARN, epoch dates and AWS enum values', async () => {
    const before = Date.now();
    const m = await newKey({ Description: 'sdk key' });
    assert.match(m.Arn!, ARN_RE);
    assert.equal(m.AWSAccountId, ARN_RE.exec(m.Arn!)![1]);
    assert.equal(m.Arn!.endsWith(`key/${m.KeyId}`), true);
    assert.ok(m.CreationDate instanceof Date && Math.abs(m.CreationDate.getTime() - before) < 60_000);
    assert.deepEqual(
      [m.Description, m.KeyState, m.Enabled, m.Origin, m.KeyManager, m.KeySpec, m.KeyUsage, m.EncryptionAlgorithms],
      ['sdk key', 'Enabled', true, 'AWS_KMS', 'CUSTOMER', 'SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT', ['SYMMETRIC_DEFAULT']],
    );
  });

  test('CreateKey with Origin EXTERNAL makes a key waiting for its material', async () => {
    const m = await newKey({ Origin: 'EXTERNAL' });
    assert.deepEqual([m.Origin, m.KeyState, m.Enabled], ['EXTERNAL', 'PendingImport', false]);
  });

  test('DescribeKey finds a key by id, AWS key ARN, alias name and AWS alias ARN', async () => {
    const m = await newKey();
    const alias = `alias/describe-${m.KeyId!.slice(0, 8)}`;
    await kms.send(new K.CreateAliasCommand({ AliasName: alias, TargetKeyId: m.Arn }));
    const aliasArn = m.Arn!.replace(/key\/.*$/, alias);
    for (const id of [m.KeyId!, m.Arn!, alias, aliasArn]) {
      const d = await kms.send(new K.DescribeKeyCommand({ KeyId: id }));
      assert.equal(d.KeyMetadata!.KeyId, m.KeyId, id);
    }
  });

  test('an ARN of another account or region is NotFoundException; a malformed ARN is InvalidArnException', async () => {
    const m = await newKey();
    assert.equal(await errorName(kms.send(new K.DescribeKeyCommand({ KeyId: m.Arn!.replace(/:\d{12}:/, ':000000000000:') }))), 'NotFoundException');
    assert.equal(await errorName(kms.send(new K.DescribeKeyCommand({ KeyId: m.Arn!.replace('us-east-1', 'eu-west-1') }))), 'NotFoundException');
    assert.equal(await errorName(kms.send(new K.DescribeKeyCommand({ KeyId: 'arn:aws:kms:us-east-1:12:nothing' }))), 'InvalidArnException');
  });

  test('DisableKey makes Encrypt fail with DisabledException; EnableKey brings it back', async () => {
    const m = await newKey();
    await kms.send(new K.DisableKeyCommand({ KeyId: m.KeyId }));
    assert.equal((await kms.send(new K.DescribeKeyCommand({ KeyId: m.KeyId }))).KeyMetadata!.KeyState, 'Disabled');
    assert.equal(await errorName(kms.send(new K.EncryptCommand({ KeyId: m.KeyId, Plaintext: Buffer.from('x') }))), 'DisabledException');
    await kms.send(new K.EnableKeyCommand({ KeyId: m.KeyId }));
    assert.ok((await kms.send(new K.EncryptCommand({ KeyId: m.KeyId, Plaintext: Buffer.from('x') }))).CiphertextBlob);
  });

  test('ScheduleKeyDeletion and CancelKeyDeletion: PendingDeletion blocks use, cancel leaves it Disabled', async () => {
    const m = await newKey();
    const s = await kms.send(new K.ScheduleKeyDeletionCommand({ KeyId: m.KeyId, PendingWindowInDays: 7 }));
    assert.equal(s.KeyId, m.Arn);
    assert.equal(s.KeyState, 'PendingDeletion');
    assert.equal(s.PendingWindowInDays, 7);
    assert.ok(Math.abs(s.DeletionDate!.getTime() - (Date.now() + 7 * 86_400_000)) < 120_000);
    assert.equal(await errorName(kms.send(new K.EncryptCommand({ KeyId: m.KeyId, Plaintext: Buffer.from('x') }))), 'KMSInvalidStateException');
    assert.equal(await errorName(kms.send(new K.ScheduleKeyDeletionCommand({ KeyId: m.KeyId, PendingWindowInDays: 3 }))), 'ValidationException');
    assert.equal((await kms.send(new K.CancelKeyDeletionCommand({ KeyId: m.KeyId }))).KeyId, m.Arn);
    assert.equal((await kms.send(new K.DescribeKeyCommand({ KeyId: m.KeyId }))).KeyMetadata!.KeyState, 'Disabled');
  });

  test('UpdateKeyDescription changes the description', async () => {
    const m = await newKey({ Description: 'before' });
    await kms.send(new K.UpdateKeyDescriptionCommand({ KeyId: m.Arn, Description: 'after' }));
    assert.equal((await kms.send(new K.DescribeKeyCommand({ KeyId: m.KeyId }))).KeyMetadata!.Description, 'after');
  });

  test('ListKeys through the SDK paginator, one key a page, yields every key exactly once', async () => {
    await newKey();
    const all = (await kms.send(new K.ListKeysCommand({}))).Keys!.map((k) => k.KeyId).sort();
    const pages = await collect(K.paginateListKeys({ client: kms, pageSize: 1 }, {}));
    assert.equal(pages.length, all.length);
    assert.deepEqual(pages.flatMap((p) => p.Keys!.map((k) => k.KeyId)).sort(), all);
    assert.ok(pages.slice(0, -1).every((p) => p.Truncated === true && typeof p.NextMarker === 'string'));
    assert.equal(pages.at(-1)!.Truncated, false);
    for (const p of pages) assert.match(p.Keys![0]!.KeyArn!, ARN_RE);
  });

  test('a marker the endpoint did not make is InvalidMarkerException; a Limit out of range is ValidationException', async () => {
    assert.equal(await errorName(kms.send(new K.ListKeysCommand({ Marker: 'not-a-marker' }))), 'InvalidMarkerException');
    assert.equal(await errorName(kms.send(new K.ListKeysCommand({ Limit: 1001 }))), 'ValidationException');
  });
});

describe('aliases', () => {
  test('CreateAlias, UpdateAlias, DeleteAlias and ListAliases (filtered by key, paginated)', async () => {
    const a = await newKey();
    const b = await newKey();
    const names = ['alias/p-1', 'alias/p-2', 'alias/p-3'].map((n) => `${n}-${a.KeyId!.slice(0, 6)}`);
    for (const n of names) await kms.send(new K.CreateAliasCommand({ AliasName: n, TargetKeyId: a.KeyId }));
    assert.equal(await errorName(kms.send(new K.CreateAliasCommand({ AliasName: names[0], TargetKeyId: b.KeyId }))), 'AlreadyExistsException');
    const pages = await collect(K.paginateListAliases({ client: kms, pageSize: 2 }, { KeyId: a.Arn }));
    assert.deepEqual(
      pages.map((p) => p.Aliases!.length),
      [2, 1],
    );
    const listed = pages.flatMap((p) => p.Aliases!);
    assert.deepEqual(
      listed.map((x) => x.AliasName),
      [...names].sort(),
    );
    assert.ok(listed.every((x) => x.TargetKeyId === a.KeyId && x.AliasArn!.startsWith('arn:aws:kms:us-east-1:') && x.CreationDate instanceof Date));

    await kms.send(new K.UpdateAliasCommand({ AliasName: names[0], TargetKeyId: b.Arn }));
    assert.equal((await kms.send(new K.DescribeKeyCommand({ KeyId: names[0] }))).KeyMetadata!.KeyId, b.KeyId);
    await kms.send(new K.DeleteAliasCommand({ AliasName: names[1] }));
    assert.equal(await errorName(kms.send(new K.DescribeKeyCommand({ KeyId: names[1] }))), 'NotFoundException');
    assert.equal(
      await errorName(kms.send(new K.UpdateAliasCommand({ AliasName: 'alias/keyvault/default', TargetKeyId: b.KeyId }))),
      'UnsupportedOperationException',
    );
  });
});

describe('rotation', () => {
  test('EnableKeyRotation with RotationPeriodInDays shows in GetKeyRotationStatus with NextRotationDate', async () => {
    const m = await newKey();
    assert.deepEqual(
      Object.keys(await kms.send(new K.GetKeyRotationStatusCommand({ KeyId: m.KeyId })))
        .filter((k) => k !== '$metadata')
        .sort(),
      ['KeyId', 'KeyRotationEnabled'],
    );
    await kms.send(new K.EnableKeyRotationCommand({ KeyId: m.KeyId, RotationPeriodInDays: 90 }));
    const s = await kms.send(new K.GetKeyRotationStatusCommand({ KeyId: m.KeyId }));
    assert.equal(s.KeyRotationEnabled, true);
    assert.equal(s.RotationPeriodInDays, 90);
    assert.equal(s.KeyId, m.Arn);
    assert.ok(Math.abs(s.NextRotationDate!.getTime() - (Date.now() + 90 * 86_400_000)) < 120_000);
    assert.equal(await errorName(kms.send(new K.EnableKeyRotationCommand({ KeyId: m.KeyId, RotationPeriodInDays: 3 }))), 'ValidationException');
    await kms.send(new K.DisableKeyRotationCommand({ KeyId: m.KeyId }));
    assert.equal((await kms.send(new K.GetKeyRotationStatusCommand({ KeyId: m.KeyId }))).KeyRotationEnabled, false);
  });

  test('RotateKeyOnDemand adds rotations listed by the ListKeyRotations paginator; old ciphertexts still decrypt', async () => {
    const m = await newKey();
    const old = await kms.send(new K.EncryptCommand({ KeyId: m.KeyId, Plaintext: Buffer.from('before rotation') }));
    for (let i = 0; i < 3; i++) assert.equal((await kms.send(new K.RotateKeyOnDemandCommand({ KeyId: m.KeyId }))).KeyId, m.Arn);
    const pages = await collect(K.paginateListKeyRotations({ client: kms, pageSize: 2 }, { KeyId: m.KeyId }));
    const rotations = pages.flatMap((p) => p.Rotations!);
    assert.equal(rotations.length, 3);
    assert.ok(rotations.every((r) => r.RotationType === 'ON_DEMAND' && r.RotationDate instanceof Date && r.KeyId === m.KeyId));
    const d = await kms.send(new K.DecryptCommand({ CiphertextBlob: old.CiphertextBlob }));
    assert.equal(utf8(d.Plaintext), 'before rotation');
  });
});

describe('cryptographic operations', () => {
  test('Encrypt and Decrypt with an encryption context; the wrong context is InvalidCiphertextException', async () => {
    const m = await newKey();
    const ctx = { purpose: 'test' };
    const e = await kms.send(new K.EncryptCommand({ KeyId: m.Arn, Plaintext: Buffer.from('hello'), EncryptionContext: ctx }));
    assert.equal(e.KeyId, m.Arn);
    assert.equal(e.EncryptionAlgorithm, 'SYMMETRIC_DEFAULT');
    const d = await kms.send(new K.DecryptCommand({ CiphertextBlob: e.CiphertextBlob, EncryptionContext: ctx }));
    assert.equal(utf8(d.Plaintext), 'hello');
    assert.equal(d.KeyId, m.Arn);
    assert.equal(
      await errorName(kms.send(new K.DecryptCommand({ CiphertextBlob: e.CiphertextBlob, EncryptionContext: { purpose: 'other' } }))),
      'InvalidCiphertextException',
    );
    assert.equal(await errorName(kms.send(new K.DecryptCommand({ CiphertextBlob: Buffer.from('garbage') }))), 'InvalidCiphertextException');
    const other = await newKey();
    assert.equal(
      await errorName(kms.send(new K.DecryptCommand({ CiphertextBlob: e.CiphertextBlob, EncryptionContext: ctx, KeyId: other.Arn }))),
      'IncorrectKeyException',
    );
  });

  test('ReEncrypt moves a ciphertext to another key without showing the plaintext', async () => {
    const a = await newKey();
    const b = await newKey();
    const e = await kms.send(new K.EncryptCommand({ KeyId: a.KeyId, Plaintext: Buffer.from('move me') }));
    const r = await kms.send(new K.ReEncryptCommand({ CiphertextBlob: e.CiphertextBlob, DestinationKeyId: b.Arn, DestinationEncryptionContext: { to: 'b' } }));
    assert.deepEqual([r.SourceKeyId, r.KeyId], [a.Arn, b.Arn]);
    const d = await kms.send(new K.DecryptCommand({ CiphertextBlob: r.CiphertextBlob, EncryptionContext: { to: 'b' } }));
    assert.deepEqual([utf8(d.Plaintext), d.KeyId], ['move me', b.Arn]);
  });

  test('GenerateDataKey (KeySpec or NumberOfBytes) and GenerateDataKeyWithoutPlaintext decrypt to their data keys', async () => {
    const m = await newKey();
    const g = await kms.send(new K.GenerateDataKeyCommand({ KeyId: m.KeyId, KeySpec: 'AES_256' }));
    assert.equal(g.Plaintext!.length, 32);
    assert.equal(g.KeyId, m.Arn);
    assert.deepEqual(Buffer.from((await kms.send(new K.DecryptCommand({ CiphertextBlob: g.CiphertextBlob }))).Plaintext!), Buffer.from(g.Plaintext!));
    assert.equal((await kms.send(new K.GenerateDataKeyCommand({ KeyId: m.KeyId, NumberOfBytes: 7 }))).Plaintext!.length, 7);
    const w = await kms.send(new K.GenerateDataKeyWithoutPlaintextCommand({ KeyId: m.KeyId, KeySpec: 'AES_128' }));
    assert.equal((w as { Plaintext?: unknown }).Plaintext, undefined);
    assert.equal((await kms.send(new K.DecryptCommand({ CiphertextBlob: w.CiphertextBlob }))).Plaintext!.length, 16);
  });

  test('GenerateRandom returns the bytes asked for, 1 to 1024', async () => {
    const a = await kms.send(new K.GenerateRandomCommand({ NumberOfBytes: 64 }));
    const b = await kms.send(new K.GenerateRandomCommand({ NumberOfBytes: 64 }));
    assert.equal(a.Plaintext!.length, 64);
    assert.notDeepEqual(Buffer.from(a.Plaintext!), Buffer.from(b.Plaintext!));
    assert.equal(await errorName(kms.send(new K.GenerateRandomCommand({ NumberOfBytes: 1025 }))), 'ValidationException');
  });
});

describe('tags', () => {
  test('Tags on CreateKey, TagResource, UntagResource and the ListResourceTags paginator', async () => {
    const m = await newKey({ Tags: [{ TagKey: 'team', TagValue: 'a' }] });
    await kms.send(
      new K.TagResourceCommand({
        KeyId: m.Arn,
        Tags: [
          { TagKey: 'env', TagValue: 'dev' },
          { TagKey: 'team', TagValue: 'b' },
          { TagKey: 'cost', TagValue: '' },
        ],
      }),
    );
    const pages = await collect(K.paginateListResourceTags({ client: kms, pageSize: 2 }, { KeyId: m.KeyId }));
    assert.deepEqual(
      pages.flatMap((p) => p.Tags),
      [
        { TagKey: 'cost', TagValue: '' },
        { TagKey: 'env', TagValue: 'dev' },
        { TagKey: 'team', TagValue: 'b' },
      ],
    );
    await kms.send(new K.UntagResourceCommand({ KeyId: m.KeyId, TagKeys: ['env', 'cost'] }));
    assert.deepEqual((await kms.send(new K.ListResourceTagsCommand({ KeyId: m.KeyId }))).Tags, [{ TagKey: 'team', TagValue: 'b' }]);
  });

  test('reserved, oversized or too many tags are TagException and change nothing', async () => {
    const m = await newKey();
    assert.equal(await errorName(kms.send(new K.TagResourceCommand({ KeyId: m.KeyId, Tags: [{ TagKey: 'aws:x', TagValue: 'y' }] }))), 'TagException');
    assert.equal(await errorName(kms.send(new K.TagResourceCommand({ KeyId: m.KeyId, Tags: [{ TagKey: 'k'.repeat(129), TagValue: 'y' }] }))), 'TagException');
    const fifty = Array.from({ length: 50 }, (_, i) => ({ TagKey: `t${i}`, TagValue: 'v' }));
    await kms.send(new K.TagResourceCommand({ KeyId: m.KeyId, Tags: fifty }));
    assert.equal(await errorName(kms.send(new K.TagResourceCommand({ KeyId: m.KeyId, Tags: [{ TagKey: 'one-more', TagValue: 'v' }] }))), 'TagException');
    assert.equal((await kms.send(new K.ListResourceTagsCommand({ KeyId: m.KeyId }))).Tags!.length, 50);
  });
});

describe('what the vault does not offer', () => {
  test('asymmetric keys, grants, key policies and custom key stores are UnsupportedOperationException', async () => {
    assert.equal(await errorName(kms.send(new K.CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }))), 'UnsupportedOperationException');
    assert.equal(await errorName(kms.send(new K.CreateKeyCommand({ Policy: '{}' }))), 'UnsupportedOperationException');
    const m = await newKey();
    assert.equal(
      await errorName(kms.send(new K.CreateGrantCommand({ KeyId: m.KeyId, GranteePrincipal: 'x', Operations: ['Encrypt'] }))),
      'UnsupportedOperationException',
    );
    assert.equal(await errorName(kms.send(new K.GetKeyPolicyCommand({ KeyId: m.KeyId, PolicyName: 'default' }))), 'UnsupportedOperationException');
    assert.equal(await errorName(kms.send(new K.DescribeCustomKeyStoresCommand({}))), 'UnsupportedOperationException');
    assert.equal(
      await errorName(kms.send(new K.SignCommand({ KeyId: m.KeyId, Message: Buffer.from('m'), SigningAlgorithm: 'RSASSA_PSS_SHA_256' }))),
      'UnsupportedOperationException',
    );
  });

  test('an X-Amz-Target that is no KMS operation is UnknownOperationException', async () => {
    const client = served.client(await served.credentials());
    client.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { headers: Record<string, string> }).headers['x-amz-target'] = 'TrentService.MakeCoffee';
        return next(args);
      },
      { step: 'build' },
    );
    assert.equal(await errorName(client.send(new K.ListKeysCommand({}))), 'UnknownOperationException');
  });
});
