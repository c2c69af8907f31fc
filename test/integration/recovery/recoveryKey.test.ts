/** The printed recovery key on a real keychain: create, lose the keychain entry, recover; typos change nothing. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keychainAccountForVault } from '../../../main/keychain/keychain.js';
import { openVault } from '../../../main/vault/openVault.js';
import { recoverVault } from '../../../main/vault/recoveryKit.js';
import { generateRecoveryKey } from '../../../main/vault/recoveryKey.js';
import { createTempVault, b64, text, tempDir, type TempVault } from '../../support/tempVault.js';
import { fastRecovery, rejectsWith } from '../../support/recoverySupport.js';

const vaults: TempVault[] = [];
after(async () => {
  for (const v of vaults) await v.cleanup();
});

async function vaultWithBlob(): Promise<{ v: TempVault; blob: string }> {
  const v = await createTempVault();
  vaults.push(v);
  fastRecovery(v.service);
  const { KeyMetadata: k } = await v.service.createKey({ Description: 'kept' });
  const blob = (await v.service.encrypt({ KeyId: k.KeyId, Plaintext: b64('kept safe') })).CiphertextBlob;
  return { v, blob };
}

/** Changes one symbol of the printed key to another valid symbol. */
function mistype(key: string, at: number): string {
  const swap = key[at] === '7' ? '8' : '7';
  return key.slice(0, at) + swap + key.slice(at + 1);
}

test('create-recovery-key returns the key once with its sheet, and stores only the wrapped root secret', async () => {
  const { v } = await vaultWithBlob();
  const created = await v.service.createRecoveryKey();
  assert.match(created.RecoveryKey, /^([0-9A-Z]{5}-){7}[0-9A-Z]{5}$/);
  assert.equal(created.VaultId, v.service.vaultId);
  assert.ok(created.SheetHtml.includes(created.RecoveryKey.split('-')[0]!));
  const stored = readFileSync(join(v.dir, 'vault.json'), 'utf8');
  assert.ok(!stored.includes(created.RecoveryKey) && !stored.includes(created.RecoveryKey.replaceAll('-', '')), 'the key itself is not stored');
  const status = await v.service.getRecoveryStatus();
  assert.equal(status.RecoveryKeySet, true);
  assert.equal(status.RecoveryKeyCreationDate, created.CreationDate);
  await rejectsWith(v.service.createRecoveryKey(), 'AlreadyExistsException', /already has a recovery key/);
  const replaced = await v.service.createRecoveryKey({ Replace: true });
  assert.notEqual(replaced.RecoveryKey, created.RecoveryKey);
});

test('with the keychain entry gone, recover with the recovery key brings the vault back', async () => {
  const { v, blob } = await vaultWithBlob();
  const { RecoveryKey } = await v.service.createRecoveryKey();
  const account = keychainAccountForVault(v.service.vaultId);
  v.service.close();
  assert.equal(await v.keychain.deleteSecret(account), true);
  await rejectsWith(openVault({ dir: v.dir, keychain: v.keychain, create: false }), 'KMSInvalidStateException', /keyvault recover/);

  const res = await recoverVault({ dir: v.dir, recoveryKey: RecoveryKey.toLowerCase().replaceAll('-', ' '), keychain: v.keychain });
  assert.equal(res.KeychainAccount, account);
  const back = await v.reopen();
  assert.equal(text((await back.decrypt({ CiphertextBlob: blob })).Plaintext), 'kept safe');
  assert.equal((await back.verifyVault()).Ok, true);
});

test('a mistyped key is a ValidationException from the check symbols, before the vault is even read, and changes nothing', async () => {
  const { v } = await vaultWithBlob();
  const { RecoveryKey } = await v.service.createRecoveryKey();
  const account = keychainAccountForVault(v.service.vaultId);
  v.service.close();
  await v.keychain.deleteSecret(account);
  const before = readFileSync(join(v.dir, 'vault.json'));
  await rejectsWith(recoverVault({ dir: v.dir, recoveryKey: mistype(RecoveryKey, 13), keychain: v.keychain }), 'ValidationException', /Group 3 .*mistyped/);
  // Caught before any vault or key work: the same answer for a directory with no vault at all.
  await rejectsWith(
    recoverVault({ dir: join(tempDir(), 'nothing-here'), recoveryKey: mistype(RecoveryKey, 0), keychain: v.keychain }),
    'ValidationException',
    /Group 1 /,
  );
  assert.deepEqual(readFileSync(join(v.dir, 'vault.json')), before);
  assert.equal(await v.keychain.getSecret(account), null);
});

test('a well-formed key of another vault is InvalidCiphertextException and changes nothing', async () => {
  const { v } = await vaultWithBlob();
  await v.service.createRecoveryKey();
  const account = keychainAccountForVault(v.service.vaultId);
  v.service.close();
  await v.keychain.deleteSecret(account);
  const before = readFileSync(join(v.dir, 'vault.json'));
  await rejectsWith(
    recoverVault({ dir: v.dir, recoveryKey: generateRecoveryKey().text, keychain: v.keychain }),
    'InvalidCiphertextException',
    /not the one of this vault/,
  );
  assert.deepEqual(readFileSync(join(v.dir, 'vault.json')), before);
  assert.equal(await v.keychain.getSecret(account), null);
});

test('the recovery key and the recovery passphrase coexist: either one recovers', async () => {
  const { v, blob } = await vaultWithBlob();
  const { RecoveryKey } = await v.service.createRecoveryKey();
  await v.service.setRecoveryPassphrase({ Passphrase: 'wobbly lantern orbit sauce' });
  const status = await v.service.getRecoveryStatus();
  assert.equal(status.RecoveryPassphraseSet && status.RecoveryKeySet, true);
  const account = keychainAccountForVault(v.service.vaultId);
  v.service.close();
  for (const how of [{ passphrase: 'wobbly lantern orbit sauce' }, { recoveryKey: RecoveryKey }]) {
    await v.keychain.deleteSecret(account);
    await recoverVault({ dir: v.dir, keychain: v.keychain, ...how });
    const back = await v.reopen();
    assert.equal(text((await back.decrypt({ CiphertextBlob: blob })).Plaintext), 'kept safe');
    back.close();
  }
});

test('a vault without a recovery key says so; recover on a folder without a vault creates nothing', async () => {
  const { v } = await vaultWithBlob();
  await rejectsWith(
    recoverVault({ dir: v.dir, recoveryKey: generateRecoveryKey().text, keychain: v.keychain }),
    'KMSInvalidStateException',
    /has no recovery key/,
  );
  const empty = join(tempDir(), 'no-vault');
  await rejectsWith(recoverVault({ dir: empty, recoveryKey: generateRecoveryKey().text, keychain: v.keychain }), 'KMSInvalidStateException', /no vault/);
  await assert.rejects(
    import('node:fs/promises').then((fs) => fs.stat(empty)),
    /ENOENT/,
  );
});

test('a weak recovery passphrase is refused by the estimator and nothing is stored', async () => {
  const { v } = await vaultWithBlob();
  await rejectsWith(v.service.setRecoveryPassphrase({ Passphrase: 'password123' }), 'ValidationException', /too easy to guess/);
  await rejectsWith(v.service.exportBackup({ OutPath: join(tempDir(), 'b.age'), Passphrase: 'qwerty12345' }), 'ValidationException', /too easy to guess/);
  assert.equal((await v.service.getRecoveryStatus()).RecoveryPassphraseSet, false);
});

test('add-passphrase has the same cap as every passphrase: 10 MB is refused and nothing is stored', async () => {
  const { v } = await vaultWithBlob();
  const before = readFileSync(join(v.dir, 'vault.json'));
  await rejectsWith(v.service.addPassphrase({ Passphrase: 'p'.repeat(10 * 1024 * 1024) }), 'ValidationException', /at most 1024 characters/);
  assert.deepEqual(readFileSync(join(v.dir, 'vault.json')), before);
  await v.service.addPassphrase({ Passphrase: 'q'.repeat(1024), Label: 'at the cap' });
});
