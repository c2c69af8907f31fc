/** The recovery passphrase: set, change, remove, and recovering a vault whose keychain entry was lost. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keychainAccountForVault } from '../../../main/keychain/keychain.js';
import { openVault } from '../../../main/vault/openVault.js';
import { recoverVault } from '../../../main/vault/recoveryKit.js';
import { createTempVault, b64, text, tempDir, type TempVault } from '../../support/tempVault.js';
import { fastRecovery, rejectsWith, stockAgeDecrypt, stockAgeUnavailable } from '../../support/recoverySupport.js';

const PASSPHRASE = 'correct horse battery staple';
const vaults: TempVault[] = [];
after(async () => {
  for (const v of vaults) await v.cleanup();
});

async function vaultWithData(): Promise<{ v: TempVault; blobs: { blob: string; plain: string }[] }> {
  const v = await createTempVault();
  vaults.push(v);
  fastRecovery(v.service);
  const blobs: { blob: string; plain: string }[] = [];
  for (let i = 0; i < 3; i++) {
    const { KeyMetadata: k } = await v.service.createKey({ Description: `k${i}`, EnableAutomaticRotation: true, RotationInterval: '30d' });
    for (let r = 0; r < 2; r++) {
      const plain = `secret ${i}/${r}`;
      blobs.push({ blob: (await v.service.encrypt({ KeyId: k.KeyId, Plaintext: b64(plain) })).CiphertextBlob, plain });
      await v.service.rotateKeyOnDemand({ KeyId: k.KeyId });
    }
  }
  return { v, blobs };
}

test('a recovery passphrase shorter than 8 characters is refused and nothing is stored', async () => {
  const { v } = await vaultWithData();
  await rejectsWith(v.service.setRecoveryPassphrase({ Passphrase: 'short' }), 'ValidationException', /at least 8/);
  assert.deepEqual(await v.service.getRecoveryStatus(), { RecoveryPassphraseSet: false, RecoveryKeySet: false });
});

test('setting the recovery passphrase stores the root secret as an armored age scrypt file', async (t) => {
  const { v } = await vaultWithData();
  const status = await v.service.setRecoveryPassphrase({ Passphrase: PASSPHRASE });
  assert.equal(status.RecoveryPassphraseSet, true);
  assert.ok(status.CreationDate);
  const wrapped = v.service.store.read().Recovery?.WrappedRootSecret ?? '';
  assert.match(wrapped, /^-----BEGIN AGE ENCRYPTED FILE-----\n/);
  const unavailable = stockAgeUnavailable();
  if (unavailable) return t.diagnostic(`stock age check skipped: ${unavailable}`);
  const dir = tempDir();
  writeFileSync(join(dir, 'kit.age'), wrapped);
  stockAgeDecrypt(join(dir, 'kit.age'), join(dir, 'secret'), PASSPHRASE);
  const secret = await v.keychain.getSecret(keychainAccountForVault(v.service.vaultId));
  assert.deepEqual(readFileSync(join(dir, 'secret')), secret);
});

test('after the keychain entry is lost, the vault refuses to open and recover with the passphrase brings every ciphertext and file back', async () => {
  const { v, blobs } = await vaultWithData();
  const files = tempDir();
  const original = randomBytes(300_000);
  writeFileSync(join(files, 'report.pdf'), original);
  const keyId = (await v.service.listKeyDetails()).Keys.find((k) => k.Description === 'k0')!.KeyId;
  await v.service.runFileJob({ JobId: randomUUID(), Operation: 'Encrypt', InputPath: join(files, 'report.pdf'), KeyId: keyId });
  await v.service.rotateKeyOnDemand({ KeyId: keyId });
  await v.service.setRecoveryPassphrase({ Passphrase: PASSPHRASE });
  const vaultId = v.service.vaultId;
  assert.equal(await v.keychain.deleteSecret(keychainAccountForVault(vaultId)), true);
  await rejectsWith(openVault({ dir: v.dir, keychain: v.keychain, create: false }), 'KMSInvalidStateException', /keyvault recover/);

  const before = readFileSync(join(v.dir, 'vault.json'));
  await rejectsWith(
    recoverVault({ dir: v.dir, passphrase: 'not the passphrase', keychain: v.keychain }),
    'InvalidCiphertextException',
    /recovery passphrase is not correct/,
  );
  assert.equal(await v.keychain.getSecret(keychainAccountForVault(vaultId)), null, 'a wrong passphrase writes nothing to the keychain');
  assert.deepEqual(readFileSync(join(v.dir, 'vault.json')), before, 'a wrong passphrase changes nothing in the vault');

  const recovered = await recoverVault({ dir: v.dir, passphrase: PASSPHRASE, keychain: v.keychain });
  assert.equal(recovered.VaultId, vaultId);
  const reopened = await v.reopen();
  for (const { blob, plain } of blobs) assert.equal(text((await reopened.decrypt({ CiphertextBlob: blob })).Plaintext), plain);
  await reopened.runFileJob({ JobId: randomUUID(), Operation: 'Decrypt', InputPath: join(files, 'report.pdf.age'), OutputPath: join(files, 'back.pdf') });
  assert.deepEqual(readFileSync(join(files, 'back.pdf')), original);
  assert.equal((await reopened.verifyVault()).Ok, true);
});

test('a keychain entry replaced by a wrong secret is refused, and recover puts the right one back', async () => {
  const { v, blobs } = await vaultWithData();
  await v.service.setRecoveryPassphrase({ Passphrase: PASSPHRASE });
  await v.keychain.setSecret(keychainAccountForVault(v.service.vaultId), randomBytes(32));
  await rejectsWith(openVault({ dir: v.dir, keychain: v.keychain, create: false }), 'KMSInvalidStateException', /does not belong/);
  await recoverVault({ dir: v.dir, passphrase: PASSPHRASE, keychain: v.keychain });
  const reopened = await v.reopen();
  assert.equal(text((await reopened.decrypt({ CiphertextBlob: blobs[0]!.blob })).Plaintext), blobs[0]!.plain);
});

test('changing the passphrase makes the old one useless; removing it disables recovery', async () => {
  const { v } = await vaultWithData();
  await v.service.setRecoveryPassphrase({ Passphrase: PASSPHRASE });
  await v.service.setRecoveryPassphrase({ Passphrase: 'a different passphrase' });
  await rejectsWith(recoverVault({ dir: v.dir, passphrase: PASSPHRASE, keychain: v.keychain }), 'InvalidCiphertextException');
  await recoverVault({ dir: v.dir, passphrase: 'a different passphrase', keychain: v.keychain });

  assert.deepEqual(await v.service.setRecoveryPassphrase({ Passphrase: '' }), { RecoveryPassphraseSet: false, RecoveryKeySet: false });
  assert.equal(v.service.store.read().Recovery, undefined);
  await rejectsWith(
    recoverVault({ dir: v.dir, passphrase: 'a different passphrase', keychain: v.keychain }),
    'KMSInvalidStateException',
    /no recovery passphrase/,
  );
});

test('recover refuses a directory with no vault and never creates one', async () => {
  const dir = tempDir();
  await rejectsWith(recoverVault({ dir, passphrase: PASSPHRASE }), 'KMSInvalidStateException', /no vault/);
  assert.throws(() => readFileSync(join(dir, 'vault.json')));
});

test('a recovery kit moved from another vault is refused (it does not match RootKeyCheck)', async () => {
  const a = await vaultWithData();
  const b = await vaultWithData();
  await a.v.service.setRecoveryPassphrase({ Passphrase: PASSPHRASE });
  const docB = JSON.parse(readFileSync(join(b.v.dir, 'vault.json'), 'utf8')) as { Recovery?: unknown; Revision: number };
  docB.Recovery = a.v.service.store.read().Recovery;
  docB.Revision += 1;
  writeFileSync(join(b.v.dir, 'vault.json'), JSON.stringify(docB));
  await rejectsWith(recoverVault({ dir: b.v.dir, passphrase: PASSPHRASE, keychain: b.v.keychain }), 'KMSInternalException', /does not hold the root secret/);
});
