/**
 * A store file edited by hand is detected, never silently used: sealing binds the vault, key and
 * version ids, so moved material fails to open on use (KMSInternalException), and verify-vault
 * reports it without changing anything.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VaultDocument } from '../../../main/store/vaultDocument.js';
import { openVault } from '../../../main/vault/openVault.js';
import { verifyVaultDirectory } from '../../../main/vault/vaultVerifier.js';
import type { VaultService } from '../../../main/vault/vaultService.js';
import { createTempVault, b64, tempDir, type TempVault } from '../../support/tempVault.js';
import { editAndReseal } from '../../support/vaultFileEdits.js';
import type { Keychain } from '../../../main/keychain/keychain.js';
import { fastRecovery, rejectsWith } from '../../support/recoverySupport.js';

const vaults: TempVault[] = [];
const services: VaultService[] = [];
after(async () => {
  for (const s of services) s.close();
  for (const v of vaults) await v.cleanup();
});

interface Setup {
  v: TempVault;
  keyA: string;
  keyB: string;
  blobA0: string;
  blobA1: string;
  blobB: string;
}

async function setup(): Promise<Setup> {
  const v = await createTempVault();
  vaults.push(v);
  const s = v.service;
  const keyA = (await s.createKey({ AliasName: 'alias/a' })).KeyMetadata.KeyId;
  const keyB = (await s.createKey({})).KeyMetadata.KeyId;
  const blobA0 = (await s.encrypt({ KeyId: keyA, Plaintext: b64('a0') })).CiphertextBlob;
  await s.rotateKeyOnDemand({ KeyId: keyA });
  const blobA1 = (await s.encrypt({ KeyId: keyA, Plaintext: b64('a1') })).CiphertextBlob;
  const blobB = (await s.encrypt({ KeyId: keyB, Plaintext: b64('b') })).CiphertextBlob;
  return { v, keyA, keyB, blobA0, blobA1, blobB };
}

/**
 * Edits vault.json and re-seals its MAC with the real root secret (Revision bumped so readers
 * reload): the defences below the document MAC, as if the MAC were forged. Edits without the
 * secret are refused at load (test/integration/integrity/documentMac.test.ts).
 */
async function editStore(dir: string, keychain: Keychain, edit: (doc: VaultDocument) => void): Promise<void> {
  await editAndReseal(dir, keychain, (doc) => {
    edit(doc);
    doc.Revision += 1;
  });
}

async function freshService(v: TempVault): Promise<VaultService> {
  const s = await openVault({ dir: v.dir, keychain: v.keychain, create: false, catchUp: false });
  services.push(s);
  return s;
}

test('material swapped between two versions of a key is detected on use and by verify-vault', async () => {
  const { v, keyA, blobA0, blobA1 } = await setup();
  await editStore(v.dir, v.keychain, (doc) => {
    const [x, y] = doc.Keys[keyA]!.Versions;
    [x!.SealedMaterial, y!.SealedMaterial] = [y!.SealedMaterial, x!.SealedMaterial];
  });
  const before = readFileSync(join(v.dir, 'vault.json'));
  const s = await freshService(v);
  await rejectsWith(s.decrypt({ CiphertextBlob: blobA0 }), 'KMSInternalException', /does not open/);
  await rejectsWith(s.decrypt({ CiphertextBlob: blobA1 }), 'KMSInternalException');
  await rejectsWith(s.encrypt({ KeyId: keyA, Plaintext: b64('x') }), 'KMSInternalException');
  const report = await s.verifyVault();
  assert.equal(report.Ok, false);
  const versions = s.store
    .read()
    .Keys[keyA]!.Versions.map((x) => x.KeyVersionId)
    .sort();
  assert.deepEqual(
    report.Problems.filter((p) => p.KeyId === keyA)
      .map((p) => p.KeyVersionId)
      .sort(),
    versions,
  );
  assert.deepEqual(readFileSync(join(v.dir, 'vault.json')), before, 'verify-vault changes nothing');
});

test('material moved from one key to another is detected', async () => {
  const { v, keyA, keyB, blobB } = await setup();
  await editStore(v.dir, v.keychain, (doc) => {
    doc.Keys[keyB]!.Versions[0]!.SealedMaterial = doc.Keys[keyA]!.Versions[0]!.SealedMaterial;
  });
  const s = await freshService(v);
  await rejectsWith(s.decrypt({ CiphertextBlob: blobB }), 'KMSInternalException');
  const report = await verifyVaultDirectory({ dir: v.dir, keychain: v.keychain });
  assert.equal(report.Ok, false);
  assert.ok(report.Problems.some((p) => p.KeyId === keyB));
});

test('a key id changed consistently everywhere is detected: its material no longer opens', async () => {
  const { v, keyA, blobA0 } = await setup();
  const forged = randomUUID();
  await editStore(v.dir, v.keychain, (doc) => {
    const key = doc.Keys[keyA]!;
    delete doc.Keys[keyA];
    key.KeyId = forged;
    doc.Keys[forged] = key;
    for (const a of Object.values(doc.Aliases)) if (a.TargetKeyId === keyA) a.TargetKeyId = forged;
  });
  const s = await freshService(v);
  // The document itself is well formed, so it loads; the key is unusable.
  assert.equal((await s.describeKey({ KeyId: 'alias/a' })).KeyMetadata.KeyId, forged);
  await rejectsWith(s.encrypt({ KeyId: 'alias/a', Plaintext: b64('x') }), 'KMSInternalException');
  // The blob names the original key id, which the vault no longer has: NotFoundException (issue 9).
  await rejectsWith(s.decrypt({ CiphertextBlob: blobA0 }), 'NotFoundException');
  const report = await s.verifyVault();
  assert.equal(report.Ok, false);
  assert.equal(report.Problems.filter((p) => p.KeyId === forged).length, 2);
  fastRecovery(s);
  await rejectsWith(s.exportBackup({ OutPath: join(tempDir(), 'b.age'), Passphrase: 'a long passphrase' }), 'KMSInternalException');
});

test('a vault id changed by hand is refused at open and reported by verify-vault', async () => {
  const { v } = await setup();
  const verifyBefore = await v.service.verifyVault();
  assert.equal(verifyBefore.Ok, true, JSON.stringify(verifyBefore.Problems));
  await editStore(v.dir, v.keychain, (doc) => {
    doc.VaultId = randomUUID();
  });
  await rejectsWith(openVault({ dir: v.dir, keychain: v.keychain, create: false }), 'KMSInvalidStateException', /no root secret/);
  const report = await verifyVaultDirectory({ dir: v.dir, keychain: v.keychain });
  assert.equal(report.Ok, false);
  assert.match(report.Problems[0]!.Problem, /not checked/);
});

test('a document that fails validation is reported by verify-vault, not thrown', async () => {
  const { v } = await setup();
  writeFileSync(join(v.dir, 'vault.json'), '{"FormatVersion": 1, "VaultId": 3}');
  const report = await verifyVaultDirectory({ dir: v.dir, keychain: v.keychain });
  assert.equal(report.Ok, false);
  assert.match(report.Problems[0]!.Problem, /VaultId/);
  writeFileSync(join(v.dir, 'vault.json'), '{"FormatVer');
  const torn = await verifyVaultDirectory({ dir: v.dir, keychain: v.keychain });
  assert.equal(torn.Ok, false);
  assert.match(torn.Problems[0]!.Problem, /does not load/);
});
