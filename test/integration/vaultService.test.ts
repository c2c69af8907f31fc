/** The vault service on a real store in a temp directory with the real OS keychain. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../main/core/clock.js';
import { KmsError } from '../../main/core/errors.js';
import type { RotationEvent } from '../../main/core/api.js';
import { createTempVault, b64, text, type TempVault } from '../support/tempVault.js';

const clock = new ManualClock('2026-01-01T00:00:00.000Z');
let v: TempVault;

before(async () => {
  v = await createTempVault({ clock });
});
after(async () => {
  await v.cleanup();
});

async function rejectsWith(p: Promise<unknown>, type: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof KmsError, `expected KmsError, got ${String(err)}`);
    assert.equal(err.__type, type, err.message);
    return true;
  });
}

test('a new vault holds the app-managed default key under alias/keyvault/default with rotation always on', async () => {
  const { KeyMetadata: m } = await v.service.describeKey({ KeyId: 'alias/keyvault/default' });
  assert.equal(m.KeyManager, 'VAULT');
  assert.equal(m.AutomaticRotation, 'Enabled');
  assert.equal(m.RotationInterval, `${365 * 86400}s`);
  const status = await v.service.getKeyRotationStatus({ KeyId: m.KeyId });
  assert.equal(status.KeyRotationEnabled, true);
});

test('the default key cannot be disabled, deleted or have its rotation changed', async () => {
  const id = 'alias/keyvault/default';
  await rejectsWith(v.service.disableKey({ KeyId: id }), 'UnsupportedOperationException');
  await rejectsWith(v.service.scheduleKeyDeletion({ KeyId: id }), 'UnsupportedOperationException');
  await rejectsWith(v.service.disableKeyRotation({ KeyId: id }), 'UnsupportedOperationException');
  await rejectsWith(v.service.updateRotationPolicy({ KeyId: id, EnableAutomaticRotation: true, RotationInterval: '30d' }), 'UnsupportedOperationException');
});

test('creating a key gives it an ARN, an initial primary version and the requested schedule', async () => {
  const { KeyMetadata: m } = await v.service.createKey({
    Description: 'payroll',
    EnableAutomaticRotation: true,
    RotationInterval: '30d',
    AliasName: 'alias/payroll',
  });
  assert.match(m.Arn, new RegExp(`^arn:keyvault:kms:local:${v.service.vaultId}:key/${m.KeyId}$`));
  assert.equal(m.KeyState, 'Enabled');
  assert.equal(m.RotationInterval, '2592000s');
  assert.equal(m.NextRotationDate, '2026-01-31T00:00:00.000Z');
  assert.equal(m.LastRotationDate, m.CreationDate);
  const versions = await v.service.listKeyVersions({ KeyId: 'alias/payroll' });
  assert.equal(versions.KeyVersions.length, 1);
  assert.equal(versions.KeyVersions[0]!.KeyVersionId, m.PrimaryKeyVersion);
  assert.equal(versions.KeyVersions[0]!.RotationType, 'INITIAL');
});

test('encrypt then decrypt returns the plaintext and names the version used', async () => {
  const { KeyMetadata: m } = await v.service.createKey({});
  const enc = await v.service.encrypt({ KeyId: m.KeyId, Plaintext: b64('hello') });
  assert.equal(enc.KeyVersionId, m.PrimaryKeyVersion);
  const dec = await v.service.decrypt({ CiphertextBlob: enc.CiphertextBlob });
  assert.equal(text(dec.Plaintext), 'hello');
  assert.equal(dec.KeyId, m.Arn);
});

test('after rotation Encrypt uses the new primary and old ciphertexts still decrypt with their version', async () => {
  const { KeyMetadata: m } = await v.service.createKey({});
  const old = await v.service.encrypt({ KeyId: m.KeyId, Plaintext: b64('before') });
  const rot = await v.service.rotateKeyOnDemand({ KeyId: m.KeyId });
  const fresh = await v.service.encrypt({ KeyId: m.KeyId, Plaintext: b64('after') });
  assert.equal(fresh.KeyVersionId, rot.KeyVersionId);
  assert.notEqual(old.KeyVersionId, rot.KeyVersionId);
  const dec = await v.service.decrypt({ CiphertextBlob: old.CiphertextBlob });
  assert.equal(text(dec.Plaintext), 'before');
  assert.equal(dec.KeyVersionId, old.KeyVersionId);
});

test('the encryption context must match exactly, in any key order', async () => {
  const { KeyMetadata: m } = await v.service.createKey({});
  const enc = await v.service.encrypt({ KeyId: m.KeyId, Plaintext: b64('x'), EncryptionContext: { a: '1', b: '2' } });
  const ok = await v.service.decrypt({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { b: '2', a: '1' } });
  assert.equal(text(ok.Plaintext), 'x');
  await rejectsWith(v.service.decrypt({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { a: '1' } }), 'InvalidCiphertextException');
  await rejectsWith(v.service.decrypt({ CiphertextBlob: enc.CiphertextBlob }), 'InvalidCiphertextException');
});

test('changing any single byte of a ciphertext blob is rejected whole', async () => {
  const { KeyMetadata: m } = await v.service.createKey({});
  const enc = await v.service.encrypt({ KeyId: m.KeyId, Plaintext: b64('secret') });
  const raw = Buffer.from(enc.CiphertextBlob, 'base64');
  for (let i = 0; i < raw.length; i++) {
    const bad = Buffer.from(raw);
    bad[i] = bad[i]! ^ 0x01;
    // Bytes 1..16 are the key id: a changed one names a key this vault does not have, which is
    // NotFoundException, the same answer as for a deleted key (issue 9).
    const expected = i >= 1 && i <= 16 ? 'NotFoundException' : 'InvalidCiphertextException';
    await rejectsWith(v.service.decrypt({ CiphertextBlob: bad.toString('base64') }), expected);
  }
  await rejectsWith(v.service.decrypt({ CiphertextBlob: raw.subarray(0, raw.length - 1).toString('base64') }), 'InvalidCiphertextException');
  await rejectsWith(v.service.decrypt({ CiphertextBlob: 'not base64!' }), 'InvalidCiphertextException');
});

test('plaintext must be 1 to 4096 bytes', async () => {
  const { KeyMetadata: m } = await v.service.createKey({});
  await rejectsWith(v.service.encrypt({ KeyId: m.KeyId, Plaintext: '' }), 'ValidationException');
  await rejectsWith(v.service.encrypt({ KeyId: m.KeyId, Plaintext: b64(Buffer.alloc(4097)) }), 'ValidationException');
  const max = await v.service.encrypt({ KeyId: m.KeyId, Plaintext: b64(Buffer.alloc(4096, 7)) });
  assert.equal(Buffer.from((await v.service.decrypt({ CiphertextBlob: max.CiphertextBlob })).Plaintext, 'base64').length, 4096);
});

test('decrypt with a KeyId that is not the blob key is IncorrectKeyException', async () => {
  const a = (await v.service.createKey({})).KeyMetadata;
  const b = (await v.service.createKey({})).KeyMetadata;
  const enc = await v.service.encrypt({ KeyId: a.KeyId, Plaintext: b64('x') });
  await rejectsWith(v.service.decrypt({ CiphertextBlob: enc.CiphertextBlob, KeyId: b.KeyId }), 'IncorrectKeyException');
});

test('ReEncrypt moves a ciphertext to the primary of another key without exposing the plaintext', async () => {
  const a = (await v.service.createKey({})).KeyMetadata;
  const b = (await v.service.createKey({})).KeyMetadata;
  const enc = await v.service.encrypt({ KeyId: a.KeyId, Plaintext: b64('moving'), EncryptionContext: { p: '1' } });
  const re = await v.service.reEncrypt({ CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: { p: '1' }, DestinationKeyId: b.Arn });
  assert.equal(re.SourceKeyId, a.Arn);
  assert.equal(re.KeyId, b.Arn);
  assert.equal(re.KeyVersionId, b.PrimaryKeyVersion);
  assert.equal('Plaintext' in re, false);
  assert.equal(text((await v.service.decrypt({ CiphertextBlob: re.CiphertextBlob })).Plaintext), 'moving');
});

test('GenerateDataKey returns a data key and its ciphertext; sizes come from KeySpec or NumberOfBytes', async () => {
  const { KeyMetadata: m } = await v.service.createKey({});
  const dk = await v.service.generateDataKey({ KeyId: m.KeyId, KeySpec: 'AES_256' });
  assert.equal(Buffer.from(dk.Plaintext, 'base64').length, 32);
  assert.equal((await v.service.decrypt({ CiphertextBlob: dk.CiphertextBlob })).Plaintext, dk.Plaintext);
  const small = await v.service.generateDataKey({ KeyId: m.KeyId, NumberOfBytes: 1 });
  assert.equal(Buffer.from(small.Plaintext, 'base64').length, 1);
  const np = await v.service.generateDataKeyWithoutPlaintext({ KeyId: m.KeyId, KeySpec: 'AES_128' });
  assert.equal('Plaintext' in np, false);
  assert.equal(Buffer.from((await v.service.decrypt({ CiphertextBlob: np.CiphertextBlob })).Plaintext, 'base64').length, 16);
  await rejectsWith(v.service.generateDataKey({ KeyId: m.KeyId }), 'ValidationException');
  await rejectsWith(v.service.generateDataKey({ KeyId: m.KeyId, KeySpec: 'AES_256', NumberOfBytes: 32 }), 'ValidationException');
  await rejectsWith(v.service.generateDataKey({ KeyId: m.KeyId, NumberOfBytes: 1025 }), 'ValidationException');
});

test('a disabled key refuses crypto with DisabledException and shows AutomaticRotation Suspended', async () => {
  const { KeyMetadata: m } = await v.service.createKey({ EnableAutomaticRotation: true, RotationInterval: '30d' });
  const enc = await v.service.encrypt({ KeyId: m.KeyId, Plaintext: b64('x') });
  const d = (await v.service.disableKey({ KeyId: m.KeyId })).KeyMetadata;
  assert.equal(d.AutomaticRotation, 'Suspended');
  assert.equal(d.NextRotationDate, undefined);
  assert.equal((await v.service.getKeyRotationStatus({ KeyId: m.KeyId })).KeyRotationEnabled, true);
  await rejectsWith(v.service.encrypt({ KeyId: m.KeyId, Plaintext: b64('x') }), 'DisabledException');
  await rejectsWith(v.service.decrypt({ CiphertextBlob: enc.CiphertextBlob }), 'DisabledException');
  await rejectsWith(v.service.enableKeyRotation({ KeyId: m.KeyId }), 'DisabledException');
  await rejectsWith(v.service.updateRotationPolicy({ KeyId: m.KeyId, EnableAutomaticRotation: true }), 'DisabledException');
  await v.service.enableKey({ KeyId: m.KeyId });
  assert.equal(text((await v.service.decrypt({ CiphertextBlob: enc.CiphertextBlob })).Plaintext), 'x');
});

test('a disabled key never rotates; re-enabling it when overdue rotates it at once', async () => {
  const { KeyMetadata: m } = await v.service.createKey({ EnableAutomaticRotation: true, RotationInterval: '30d' });
  await v.service.disableKey({ KeyId: m.KeyId });
  clock.advanceDays(45);
  await v.service.runMaintenance();
  assert.equal((await v.service.listKeyVersions({ KeyId: m.KeyId })).KeyVersions.length, 1);
  const e = (await v.service.enableKey({ KeyId: m.KeyId })).KeyMetadata;
  assert.equal((await v.service.listKeyVersions({ KeyId: m.KeyId })).KeyVersions.length, 2);
  assert.equal(e.NextRotationDate, new Date(clock.now().getTime() + 30 * 86_400_000).toISOString());
  const rotations = await v.service.listKeyRotations({ KeyId: m.KeyId });
  assert.deepEqual(
    rotations.Rotations.map((r) => r.RotationType),
    ['AUTOMATIC'],
  );
});

test('catch-up rotates every due key exactly once however many intervals were missed', async () => {
  const keys = await Promise.all([1, 2, 3].map(() => v.service.createKey({ EnableAutomaticRotation: true, RotationInterval: '7d' })));
  const seen: RotationEvent[] = [];
  v.service.events.on('rotation', (e) => seen.push(e));
  clock.advanceDays(70);
  const revisionBefore = v.service.store.revision;
  const result = await v.service.runMaintenance();
  for (const k of keys) {
    assert.equal((await v.service.listKeyRotations({ KeyId: k.KeyMetadata.KeyId })).Rotations.length, 1);
    assert.ok(result.Rotated.some((r) => r.KeyId === k.KeyMetadata.KeyId));
  }
  assert.equal(v.service.store.revision, revisionBefore + 1, 'all rotations in one durable write');
  assert.ok(seen.length >= 3);
  const again = await v.service.runMaintenance();
  assert.equal(again.Rotated.length, 0);
});

test('shortening the interval so the next date has passed rotates now and restarts the schedule', async () => {
  const { KeyMetadata: m } = await v.service.createKey({ EnableAutomaticRotation: true, RotationInterval: '365d' });
  clock.advanceDays(40);
  const u = (await v.service.updateRotationPolicy({ KeyId: m.KeyId, EnableAutomaticRotation: true, RotationInterval: '30d' })).KeyMetadata;
  assert.equal((await v.service.listKeyRotations({ KeyId: m.KeyId })).Rotations.length, 1);
  assert.equal(u.NextRotationDate, new Date(clock.now().getTime() + 30 * 86_400_000).toISOString());
});

test('on-demand rotation does not move the schedule', async () => {
  const { KeyMetadata: m } = await v.service.createKey({ EnableAutomaticRotation: true, RotationInterval: '30d' });
  clock.advanceDays(3);
  await v.service.rotateKeyOnDemand({ KeyId: m.KeyId });
  const after = (await v.service.describeKey({ KeyId: m.KeyId })).KeyMetadata;
  assert.equal(after.NextRotationDate, m.NextRotationDate);
  assert.equal(after.LastRotationDate, clock.now().toISOString());
});

test('deletion: pending keys refuse use, report rotation false, cancel restores Disabled with the old status, and the window purges', async () => {
  const { KeyMetadata: m } = await v.service.createKey({ EnableAutomaticRotation: true, RotationInterval: '30d', AliasName: 'alias/doomed' });
  await rejectsWith(v.service.scheduleKeyDeletion({ KeyId: m.KeyId, PendingWindowInDays: 6 }), 'ValidationException');
  const s = await v.service.scheduleKeyDeletion({ KeyId: m.KeyId, PendingWindowInDays: 7 });
  assert.equal(s.KeyState, 'PendingDeletion');
  assert.equal((await v.service.getKeyRotationStatus({ KeyId: m.KeyId })).KeyRotationEnabled, false);
  await rejectsWith(v.service.encrypt({ KeyId: m.KeyId, Plaintext: b64('x') }), 'KMSInvalidStateException');
  await rejectsWith(v.service.enableKeyRotation({ KeyId: m.KeyId }), 'KMSInvalidStateException');
  await v.service.cancelKeyDeletion({ KeyId: m.KeyId });
  const c = (await v.service.describeKey({ KeyId: m.KeyId })).KeyMetadata;
  assert.equal(c.KeyState, 'Disabled');
  assert.equal((await v.service.getKeyRotationStatus({ KeyId: m.KeyId })).KeyRotationEnabled, true);
  await v.service.scheduleKeyDeletion({ KeyId: m.KeyId, PendingWindowInDays: 7 });
  clock.advanceDays(6);
  await v.service.runMaintenance();
  assert.equal((await v.service.describeKey({ KeyId: m.KeyId })).KeyMetadata.KeyState, 'PendingDeletion');
  clock.advanceDays(1);
  const r = await v.service.runMaintenance();
  assert.deepEqual(r.Deleted, [m.KeyId]);
  await rejectsWith(v.service.describeKey({ KeyId: m.KeyId }), 'NotFoundException');
  await rejectsWith(v.service.describeKey({ KeyId: 'alias/doomed' }), 'NotFoundException');
});

test('EXTERNAL keys wait for imported material, then work, and refuse every rotation operation', async () => {
  const { KeyMetadata: m } = await v.service.createKey({ Origin: 'EXTERNAL' });
  assert.equal(m.KeyState, 'PendingImport');
  await rejectsWith(v.service.encrypt({ KeyId: m.KeyId, Plaintext: b64('x') }), 'KMSInvalidStateException');
  await rejectsWith(v.service.importKeyMaterial({ KeyId: m.KeyId, KeyMaterial: b64(Buffer.alloc(16)) }), 'ValidationException');
  const imported = (await v.service.importKeyMaterial({ KeyId: m.KeyId, KeyMaterial: b64(Buffer.alloc(32, 9)) })).KeyMetadata;
  assert.equal(imported.KeyState, 'Enabled');
  const enc = await v.service.encrypt({ KeyId: m.KeyId, Plaintext: b64('imported') });
  assert.equal(text((await v.service.decrypt({ CiphertextBlob: enc.CiphertextBlob })).Plaintext), 'imported');
  for (const op of [
    v.service.enableKeyRotation({ KeyId: m.KeyId }),
    v.service.disableKeyRotation({ KeyId: m.KeyId }),
    v.service.getKeyRotationStatus({ KeyId: m.KeyId }),
    v.service.updateRotationPolicy({ KeyId: m.KeyId, EnableAutomaticRotation: true }),
    v.service.rotateKeyOnDemand({ KeyId: m.KeyId }),
    v.service.listKeyRotations({ KeyId: m.KeyId }),
  ]) {
    await rejectsWith(op, 'UnsupportedOperationException');
  }
  await rejectsWith(v.service.importKeyMaterial({ KeyId: m.KeyId, KeyMaterial: b64(Buffer.alloc(32, 1)) }), 'KMSInvalidStateException');
  await rejectsWith(v.service.createKey({ Origin: 'EXTERNAL', EnableAutomaticRotation: true }), 'UnsupportedOperationException');
});

test('bad identifiers get their typed errors', async () => {
  await rejectsWith(v.service.describeKey({ KeyId: '00000000-0000-4000-8000-000000000000' }), 'NotFoundException');
  await rejectsWith(v.service.describeKey({ KeyId: 'arn:keyvault:kms:local:nope' }), 'InvalidArnException');
  await rejectsWith(v.service.describeKey({ KeyId: 'alias/none' }), 'NotFoundException');
  await rejectsWith(
    v.service.createAlias({ AliasName: 'alias/keyvault/mine', TargetKeyId: (await v.service.createKey({})).KeyMetadata.KeyId }),
    'ValidationException',
  );
});

test('aliases are unique and usable wherever a key id is', async () => {
  const { KeyMetadata: m } = await v.service.createKey({});
  await v.service.createAlias({ AliasName: 'alias/one', TargetKeyId: m.KeyId });
  await rejectsWith(v.service.createAlias({ AliasName: 'alias/one', TargetKeyId: m.KeyId }), 'AlreadyExistsException');
  const enc = await v.service.encrypt({ KeyId: 'alias/one', Plaintext: b64('a') });
  assert.equal(enc.KeyId, m.Arn);
  assert.ok((await v.service.listAliases()).Aliases.some((a) => a.AliasName === 'alias/one' && a.TargetKeyId === m.KeyId));
});

test('the store file holds no key material in the clear, and the audit log no plaintext or material', async () => {
  const { KeyMetadata: m } = await v.service.createKey({ Origin: 'EXTERNAL' });
  const material = Buffer.alloc(32, 0x5a);
  await v.service.importKeyMaterial({ KeyId: m.KeyId, KeyMaterial: b64(material) });
  await v.service.encrypt({ KeyId: m.KeyId, Plaintext: b64('top-secret-plaintext') });
  const store = readFileSync(join(v.dir, 'vault.json'), 'utf8');
  assert.equal(store.includes(material.toString('base64')), false);
  assert.equal(store.includes(material.toString('hex')), false);
  const audit = readFileSync(join(v.dir, 'audit.log'), 'utf8');
  assert.equal(audit.includes(b64('top-secret-plaintext')), false);
  assert.equal(audit.includes(material.toString('base64')), false);
  assert.ok(audit.includes('"Operation":"Encrypt"'));
});

test('the audit log records rotations with their type and failures with the exception name', async () => {
  const { KeyMetadata: m } = await v.service.createKey({});
  await v.service.rotateKeyOnDemand({ KeyId: m.KeyId });
  await v.service.disableKey({ KeyId: m.KeyId });
  await v.service.encrypt({ KeyId: m.KeyId, Plaintext: b64('x') }).catch(() => undefined);
  const { Events } = await v.service.listAuditEvents({ KeyId: m.KeyId });
  assert.equal(Events[0]!.Operation, 'Encrypt');
  assert.equal(Events[0]!.Outcome, 'Failure');
  assert.equal(Events[0]!.ErrorType, 'DisabledException');
  const types = Events.filter((e) => e.Operation === 'Rotation').map((e) => e.RotationType);
  assert.deepEqual(types.sort(), ['INITIAL', 'ON_DEMAND']);
});

test("a second service on the same vault sees the first one's changes at once", async () => {
  const other = await v.reopen();
  const { KeyMetadata: m } = await v.service.createKey({});
  assert.equal((await other.describeKey({ KeyId: m.KeyId })).KeyMetadata.KeyState, 'Enabled');
  await other.disableKey({ KeyId: m.KeyId });
  await rejectsWith(v.service.encrypt({ KeyId: m.KeyId, Plaintext: b64('x') }), 'DisabledException');
});
