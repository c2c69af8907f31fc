/** Backups: export to one age file, open it with stock age, restore into a fresh directory and keychain. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { createKeytarKeychain, keychainAccountForVault } from '../../../main/keychain/keychain.js';
import { openVault } from '../../../main/vault/openVault.js';
import { restoreBackup } from '../../../main/vault/backupRestore.js';
import type { VaultService } from '../../../main/vault/vaultService.js';
import { createTempVault, b64, text, tempDir, type TempVault } from '../../support/tempVault.js';
import { fastRecovery, rejectsWith, stockAgeDecrypt, stockAgeUnavailable } from '../../support/recoverySupport.js';

const PASSPHRASE = 'backup passphrase 1';
const keychain = createKeytarKeychain();
let v: TempVault;
let vaultId = '';
const work = tempDir('keyvault-backup-');
const backupPath = join(work, 'vault-backup.age');
const blobs: { blob: string; plain: string; ctx?: Record<string, string> }[] = [];
const opened: VaultService[] = [];
const fileBytes = randomBytes(200_000);

/** Everything a restore must keep: metadata, versions, aliases, rotation status and schedule. */
async function snapshot(s: VaultService): Promise<unknown> {
  const details = (await s.listKeyDetails()).Keys.sort((a, b) => a.KeyId.localeCompare(b.KeyId));
  const versions: Record<string, unknown> = {};
  for (const k of details) versions[k.KeyId] = (await s.listKeyVersions({ KeyId: k.KeyId })).KeyVersions;
  const doc = s.store.read();
  const rotation = Object.fromEntries(Object.values(doc.Keys).map((k) => [k.KeyId, k.Rotation]));
  return { details, versions, aliases: await s.listAliases(), rotation };
}

before(async () => {
  v = await createTempVault();
  fastRecovery(v.service);
  vaultId = v.service.vaultId;
  const s = v.service;
  const rotating = (await s.createKey({ Description: 'rotating', EnableAutomaticRotation: true, RotationInterval: '30d', AliasName: 'alias/rotating' }))
    .KeyMetadata.KeyId;
  const plain = (await s.createKey({ Description: 'plain' })).KeyMetadata.KeyId;
  const disabled = (await s.createKey({ Description: 'disabled', EnableAutomaticRotation: true })).KeyMetadata.KeyId;
  const doomed = (await s.createKey({ Description: 'doomed' })).KeyMetadata.KeyId;
  const external = (await s.createKey({ Description: 'imported', Origin: 'EXTERNAL' })).KeyMetadata.KeyId;
  await s.createKey({ Description: 'waiting for import', Origin: 'EXTERNAL' });
  await s.importKeyMaterial({ KeyId: external, KeyMaterial: randomBytes(32).toString('base64') });
  await s.createAlias({ AliasName: 'alias/also-rotating', TargetKeyId: rotating });
  for (const keyId of [rotating, plain, disabled, external]) {
    for (let i = 0; i < 3; i++) {
      const p = `${keyId}:${i}`;
      const ctx = i === 1 ? { purpose: 'test' } : undefined;
      blobs.push({
        blob: (await s.encrypt({ KeyId: keyId, Plaintext: b64(p), ...(ctx ? { EncryptionContext: ctx } : {}) })).CiphertextBlob,
        plain: p,
        ...(ctx ? { ctx } : {}),
      });
      if (keyId !== external) await s.rotateKeyOnDemand({ KeyId: keyId });
    }
  }
  writeFileSync(join(work, 'notes.txt'), fileBytes);
  await s.runFileJob({ JobId: randomUUID(), Operation: 'Encrypt', InputPath: join(work, 'notes.txt'), KeyId: 'alias/rotating' });
  await s.rotateKeyOnDemand({ KeyId: rotating });
  await s.addPassphrase({ Passphrase: 'file passphrase', Label: 'shared with a colleague' });
  await s.disableKey({ KeyId: disabled });
  await s.scheduleKeyDeletion({ KeyId: doomed, PendingWindowInDays: 7 });
  await s.setRecoveryPassphrase({ Passphrase: 'recovery passphrase' });
  // Blobs of the disabled key are checked after re-enabling it in the restored vault.
});

after(async () => {
  for (const s of opened) s.close();
  await v.cleanup();
  rmSync(work, { recursive: true, force: true });
});

test('a backup passphrase shorter than 8 characters is refused and no file is written', async () => {
  await rejectsWith(v.service.exportBackup({ OutPath: backupPath, Passphrase: 'short' }), 'ValidationException');
  assert.equal(existsSync(backupPath), false);
});

test('export writes one age file and never replaces an existing file unless asked', async () => {
  const res = await v.service.exportBackup({ OutPath: backupPath, Passphrase: PASSPHRASE });
  assert.equal(res.OutPath, backupPath);
  assert.equal(res.KeyCount, Object.keys(v.service.store.read().Keys).length);
  assert.ok(readFileSync(backupPath).subarray(0, 21).equals(Buffer.from('age-encryption.org/v1')));
  const first = readFileSync(backupPath);
  await rejectsWith(v.service.exportBackup({ OutPath: backupPath, Passphrase: PASSPHRASE }), 'AlreadyExistsException');
  assert.deepEqual(readFileSync(backupPath), first);
  await v.service.exportBackup({ OutPath: backupPath, Passphrase: PASSPHRASE, Overwrite: true });
  assert.notDeepEqual(readFileSync(backupPath), first);
});

test('the backup opens with the stock age tool and holds the key material in the clear', async (t) => {
  const unavailable = stockAgeUnavailable();
  if (unavailable) return t.skip(unavailable);
  const out = join(work, 'backup.json');
  stockAgeDecrypt(backupPath, out, PASSPHRASE);
  const json = JSON.parse(readFileSync(out, 'utf8')) as { Format: string; VaultId: string; Keys: Record<string, { Versions: { KeyMaterial: string }[] }> };
  assert.equal(json.Format, 'keyvault-backup');
  assert.equal(json.VaultId, vaultId);
  const doc = v.service.store.read();
  for (const key of Object.values(doc.Keys)) {
    assert.equal(json.Keys[key.KeyId]?.Versions.length, key.Versions.length);
    for (const ver of json.Keys[key.KeyId]!.Versions) assert.equal(Buffer.from(ver.KeyMaterial, 'base64').length, 32);
  }
  rmSync(out);
});

test('restore into a fresh directory with the original keychain entry gone gives back every key, version, alias, policy and schedule', async () => {
  const expected = await snapshot(v.service);
  const originalCheck = v.service.store.read().RootKeyCheck;
  v.service.close();
  assert.equal(await keychain.deleteSecret(keychainAccountForVault(vaultId)), true);
  const dir = tempDir();

  await rejectsWith(
    restoreBackup({ dir, inPath: backupPath, passphrase: 'wrong passphrase', keychain }),
    'InvalidCiphertextException',
    /passphrase is not correct/,
  );
  assert.equal(existsSync(join(dir, 'vault.json')), false, 'a wrong passphrase writes nothing');
  assert.equal(await keychain.getSecret(keychainAccountForVault(vaultId)), null);

  const res = await restoreBackup({ dir, inPath: backupPath, passphrase: PASSPHRASE, keychain });
  assert.equal(res.VaultId, vaultId);
  assert.equal(res.RecoveryPassphraseSet, false);
  const restored = await openVault({ dir, keychain, create: false, catchUp: false });
  opened.push(restored);
  assert.notEqual(restored.store.read().RootKeyCheck, originalCheck, 'a new root secret');
  assert.deepEqual(await snapshot(restored), expected);
  assert.equal((await restored.verifyVault()).Ok, true);

  const disabled = (await restored.listKeyDetails()).Keys.find((k) => k.Description === 'disabled')!;
  await restored.enableKey({ KeyId: disabled.KeyId });
  for (const { blob, plain, ctx } of blobs) {
    assert.equal(text((await restored.decrypt({ CiphertextBlob: blob, ...(ctx ? { EncryptionContext: ctx } : {}) })).Plaintext), plain);
  }
  await restored.runFileJob({ JobId: randomUUID(), Operation: 'Decrypt', InputPath: join(work, 'notes.txt.age'), OutputPath: join(work, 'notes.back') });
  assert.deepEqual(readFileSync(join(work, 'notes.back')), fileBytes);
  assert.deepEqual((await restored.listIdentities()).Identities.length, 1, 'sealed secrets are restored');
  // The restored vault is fully usable: new keys and rotations.
  const k = (await restored.createKey({})).KeyMetadata.KeyId;
  await restored.rotateKeyOnDemand({ KeyId: k });
  assert.equal((await restored.verifyVault()).Ok, true);
});

test('restoring over an existing vault is refused unless forced; a forced restore of the same vault keeps its keychain entry', async () => {
  const dir = opened[0]!.store.dir;
  const before = readFileSync(join(dir, 'vault.json'));
  await rejectsWith(restoreBackup({ dir, inPath: backupPath, passphrase: PASSPHRASE, keychain }), 'AlreadyExistsException', /already exists/);
  assert.deepEqual(readFileSync(join(dir, 'vault.json')), before);
  const secretBefore = await keychain.getSecret(keychainAccountForVault(vaultId));

  const res = await restoreBackup({ dir, inPath: backupPath, passphrase: PASSPHRASE, keychain, force: true });
  assert.equal(res.VaultId, vaultId);
  assert.deepEqual(await keychain.getSecret(keychainAccountForVault(vaultId)), secretBefore, 'the keychain is not touched: one atomic document replace');
  const again = await openVault({ dir, keychain, create: false, catchUp: false });
  opened.push(again);
  assert.equal(Object.keys(again.store.read().Keys).length, res.KeyCount);
  assert.ok(again.store.read().Revision > JSON.parse(before.toString()).Revision, 'the replaced document is seen as newer');
  assert.equal(text((await again.decrypt({ CiphertextBlob: blobs[0]!.blob })).Plaintext), blobs[0]!.plain);
});

test('a file that is not a backup is refused with a typed error and nothing is written', async () => {
  const junk = join(work, 'junk.age');
  writeFileSync(junk, 'not an age file at all');
  const dir = tempDir();
  await rejectsWith(restoreBackup({ dir, inPath: junk, passphrase: PASSPHRASE, keychain }), 'InvalidCiphertextException');
  await rejectsWith(restoreBackup({ dir, inPath: join(work, 'missing.age'), passphrase: PASSPHRASE, keychain }), 'NotFoundException');
  assert.equal(existsSync(join(dir, 'vault.json')), false);
});
