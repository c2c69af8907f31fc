/**
 * Every `keyvault` command on a real vault (real OS keychain, real files): the happy path and the
 * shape of what it prints.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type * as Api from '../../../main/core/api.js';
import { b64, CliVault, DAY_MS, assertBuilt } from '../../support/cliHarness.js';

const vault = new CliVault('kv-cli-commands-');
let defaultKeyId = '';

before(async () => {
  assertBuilt();
  const aliases = await vault.ok<Api.ListAliasesResponse>(['list-aliases']);
  defaultKeyId = aliases.Aliases.find((a) => a.AliasName === 'alias/keyvault/default')!.TargetKeyId;
});
after(() => vault.destroy());

const createKey = async (...args: string[]): Promise<Api.KeyMetadata> => (await vault.ok<Api.KeyMetadataResponse>(['create-key', ...args])).KeyMetadata;

describe('output format', () => {
  test('success prints exactly one JSON document indented with two spaces and nothing on stderr', async () => {
    const r = await vault.run(['list-keys']);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, JSON.stringify(JSON.parse(r.stdout), null, 2) + '\n');
  });

  test('help exits 0 with the command list on stdout without opening any vault', async () => {
    const r = await vault.run(['help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /create-key/);
  });

  test('a usage error exits 252 with UsageError JSON on stderr', async () => {
    const r = await vault.run(['encrypt', '--key-id', defaultKeyId, '--plaintext', 'aGk=', '--encryption-context', '{oops']);
    assert.equal(r.code, 252);
    assert.equal(r.stdout, '');
    const err = JSON.parse(r.stderr) as { __type: string; message: string; hint: string };
    assert.equal(err.__type, 'UsageError');
    assert.match(err.message, /--encryption-context is not valid JSON/);
  });
});

describe('keys', () => {
  test('create-key without flags makes an enabled VAULT key with rotation off', async () => {
    const k = await createKey();
    assert.equal(k.KeyState, 'Enabled');
    assert.equal(k.Enabled, true);
    assert.equal(k.Origin, 'VAULT');
    assert.equal(k.KeyManager, 'CUSTOMER');
    assert.equal(k.KeySpec, 'SYMMETRIC_DEFAULT');
    assert.equal(k.AutomaticRotation, 'Disabled');
    assert.equal(k.NextRotationDate, undefined);
    assert.ok(k.Arn.endsWith(`:key/${k.KeyId}`));
    assert.deepEqual(k.Aliases, []);
  });

  test('create-key with rotation, interval, description and alias reports them all', async () => {
    const k = await createKey('--description', 'tax documents', '--enable-automatic-rotation', '--rotation-interval=30d', '--alias-name', 'alias/taxes');
    assert.equal(k.Description, 'tax documents');
    assert.equal(k.AutomaticRotation, 'Enabled');
    assert.equal(k.RotationInterval, '2592000s');
    assert.equal(Date.parse(k.NextRotationDate!) - Date.parse(k.CreationDate), 30 * DAY_MS);
    assert.deepEqual(k.Aliases, ['alias/taxes']);
  });

  test('describe-key finds the same key by id, ARN, alias name and alias ARN', async () => {
    const k = await createKey('--alias-name', 'alias/described');
    const aliasArn = k.Arn.replace(`key/${k.KeyId}`, 'alias/described');
    for (const id of [k.KeyId, k.Arn, 'alias/described', aliasArn]) {
      const d = await vault.ok<Api.KeyMetadataResponse>(['describe-key', '--key-id', id]);
      assert.deepEqual(d.KeyMetadata, k);
    }
  });

  test('list-keys lists KeyId and KeyArn of every key, the default key included', async () => {
    const k = await createKey();
    const list = await vault.ok<Api.ListKeysResponse>(['list-keys']);
    assert.ok(list.Keys.some((e) => e.KeyId === defaultKeyId));
    const entry = list.Keys.find((e) => e.KeyId === k.KeyId);
    assert.deepEqual(entry, { KeyId: k.KeyId, KeyArn: k.Arn });
    for (const e of list.Keys) assert.deepEqual(Object.keys(e), ['KeyId', 'KeyArn']);
  });

  test('disable-key then enable-key switch the key state and report the metadata', async () => {
    const k = await createKey();
    const disabled = await vault.ok<Api.KeyMetadataResponse>(['disable-key', '--key-id', k.KeyId]);
    assert.equal(disabled.KeyMetadata.KeyState, 'Disabled');
    assert.equal(disabled.KeyMetadata.Enabled, false);
    const enabled = await vault.ok<Api.KeyMetadataResponse>(['enable-key', '--key-id', k.KeyId]);
    assert.equal(enabled.KeyMetadata.KeyState, 'Enabled');
  });

  test('schedule-key-deletion reports the deletion date and cancel-key-deletion brings the key back disabled', async () => {
    const k = await createKey();
    const scheduled = await vault.ok<Api.ScheduleKeyDeletionResponse>(['schedule-key-deletion', '--key-id', k.KeyId, '--pending-window-in-days', '7']);
    assert.deepEqual(Object.keys(scheduled).sort(), ['DeletionDate', 'KeyId', 'KeyState', 'PendingWindowInDays']);
    assert.equal(scheduled.KeyId, k.Arn);
    assert.equal(scheduled.KeyState, 'PendingDeletion');
    assert.equal(scheduled.PendingWindowInDays, 7);
    const cancelled = await vault.ok<Api.CancelKeyDeletionResponse>(['cancel-key-deletion', '--key-id', k.KeyId]);
    assert.deepEqual(cancelled, { KeyId: k.Arn });
    const d = await vault.ok<Api.KeyMetadataResponse>(['describe-key', '--key-id', k.KeyId]);
    assert.equal(d.KeyMetadata.KeyState, 'Disabled');
    assert.equal(d.KeyMetadata.DeletionDate, undefined);
  });
});

describe('aliases', () => {
  test('create-alias prints {} and the alias appears in list-aliases with its ARN', async () => {
    const k = await createKey();
    assert.deepEqual(await vault.ok(['create-alias', '--alias-name', 'alias/project/x', '--target-key-id', k.KeyId]), {});
    const list = await vault.ok<Api.ListAliasesResponse>(['list-aliases']);
    const entry = list.Aliases.find((a) => a.AliasName === 'alias/project/x');
    assert.ok(entry);
    assert.equal(entry.TargetKeyId, k.KeyId);
    assert.equal(entry.AliasArn, k.Arn.replace(`key/${k.KeyId}`, 'alias/project/x'));
    assert.ok(list.Aliases.some((a) => a.AliasName === 'alias/keyvault/default'));
  });

  test('delete-alias prints {} and the alias is gone while the key stays', async () => {
    const k = await createKey('--alias-name', 'alias/short-lived');
    assert.deepEqual(await vault.ok(['delete-alias', '--alias-name', 'alias/short-lived']), {});
    const list = await vault.ok<Api.ListAliasesResponse>(['list-aliases']);
    assert.ok(!list.Aliases.some((a) => a.AliasName === 'alias/short-lived'));
    await vault.ok(['describe-key', '--key-id', k.KeyId]);
  });
});

describe('rotation', () => {
  test('enable-key-rotation with a period turns rotation on and get-key-rotation-status reports it', async () => {
    const k = await createKey();
    assert.deepEqual(await vault.ok(['enable-key-rotation', '--key-id', k.KeyId, '--rotation-period-in-days', '90']), {});
    const status = await vault.ok<Api.GetKeyRotationStatusResponse>(['get-key-rotation-status', '--key-id', k.KeyId]);
    assert.equal(status.KeyId, k.Arn);
    assert.equal(status.KeyRotationEnabled, true);
    assert.equal(status.RotationPeriodInDays, 90);
    assert.ok(status.NextRotationDate);
  });

  test('disable-key-rotation turns rotation off', async () => {
    const k = await createKey('--enable-automatic-rotation');
    assert.deepEqual(await vault.ok(['disable-key-rotation', '--key-id', k.KeyId]), {});
    const status = await vault.ok<Api.GetKeyRotationStatusResponse>(['get-key-rotation-status', '--key-id', k.KeyId]);
    assert.deepEqual(status, { KeyId: k.Arn, KeyRotationEnabled: false });
  });

  test('update-rotation-policy sets rotation on with an interval, and off again', async () => {
    const k = await createKey();
    const on = await vault.ok<Api.KeyMetadataResponse>([
      'update-rotation-policy',
      '--key-id',
      k.KeyId,
      '--enable-automatic-rotation',
      'true',
      '--rotation-interval',
      '720h',
    ]);
    assert.equal(on.KeyMetadata.AutomaticRotation, 'Enabled');
    assert.equal(on.KeyMetadata.RotationInterval, '2592000s');
    const off = await vault.ok<Api.KeyMetadataResponse>(['update-rotation-policy', '--key-id', k.KeyId, '--enable-automatic-rotation=false']);
    assert.equal(off.KeyMetadata.AutomaticRotation, 'Disabled');
  });

  test('rotate-key-on-demand adds a primary version seen by list-key-rotations, list-key-versions and describe-key-version', async () => {
    const k = await createKey();
    const rotated = await vault.ok<Api.RotateKeyOnDemandResponse>(['rotate-key-on-demand', '--key-id', k.KeyId]);
    assert.equal(rotated.KeyId, k.Arn);
    assert.notEqual(rotated.KeyVersionId, k.PrimaryKeyVersion);

    const rotations = await vault.ok<Api.ListKeyRotationsResponse>(['list-key-rotations', '--key-id', k.KeyId]);
    assert.equal(rotations.Rotations.length, 1);
    assert.equal(rotations.Rotations[0]!.KeyVersionId, rotated.KeyVersionId);
    assert.equal(rotations.Rotations[0]!.RotationType, 'ON_DEMAND');

    const versions = await vault.ok<Api.ListKeyVersionsResponse>(['list-key-versions', '--key-id', k.KeyId]);
    assert.deepEqual(
      versions.KeyVersions.map((v) => [v.KeyVersionId, v.RotationType, v.IsPrimary]),
      [
        [k.PrimaryKeyVersion, 'INITIAL', false],
        [rotated.KeyVersionId, 'ON_DEMAND', true],
      ],
    );

    const one = await vault.ok<Api.DescribeKeyVersionResponse>(['describe-key-version', '--key-id', k.KeyId, '--key-version-id', rotated.KeyVersionId]);
    assert.deepEqual(one.KeyVersion, versions.KeyVersions[1]);
  });

  test('import-key-material from a fileb:// file enables an EXTERNAL key that then encrypts', async () => {
    const k = await createKey('--origin', 'EXTERNAL');
    assert.equal(k.KeyState, 'PendingImport');
    const file = join(vault.dir, 'material.bin');
    writeFileSync(file, randomBytes(32));
    const imported = await vault.ok<Api.KeyMetadataResponse>(['import-key-material', '--key-id', k.KeyId, '--key-material', `fileb://${file}`]);
    assert.equal(imported.KeyMetadata.KeyState, 'Enabled');
    assert.equal(imported.KeyMetadata.Origin, 'EXTERNAL');
    const enc = await vault.ok<Api.EncryptResponse>(['encrypt', '--key-id', k.KeyId, '--plaintext', b64('imported')]);
    const dec = await vault.ok<Api.DecryptResponse>(['decrypt', '--ciphertext-blob', enc.CiphertextBlob]);
    assert.equal(Buffer.from(dec.Plaintext, 'base64').toString(), 'imported');
  });
});

describe('cryptographic operations', () => {
  test('encrypt then decrypt with an encryption context gives the plaintext back', async () => {
    const k = await createKey();
    const context = '{"purpose":"test","user":"me"}';
    const enc = await vault.ok<Api.EncryptResponse>(['encrypt', '--key-id', k.KeyId, '--plaintext', b64('attack at dawn'), '--encryption-context', context]);
    assert.deepEqual(Object.keys(enc), ['CiphertextBlob', 'KeyId', 'KeyVersionId']);
    assert.equal(enc.KeyId, k.Arn);
    assert.equal(enc.KeyVersionId, k.PrimaryKeyVersion);
    const dec = await vault.ok<Api.DecryptResponse>([
      'decrypt',
      '--ciphertext-blob',
      enc.CiphertextBlob,
      '--encryption-context',
      '{"user":"me","purpose":"test"}',
    ]);
    assert.deepEqual(Object.keys(dec), ['Plaintext', 'KeyId', 'KeyVersionId']);
    assert.equal(Buffer.from(dec.Plaintext, 'base64').toString(), 'attack at dawn');
    assert.equal(dec.KeyId, k.Arn);
  });

  test('encrypt reads raw bytes with fileb:// and decrypt reads a raw blob with fileb://', async () => {
    const bytes = randomBytes(4096);
    const plainFile = join(vault.dir, 'plain.bin');
    const blobFile = join(vault.dir, 'blob.bin');
    writeFileSync(plainFile, bytes);
    const enc = await vault.ok<Api.EncryptResponse>(['encrypt', '--key-id', 'alias/keyvault/default', '--plaintext', `fileb://${plainFile}`]);
    writeFileSync(blobFile, Buffer.from(enc.CiphertextBlob, 'base64'));
    const dec = await vault.ok<Api.DecryptResponse>(['decrypt', `--ciphertext-blob=fileb://${blobFile}`]);
    assert.ok(Buffer.from(dec.Plaintext, 'base64').equals(bytes));
  });

  test('decrypt with --key-id of another key is refused with IncorrectKeyException', async () => {
    const enc = await vault.ok<Api.EncryptResponse>(['encrypt', '--key-id', defaultKeyId, '--plaintext', b64('x')]);
    const other = await createKey();
    await vault.fails(['decrypt', '--ciphertext-blob', enc.CiphertextBlob, '--key-id', other.KeyId], 'IncorrectKeyException');
  });

  test('re-encrypt moves a blob to another key and context without changing the plaintext', async () => {
    const source = await createKey();
    const enc = await vault.ok<Api.EncryptResponse>(['encrypt', '--key-id', source.KeyId, '--plaintext', b64('moving'), '--encryption-context', '{"a":"1"}']);
    const re = await vault.ok<Api.ReEncryptResponse>([
      're-encrypt',
      '--ciphertext-blob',
      enc.CiphertextBlob,
      '--source-encryption-context',
      '{"a":"1"}',
      '--destination-key-id',
      'alias/keyvault/default',
      '--destination-encryption-context',
      '{"b":"2"}',
      '--source-key-id',
      source.KeyId,
    ]);
    assert.deepEqual(Object.keys(re), ['CiphertextBlob', 'SourceKeyId', 'SourceKeyVersionId', 'KeyId', 'KeyVersionId']);
    assert.equal(re.SourceKeyId, source.Arn);
    assert.ok(re.KeyId.endsWith(defaultKeyId));
    const dec = await vault.ok<Api.DecryptResponse>(['decrypt', '--ciphertext-blob', re.CiphertextBlob, '--encryption-context', '{"b":"2"}']);
    assert.equal(Buffer.from(dec.Plaintext, 'base64').toString(), 'moving');
  });

  test('generate-data-key returns a 32-byte AES_256 key whose blob decrypts to the same key', async () => {
    const dk = await vault.ok<Api.GenerateDataKeyResponse>([
      'generate-data-key',
      '--key-id',
      defaultKeyId,
      '--key-spec',
      'AES_256',
      '--encryption-context',
      '{"f":"x"}',
    ]);
    assert.deepEqual(Object.keys(dk), ['CiphertextBlob', 'Plaintext', 'KeyId', 'KeyVersionId']);
    assert.equal(Buffer.from(dk.Plaintext, 'base64').length, 32);
    const dec = await vault.ok<Api.DecryptResponse>(['decrypt', '--ciphertext-blob', dk.CiphertextBlob, '--encryption-context', '{"f":"x"}']);
    assert.equal(dec.Plaintext, dk.Plaintext);
  });

  test('generate-data-key --number-of-bytes gives a key of that length', async () => {
    const dk = await vault.ok<Api.GenerateDataKeyResponse>(['generate-data-key', '--key-id', defaultKeyId, '--number-of-bytes', '16']);
    assert.equal(Buffer.from(dk.Plaintext, 'base64').length, 16);
  });

  test('generate-data-key-without-plaintext returns only the encrypted data key', async () => {
    const dk = await vault.ok<Api.GenerateDataKeyWithoutPlaintextResponse>([
      'generate-data-key-without-plaintext',
      '--key-id',
      defaultKeyId,
      '--key-spec',
      'AES_128',
    ]);
    assert.deepEqual(Object.keys(dk), ['CiphertextBlob', 'KeyId', 'KeyVersionId']);
    const dec = await vault.ok<Api.DecryptResponse>(['decrypt', '--ciphertext-blob', dk.CiphertextBlob]);
    assert.equal(Buffer.from(dec.Plaintext, 'base64').length, 16);
  });
});

describe('the vault', () => {
  test('list-audit-events filters by key, limits the count and shows metadata only', async () => {
    const k = await createKey();
    await vault.ok(['encrypt', '--key-id', k.KeyId, '--plaintext', b64('secret words')]);
    await vault.ok(['describe-key', '--key-id', k.KeyId]);
    const all = await vault.ok<Api.ListAuditEventsResponse>(['list-audit-events', '--key-id', k.KeyId]);
    assert.ok(all.Events.length >= 3);
    assert.ok(all.Events.every((e) => e.KeyId === k.KeyId));
    assert.equal(all.Events[0]!.Operation, 'DescribeKey');
    assert.ok(all.Events.some((e) => e.Operation === 'Encrypt' && e.Outcome === 'Success'));
    const limited = await vault.ok<Api.ListAuditEventsResponse>(['list-audit-events', '--key-id', k.KeyId, '--limit', '1']);
    assert.equal(limited.Events.length, 1);
    assert.ok(!JSON.stringify(all).includes(b64('secret words')));
  });

  test('vault-info reports the vault id, directory, keychain status and key count', async () => {
    const info = await vault.ok<Api.VaultInfo>(['vault-info']);
    const keys = await vault.ok<Api.ListKeysResponse>(['list-keys']);
    assert.equal(info.VaultId, vault.vaultId());
    assert.equal(info.VaultDirectory, vault.dir);
    assert.equal(info.KeychainStatus, 'Available');
    assert.equal(info.KeyCount, keys.Keys.length);
  });

  test('run-maintenance with nothing due reports no rotations and no deletions', async () => {
    assert.deepEqual(await vault.ok(['run-maintenance']), { Rotated: [], Deleted: [] });
  });
});
