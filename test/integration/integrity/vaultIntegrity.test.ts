/**
 * vault.json changed behind the vault's back, by something without the root secret (a sync client,
 * a malicious tool that can write the file, someone restoring an old copy), is refused: every kind
 * of field edited, the MAC stripped, an older authentic copy put back. Each is a
 * VaultIntegrityException at open (and in a process that already has the vault open), and nothing
 * is written, encrypted or rotated. verify-vault reports it.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { X25519Identity } from '../../../main/crypto/age/index.js';
import { keychainRevisionLedger, revisionAccountForVault } from '../../../main/keychain/revisionRecord.js';
import type { VaultDocument } from '../../../main/store/vaultDocument.js';
import { openVault } from '../../../main/vault/openVault.js';
import { verifyVaultDirectory } from '../../../main/vault/vaultVerifier.js';
import type { VaultService } from '../../../main/vault/vaultService.js';
import { fastRecovery, rejectsWith } from '../../support/recoverySupport.js';
import { restoreBackup } from '../../../main/vault/backupRestore.js';
import { b64, createTempVault, type TempVault } from '../../support/tempVault.js';
import { editKeepingMac, vaultFile, writeWithoutMac } from '../../support/vaultFileEdits.js';

const vaults: { v: TempVault; vaultId: string }[] = [];
after(async () => {
  for (const { v, vaultId } of vaults) {
    await v.keychain.deleteSecret(revisionAccountForVault(vaultId)).catch(() => false);
    await v.cleanup();
  }
});

async function tempVault(): Promise<TempVault> {
  const v = await createTempVault();
  vaults.push({ v, vaultId: v.service.vaultId });
  return v;
}

interface Setup {
  v: TempVault;
  keyId: string;
  other: string;
}

async function setup(): Promise<Setup> {
  const v = await tempVault();
  const keyId = (await v.service.createKey({ AliasName: 'alias/app' })).KeyMetadata.KeyId;
  const other = (await v.service.createKey({})).KeyMetadata.KeyId;
  await v.service.disableKey({ KeyId: other });
  return { v, keyId, other };
}

/** Opening is refused with VaultIntegrityException, and neither vault.json nor the audit log changes. */
async function refusedAtOpen(v: TempVault, pattern: RegExp): Promise<void> {
  const before = readFileSync(vaultFile(v.dir));
  const auditBefore = readFileSync(join(v.dir, 'audit.log'));
  const err = await rejectsWith(openVault({ dir: v.dir, keychain: v.keychain, create: false }), 'VaultIntegrityException', pattern);
  assert.match(err.message, /restore-backup/, 'the message says what to do');
  assert.deepEqual(readFileSync(vaultFile(v.dir)), before, 'nothing is written to vault.json');
  assert.deepEqual(readFileSync(join(v.dir, 'audit.log')), auditBefore, 'nothing is written to the audit log');
  const report = await verifyVaultDirectory({ dir: v.dir, keychain: v.keychain });
  assert.equal(report.Ok, false, 'verify-vault reports it');
}

/** The process that has the vault open refuses to encrypt, rotate or write. */
async function refusedInRunningService(s: VaultService, keyId: string, dir: string): Promise<void> {
  const before = readFileSync(vaultFile(dir));
  await rejectsWith(s.encrypt({ KeyId: keyId, Plaintext: b64('x') }), 'VaultIntegrityException');
  await rejectsWith(s.rotateKeyOnDemand({ KeyId: keyId }), 'VaultIntegrityException');
  await rejectsWith(s.createKey({}), 'VaultIntegrityException');
  assert.deepEqual(readFileSync(vaultFile(dir)), before, 'nothing is written');
}

const MAC_MISMATCH = /changed outside Key Vault/;

test('a key state edited in vault.json (Disabled -> Enabled) is refused', async () => {
  const { v, other } = await setup();
  editKeepingMac(v.dir, (doc) => {
    doc.Keys[other]!.KeyState = 'Enabled';
  });
  await refusedAtOpen(v, MAC_MISMATCH);
  await refusedInRunningService(v.service, other, v.dir);
});

test('an alias retargeted in vault.json is refused', async () => {
  const { v, keyId, other } = await setup();
  editKeepingMac(v.dir, (doc) => {
    doc.Aliases['alias/app']!.TargetKeyId = other;
  });
  await refusedAtOpen(v, MAC_MISMATCH);
  await refusedInRunningService(v.service, keyId, v.dir);
});

test('a rotation policy edited in vault.json is refused', async () => {
  const { v, keyId } = await setup();
  editKeepingMac(v.dir, (doc) => {
    doc.Keys[keyId]!.Rotation = { Enabled: false, IntervalSeconds: 3650 * 86_400 };
  });
  await refusedAtOpen(v, MAC_MISMATCH);
});

test('an age1 recipient appended to RecoveryRecipients is refused: no file is encrypted to it', async () => {
  const { v, keyId } = await setup();
  const attacker = X25519Identity.generate().recipient.toString();
  assert.match(attacker, /^age1/);
  editKeepingMac(v.dir, (doc) => {
    doc.RecoveryRecipients.push(attacker);
  });
  await refusedAtOpen(v, MAC_MISMATCH);
  const input = join(v.dir, '..', `${randomUUID()}.txt`);
  writeFileSync(input, 'secret report');
  const output = `${input}.age`;
  await rejectsWith(
    v.service.runFileJob({ JobId: randomUUID(), Operation: 'Encrypt', InputPath: input, OutputPath: output, KeyId: keyId }),
    'VaultIntegrityException',
  );
  assert.equal(existsSync(output), false, 'nothing was encrypted');
});

test('a recovery kit replaced in vault.json is refused', async () => {
  const { v } = await setup();
  const other = await setup();
  other.v.service.recovery.workFactor = 10;
  await other.v.service.setRecoveryPassphrase({ Passphrase: 'the attacker knows this one' });
  const foreignKit = other.v.service.store.read().Recovery;
  assert.ok(foreignKit);
  editKeepingMac(v.dir, (doc) => {
    doc.Recovery = foreignKit;
  });
  await refusedAtOpen(v, MAC_MISMATCH);
});

test('a deletion date moved into the past is refused: the key is not purged', async () => {
  const { v, other } = await setup();
  await v.service.scheduleKeyDeletion({ KeyId: other, PendingWindowInDays: 30 });
  editKeepingMac(v.dir, (doc) => {
    doc.Keys[other]!.DeletionDate = '2001-01-01T00:00:00.000Z';
  });
  await refusedAtOpen(v, MAC_MISMATCH);
  await rejectsWith(v.service.runMaintenance(), 'VaultIntegrityException');
  const stored = JSON.parse(readFileSync(vaultFile(v.dir), 'utf8')) as VaultDocument;
  assert.ok(stored.Keys[other], 'the key is still there');
});

test('vault.json with its MAC stripped is refused (no way back to the unauthenticated format)', async () => {
  const { v, other } = await setup();
  writeWithoutMac(v.dir, (doc) => {
    doc.Keys[other]!.KeyState = 'Enabled';
  });
  await refusedAtOpen(v, /has no MAC/);
  await refusedInRunningService(v.service, other, v.dir);
});

test('an older authentic copy put back in place is refused: a disabled key does not come back enabled', async () => {
  const v = await tempVault();
  const keyId = (await v.service.createKey({})).KeyMetadata.KeyId;
  const oldCopy = join(v.dir, '..', `${randomUUID()}.json`);
  copyFileSync(vaultFile(v.dir), oldCopy);
  await v.service.disableKey({ KeyId: keyId });
  v.service.close();
  copyFileSync(oldCopy, vaultFile(v.dir));
  await refusedAtOpen(v, /older copy/);
  const report = await verifyVaultDirectory({ dir: v.dir, keychain: v.keychain });
  assert.ok(
    report.Problems.some((p) => /rolled back/.test(p.Problem)),
    JSON.stringify(report.Problems),
  );
});

test('an older copy put back while the vault is open is refused by the running process', async () => {
  const v = await tempVault();
  const keyId = (await v.service.createKey({})).KeyMetadata.KeyId;
  const oldCopy = join(v.dir, '..', `${randomUUID()}.json`);
  copyFileSync(vaultFile(v.dir), oldCopy);
  await v.service.disableKey({ KeyId: keyId });
  copyFileSync(oldCopy, vaultFile(v.dir));
  await sleep(5); // past the store's 1 ms read freshness window
  await rejectsWith(v.service.encrypt({ KeyId: keyId, Plaintext: b64('x') }), 'VaultIntegrityException', /older copy/);
  await rejectsWith(v.service.enableKey({ KeyId: keyId }), 'VaultIntegrityException');
});

test('a vault from before the MAC is authenticated once at open, and the audit log says so', async () => {
  const v = await tempVault();
  const vaultId = v.service.vaultId;
  const keyId = (await v.service.createKey({})).KeyMetadata.KeyId;
  v.service.close();
  // The previous format: no MAC, and no revision record in the keychain.
  writeWithoutMac(v.dir);
  assert.equal(await v.keychain.deleteSecret(revisionAccountForVault(vaultId)), true);
  const s = await v.reopen();
  assert.match(readFileSync(vaultFile(v.dir), 'utf8'), /"DocumentMac":"[A-Za-z0-9+/=]{40}"}$/);
  assert.ok(await v.keychain.getSecret(revisionAccountForVault(vaultId)), 'the revision is recorded');
  assert.ok((await s.listAuditEvents({})).Events.some((e) => e.Operation === 'AuthenticateVault'));
  assert.equal((await s.describeKey({ KeyId: keyId })).KeyMetadata.KeyId, keyId);
  const report = await verifyVaultDirectory({ dir: v.dir, keychain: v.keychain });
  assert.equal(report.Ok, true, JSON.stringify(report.Problems));
  // From now on, a stripped copy is refused.
  s.close();
  writeWithoutMac(v.dir);
  await refusedAtOpen(v, /has no MAC/);
});

test('a MACed vault whose revision record was never written (crash after its first commit) opens and gets one', async () => {
  const v = await tempVault();
  const vaultId = v.service.vaultId;
  v.service.close();
  await v.keychain.deleteSecret(revisionAccountForVault(vaultId));
  const s = await v.reopen();
  assert.ok(await v.keychain.getSecret(revisionAccountForVault(vaultId)));
  assert.equal((await s.verifyVault()).Ok, true);
});

test('a revision record one commit behind the file (a crash between rename and record) is caught up at open', async () => {
  const v = await tempVault();
  const vaultId = v.service.vaultId;
  const keyId = (await v.service.createKey({})).KeyMetadata.KeyId;
  const oldCopy = join(v.dir, '..', `${randomUUID()}.json`);
  copyFileSync(vaultFile(v.dir), oldCopy);
  await v.service.disableKey({ KeyId: keyId });
  const revision = v.service.store.read().Revision;
  v.service.close();
  const ledger = keychainRevisionLedger(v.keychain, vaultId);
  await ledger.settle(revision - 1);
  const s = await v.reopen();
  assert.equal(await ledger.read(), revision);
  s.close();
  copyFileSync(oldCopy, vaultFile(v.dir));
  await refusedAtOpen(v, /older copy/);
});

test('a brand-new vault is authenticated from its first write', async () => {
  const v = await tempVault();
  assert.match(readFileSync(vaultFile(v.dir), 'utf8'), /"DocumentMac":"[A-Za-z0-9+/=]{40}"}$/);
  const report = await verifyVaultDirectory({ dir: v.dir, keychain: v.keychain });
  assert.equal(report.Ok, true, JSON.stringify(report.Problems));
  assert.deepEqual(report.Warnings, []);
});

test('restore-backup over a vault: the restored document is authenticated under the new root secret, the old audit log is archived and a new chain starts', async () => {
  const v = await tempVault();
  fastRecovery(v.service);
  await v.service.createKey({});
  const backup = join(v.dir, '..', `${randomUUID()}.age`);
  await v.service.exportBackup({ OutPath: backup, Passphrase: 'a long backup passphrase' });
  v.service.close();
  await restoreBackup({ dir: v.dir, inPath: backup, passphrase: 'a long backup passphrase', keychain: v.keychain, force: true });
  assert.ok(
    readdirSync(v.dir).some((n) => /^audit\..+\.log$/.test(n)),
    'the old log is kept aside',
  );
  const report = await verifyVaultDirectory({ dir: v.dir, keychain: v.keychain });
  assert.equal(report.Ok, true, JSON.stringify(report.Problems));
  const s = await v.reopen();
  assert.ok((await s.listAuditEvents({})).Events.some((e) => e.Operation === 'RestoreBackup'));
  s.close();
});
