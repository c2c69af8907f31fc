/**
 * Restores that cannot hurt: a restore into another folder never touches the live vault's keychain
 * entry, a restore killed (SIGKILL) at any step leaves something that opens without the backup
 * file, and backups made to an age recipient open with stock `age -d -i` and restore-backup.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X25519Identity } from '../../../main/crypto/age/index.js';
import { createKeytarKeychain, keychainAccountForVault } from '../../../main/keychain/keychain.js';
import { restoreBackup, type RestoreStep } from '../../../main/vault/backupRestore.js';
import { openVault } from '../../../main/vault/openVault.js';
import { recoverVault } from '../../../main/vault/recoveryKit.js';
import { buildWorker, startWorker, type BuiltWorker } from '../../support/faultHarness.js';
import { AGE_BINARY, fastRecovery, rejectsWith } from '../../support/recoverySupport.js';
import { createTempVault, b64, text, tempDir, type TempVault } from '../../support/tempVault.js';

const PASSPHRASE = 'wobbly lantern orbit sauce';
const RECOVERY = 'velvet quarry mango tundra';
const keychain = createKeytarKeychain();
const work = tempDir('kv-restore-safety-');
const backupPath = join(work, 'backup.age');
const extraAccounts: string[] = [];
let live: TempVault;
let blob = '';
let worker: BuiltWorker;

const buildRestoreWorker = (): Promise<BuiltWorker> => buildWorker('restoreWorker');

/** Runs a restore in a child process and SIGKILLs it at `step`; fails if it never gets there. */
async function restoreKilledAt(step: RestoreStep, dir: string, force: boolean): Promise<void> {
  const running = startWorker(worker, { dir, inPath: backupPath, passphrase: PASSPHRASE, force, killAt: step });
  await running.ready;
  running.child.kill('SIGKILL');
  const end = await running.exited;
  assert.equal(end.signal, 'SIGKILL', `the restore ended by itself before ${step}: ${JSON.stringify(running.lines)} ${end.stderr}`);
}

async function opensWithBlob(dir: string): Promise<string> {
  const s = await openVault({ dir, keychain, create: false, catchUp: false });
  try {
    return text((await s.decrypt({ CiphertextBlob: blob })).Plaintext);
  } finally {
    s.close();
  }
}

before(async () => {
  worker = await buildRestoreWorker();
  live = await createTempVault();
  fastRecovery(live.service);
  const { KeyMetadata: k } = await live.service.createKey({ Description: 'live' });
  blob = (await live.service.encrypt({ KeyId: k.KeyId, Plaintext: b64('still here') })).CiphertextBlob;
  await live.service.setRecoveryPassphrase({ Passphrase: RECOVERY });
  await live.service.exportBackup({ OutPath: backupPath, Passphrase: PASSPHRASE });
});

after(async () => {
  worker.remove();
  for (const account of extraAccounts) await keychain.deleteSecret(account).catch(() => false);
  await live.cleanup();
  rmSync(work, { recursive: true, force: true });
});

test('restoring into another folder leaves the live vault and its keychain entry untouched: the copy gets its own identity', async () => {
  const liveId = live.service.vaultId;
  const liveSecret = await keychain.getSecret(keychainAccountForVault(liveId));
  const elsewhere = tempDir();
  const res = await restoreBackup({ dir: elsewhere, inPath: backupPath, passphrase: PASSPHRASE, keychain });
  extraAccounts.push(keychainAccountForVault(res.VaultId));
  assert.equal(res.SourceVaultId, liveId);
  assert.notEqual(res.VaultId, liveId);
  assert.match(res.Note ?? '', new RegExp(`vault ${liveId} .*in use`));
  assert.deepEqual(await keychain.getSecret(keychainAccountForVault(liveId)), liveSecret);
  // Both open, and both decrypt what the live vault encrypted.
  assert.equal(text((await live.service.decrypt({ CiphertextBlob: blob })).Plaintext), 'still here');
  assert.equal(await opensWithBlob(live.dir), 'still here');
  assert.equal(await opensWithBlob(elsewhere), 'still here');
});

test('a forced restore over the live vault killed while holding the lock leaves the live vault as it was', async () => {
  const before = readFileSync(join(live.dir, 'vault.json'));
  await restoreKilledAt('locked', live.dir, true);
  assert.deepEqual(readFileSync(join(live.dir, 'vault.json')), before);
  assert.equal(await opensWithBlob(live.dir), 'still here');
});

test('a forced restore over the live vault killed after its commit leaves the restored vault, under the same keychain entry', async () => {
  const secret = await keychain.getSecret(keychainAccountForVault(live.service.vaultId));
  await restoreKilledAt('committed', live.dir, true);
  assert.deepEqual(await keychain.getSecret(keychainAccountForVault(live.service.vaultId)), secret, 'the keychain was never written');
  assert.equal(await opensWithBlob(live.dir), 'still here');
});

test('a restore into another folder killed after writing its keychain entry leaves the live vault working', async () => {
  const elsewhere = tempDir();
  await restoreKilledAt('keychain-written', elsewhere, false);
  assert.equal(existsSync(join(elsewhere, 'vault.json')), false);
  assert.equal(await opensWithBlob(live.dir), 'still here');
});

test('a restore over a vault that lost its keychain entry, killed after writing the new entry, is recoverable with the recovery passphrase', async () => {
  // The restores above replaced the live document (no recovery kit in a backup): set it again.
  await live.service.setRecoveryPassphrase({ Passphrase: RECOVERY });
  const copy = tempDir();
  const liveDoc = readFileSync(join(live.dir, 'vault.json'));
  // The same vault on a "machine" whose keychain lost the entry: the vault does not open now.
  writeFileSync(join(copy, 'vault.json'), liveDoc, { mode: 0o600 });
  const account = keychainAccountForVault(live.service.vaultId);
  const liveSecret = (await keychain.getSecret(account))!;
  await keychain.deleteSecret(account);
  try {
    await restoreKilledAt('keychain-written', copy, true);
    assert.deepEqual(readFileSync(join(copy, 'vault.json')), liveDoc, 'the document was not replaced');
    await rejectsWith(openVault({ dir: copy, keychain, create: false }), 'KMSInvalidStateException');
    // Without the backup file: the recovery passphrase in the document puts the right secret back.
    await recoverVault({ dir: copy, passphrase: RECOVERY, keychain });
    assert.equal(await opensWithBlob(copy), 'still here');
  } finally {
    await keychain.setSecret(account, liveSecret);
  }
  assert.equal(await opensWithBlob(live.dir), 'still here');
});

test('a backup to an age recipient opens with stock age -d -i and restores with the identity file', async (t) => {
  const identity = X25519Identity.generate();
  const idFile = join(work, 'backup-identity.txt');
  writeFileSync(idFile, `# backup identity\n${identity.toString()}\n`, { mode: 0o600 });
  const out = join(work, 'to-recipient.age');
  await live.service.exportBackup({ OutPath: out, Recipients: [identity.recipient.toString()] });

  if (existsSync(AGE_BINARY)) {
    const r = spawnSync(AGE_BINARY, ['-d', '-i', idFile, out], { timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr.toString());
    assert.equal((JSON.parse(r.stdout.toString()) as { Format: string }).Format, 'keyvault-backup');
  } else {
    t.diagnostic('stock age check skipped: the age binary is not installed');
  }

  const other = X25519Identity.generate().toString();
  await rejectsWith(restoreBackup({ dir: tempDir(), inPath: out, identityFileText: other, keychain }), 'InvalidCiphertextException', /None of the identities/);
  await rejectsWith(restoreBackup({ dir: tempDir(), inPath: out, identityFileText: 'AGE-SECRET-KEY-1NOPE', keychain }), 'ValidationException', /line 1/);
  const dir = tempDir();
  const res = await restoreBackup({ dir, inPath: out, identityFileText: readFileSync(idFile, 'utf8'), keychain });
  extraAccounts.push(keychainAccountForVault(res.VaultId));
  assert.equal(await opensWithBlob(dir), 'still here');
});

test('a backup takes a passphrase or recipients, not both, and malformed recipients are refused', async () => {
  const out = join(work, 'never.age');
  const recipient = X25519Identity.generate().recipient.toString();
  await rejectsWith(live.service.exportBackup({ OutPath: out, Passphrase: PASSPHRASE, Recipients: [recipient] }), 'ValidationException', /either/);
  await rejectsWith(live.service.exportBackup({ OutPath: out }), 'ValidationException', /either/);
  await rejectsWith(live.service.exportBackup({ OutPath: out, Recipients: [] }), 'ValidationException', /non-empty/);
  await rejectsWith(live.service.exportBackup({ OutPath: out, Recipients: ['age1notarecipient'] }), 'ValidationException', /Recipient 1/);
  assert.equal(existsSync(out), false);
});
