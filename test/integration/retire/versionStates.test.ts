/**
 * Version states through the vault service on a manual clock: disable/enable, the primary rule,
 * scheduling and cancelling destruction, destruction at catch-up (never early, never on a clock
 * moved back), and what every kind of ciphertext says afterwards.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DAY_MS, ManualClock } from '../../../main/core/clock.js';
import type { VaultService } from '../../../main/vault/vaultService.js';
import { openVault } from '../../../main/vault/openVault.js';
import { restoreBackup } from '../../../main/vault/backupRestore.js';
import { fastRecovery } from '../../support/recoverySupport.js';
import { createTempVault, b64, tempDir, text, type TempVault } from '../../support/tempVault.js';
import { job, rejectsWith, writeRandom } from '../files/fileTestKit.js';

const clock = new ManualClock('2026-03-01T00:00:00.000Z');
let vault: TempVault;
let service: VaultService;

before(async () => {
  vault = await createTempVault({ clock });
});
after(() => vault.cleanup());

/** A key with one old version (with a blob and a file under it) and a newer primary. */
async function rotatedKey(): Promise<{ keyId: string; oldVersion: string; blob: string; file: string }> {
  const keyId = (await service.createKey({ Description: 'retire' })).KeyMetadata.KeyId;
  const enc = await service.encrypt({ KeyId: keyId, Plaintext: b64('under the old version') });
  const plain = join(vault.dir, `${keyId}.bin`);
  writeRandom(plain, 1000);
  const file = (await job(service, { Operation: 'Encrypt', InputPath: plain, KeyId: keyId })).OutputPath!;
  await service.rotateKeyOnDemand({ KeyId: keyId });
  return { keyId, oldVersion: enc.KeyVersionId, blob: enc.CiphertextBlob, file };
}

async function stateOf(keyId: string, versionId: string): Promise<string> {
  return (await service.describeKeyVersion({ KeyId: keyId, KeyVersionId: versionId })).KeyVersion.KeyVersionState;
}

test('versions are listed with their state; new versions are Enabled', async () => {
  service = vault.service;
  const { keyId } = await rotatedKey();
  const list = await service.listKeyVersions({ KeyId: keyId });
  assert.deepEqual(
    list.KeyVersions.map((v) => v.KeyVersionState),
    ['Enabled', 'Enabled'],
  );
});

test('a disabled version cannot decrypt a blob or a file, and the error names the version', async () => {
  const { keyId, oldVersion, blob, file } = await rotatedKey();
  const r = await service.disableKeyVersion({ KeyId: keyId, KeyVersionId: oldVersion });
  assert.equal(r.KeyVersionState, 'Disabled');
  await assert.rejects(
    service.decrypt({ CiphertextBlob: blob }),
    (e: Error & { __type?: string }) => e.__type === 'KMSInvalidStateException' && e.message.includes(oldVersion),
  );
  await rejectsWith(job(service, { Operation: 'Decrypt', InputPath: file, OutputPath: `${file}.out` }), 'KMSInvalidStateException');
  // The primary version still works.
  const fresh = await service.encrypt({ KeyId: keyId, Plaintext: b64('new') });
  assert.equal(text((await service.decrypt({ CiphertextBlob: fresh.CiphertextBlob })).Plaintext), 'new');
  await service.enableKeyVersion({ KeyId: keyId, KeyVersionId: oldVersion });
  assert.equal(text((await service.decrypt({ CiphertextBlob: blob })).Plaintext), 'under the old version');
});

test('the primary version cannot be disabled or scheduled for destruction', async () => {
  const { keyId } = await rotatedKey();
  const primary = (await service.describeKey({ KeyId: keyId })).KeyMetadata.PrimaryKeyVersion!;
  await rejectsWith(service.disableKeyVersion({ KeyId: keyId, KeyVersionId: primary }), 'KMSInvalidStateException');
  await rejectsWith(
    service.scheduleKeyVersionDestruction({ KeyId: keyId, KeyVersionId: primary, PendingWindowInDays: 7, Force: true }),
    'KMSInvalidStateException',
  );
  assert.equal(await stateOf(keyId, primary), 'Enabled');
});

test('bad requests are ValidationException or NotFoundException', async () => {
  const { keyId, oldVersion } = await rotatedKey();
  await rejectsWith(service.disableKeyVersion({ KeyId: keyId, KeyVersionId: 'not-a-uuid' }), 'ValidationException');
  await rejectsWith(service.disableKeyVersion({ KeyId: keyId, KeyVersionId: '00000000-0000-4000-8000-000000000000' }), 'NotFoundException');
  await rejectsWith(
    service.scheduleKeyVersionDestruction({ KeyId: keyId, KeyVersionId: oldVersion, PendingWindowInDays: 6, Force: true }),
    'ValidationException',
  );
  await rejectsWith(
    service.scheduleKeyVersionDestruction({ KeyId: keyId, KeyVersionId: oldVersion, PendingWindowInDays: 31, Force: true }),
    'ValidationException',
  );
  await rejectsWith(service.cancelKeyVersionDestruction({ KeyId: keyId, KeyVersionId: oldVersion }), 'KMSInvalidStateException');
});

test('scheduling is refused while known files use the version, naming how many', async () => {
  const { keyId, oldVersion } = await rotatedKey();
  await assert.rejects(
    service.scheduleKeyVersionDestruction({ KeyId: keyId, KeyVersionId: oldVersion, PendingWindowInDays: 7 }),
    (e: Error & { __type?: string }) => e.__type === 'KMSInvalidStateException' && /^1 known file/.test(e.message),
  );
  assert.equal(await stateOf(keyId, oldVersion), 'Enabled');
});

test('after re-encrypt-files moves the files forward, scheduling is accepted without --force', async () => {
  const { keyId, oldVersion, file } = await rotatedKey();
  const r = await service.reEncryptFiles({ KeyId: keyId });
  assert.deepEqual(r, { ReEncrypted: 1, AlreadyCurrent: 0, Missing: 0, Failed: [] });
  const s = await service.scheduleKeyVersionDestruction({ KeyId: keyId, KeyVersionId: oldVersion, PendingWindowInDays: 7 });
  assert.equal(s.KeyVersionState, 'PendingDestruction');
  // The rewrapped file opens under the primary version.
  const out = await job(service, { Operation: 'Decrypt', InputPath: file, OutputPath: `${file}.ok` });
  assert.equal(out.KeyVersionId, (await service.describeKey({ KeyId: keyId })).KeyMetadata.PrimaryKeyVersion);
});

test('destruction waits for the window, ignores a clock moved back, then erases the material for good', async () => {
  const { keyId, oldVersion, blob, file } = await rotatedKey();
  const start = clock.now().getTime();
  const s = await service.scheduleKeyVersionDestruction({ KeyId: keyId, KeyVersionId: oldVersion, PendingWindowInDays: 7, Force: true });
  assert.equal(Date.parse(s.DestructionDate!), start + 7 * DAY_MS);
  await rejectsWith(service.decrypt({ CiphertextBlob: blob }), 'KMSInvalidStateException');

  clock.set(start + 7 * DAY_MS - 1);
  assert.equal((await service.runMaintenance()).Destroyed, undefined);
  clock.set(start - 30 * DAY_MS); // the clock went backwards
  assert.equal((await service.runMaintenance()).Destroyed, undefined);
  assert.equal(await stateOf(keyId, oldVersion), 'PendingDestruction');

  clock.set(start + 7 * DAY_MS);
  const m = await service.runMaintenance();
  // (The version scheduled by the test before is due too: only this key's entry is checked.)
  assert.deepEqual(
    m.Destroyed?.filter((d) => d.KeyId === keyId),
    [{ KeyId: keyId, KeyVersionId: oldVersion }],
  );
  assert.equal(await stateOf(keyId, oldVersion), 'Destroyed');

  const stored = JSON.parse(readFileSync(join(vault.dir, 'vault.json'), 'utf8')) as {
    Keys: Record<string, { Versions: { KeyVersionId: string; SealedMaterial?: string }[] }>;
  };
  assert.equal(stored.Keys[keyId]!.Versions.find((v) => v.KeyVersionId === oldVersion)!.SealedMaterial, undefined);

  await assert.rejects(
    service.decrypt({ CiphertextBlob: blob }),
    (e: Error & { __type?: string }) => e.__type === 'KMSInvalidStateException' && /destroyed/.test(e.message),
  );
  await assert.rejects(
    job(service, { Operation: 'Decrypt', InputPath: file, OutputPath: `${file}.gone` }),
    (e: Error & { __type?: string }) => e.__type === 'KMSInvalidStateException' && /destroyed/.test(e.message),
  );
  await rejectsWith(service.cancelKeyVersionDestruction({ KeyId: keyId, KeyVersionId: oldVersion }), 'KMSInvalidStateException');
  await rejectsWith(service.enableKeyVersion({ KeyId: keyId, KeyVersionId: oldVersion }), 'KMSInvalidStateException');

  // A reopened vault (fresh material cache) agrees, and verify-vault finds nothing wrong.
  const again = await vault.reopen();
  await rejectsWith(again.decrypt({ CiphertextBlob: blob }), 'KMSInvalidStateException');
  assert.deepEqual((await again.verifyVault()).Problems, []);
});

test('a cancelled destruction leaves the version Disabled; enabling it brings decryption back', async () => {
  const { keyId, oldVersion, blob } = await rotatedKey();
  await service.scheduleKeyVersionDestruction({ KeyId: keyId, KeyVersionId: oldVersion, PendingWindowInDays: 30, Force: true });
  const c = await service.cancelKeyVersionDestruction({ KeyId: keyId, KeyVersionId: oldVersion });
  assert.equal(c.KeyVersionState, 'Disabled');
  assert.equal(c.DestructionDate, undefined);
  clock.advanceDays(60);
  await service.runMaintenance();
  await service.enableKeyVersion({ KeyId: keyId, KeyVersionId: oldVersion });
  assert.equal(text((await service.decrypt({ CiphertextBlob: blob })).Plaintext), 'under the old version');
});

test('a backup made after destruction holds no material for the version, and a restore keeps it Destroyed', async () => {
  const { keyId, oldVersion, blob } = await rotatedKey();
  await service.scheduleKeyVersionDestruction({ KeyId: keyId, KeyVersionId: oldVersion, PendingWindowInDays: 7, Force: true });
  clock.advanceDays(8);
  await service.runMaintenance();
  const work = tempDir('kv-retire-backup-');
  const backup = join(work, 'backup.age');
  fastRecovery(service);
  await service.exportBackup({ OutPath: backup, Passphrase: 'backup passphrase 1' });
  service.close(); // the restore below takes over this vault's keychain entry (same vault id)
  const dir = join(work, 'restored');
  try {
    await restoreBackup({ dir, inPath: backup, passphrase: 'backup passphrase 1', keychain: vault.keychain });
    const restored = await openVault({ dir, keychain: vault.keychain, create: false, catchUp: false });
    try {
      const v = restored.store.read().Keys[keyId]!.Versions.find((x) => x.KeyVersionId === oldVersion)!;
      assert.equal(v.KeyVersionState, 'Destroyed');
      assert.equal(v.SealedMaterial, undefined);
      await assert.rejects(
        restored.decrypt({ CiphertextBlob: blob }),
        (e: Error & { __type?: string }) => e.__type === 'KMSInvalidStateException' && /destroyed/.test(e.message),
      );
    } finally {
      restored.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
