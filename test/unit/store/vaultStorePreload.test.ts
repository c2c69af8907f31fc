/**
 * An open parses vault.json while its keychain calls run (VaultStore.preload) and authenticates
 * that text afterwards: the same checks as a plain load, and a file changed in between is read
 * again rather than trusted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VaultIntegrityException } from '../../../main/core/errors.js';
import { memoryRevisionLedger } from '../../../main/keychain/revisionRecord.js';
import { VaultStore } from '../../../main/store/vaultStore.js';
import { sampleVault } from '../../fixtures/store/sampleVault.js';
import { testMacKey } from '../../support/storeIntegrity.js';

/** A vault committed twice (revision 1) by one store, closed; returns its directory and id. */
async function writtenVault(t: { after(fn: () => void): void }): Promise<{ dir: string; vaultId: string; ledger: ReturnType<typeof memoryRevisionLedger> }> {
  const root = mkdtempSync(join(tmpdir(), 'kv-preload-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'vault');
  const doc = sampleVault(3, 2);
  const ledger = memoryRevisionLedger();
  const store = await VaultStore.open(dir);
  store.attachIntegrity({ vaultId: doc.VaultId, macKey: testMacKey(doc.VaultId), ledger });
  await store.create(doc);
  await store.transact((d) => void (d.Keys[Object.keys(d.Keys)[0]!]!.Description = 'first'));
  store.close();
  return { dir, vaultId: doc.VaultId, ledger };
}

async function preloaded(dir: string, vaultId: string, ledger: ReturnType<typeof memoryRevisionLedger>): Promise<VaultStore> {
  const store = await VaultStore.open(dir);
  store.preload();
  store.attachIntegrity({ vaultId, macKey: testMacKey(vaultId), ledger });
  return store;
}

test('a preloaded document opens with the usual checks and reads as the file', async (t) => {
  const { dir, vaultId, ledger } = await writtenVault(t);
  const store = await preloaded(dir, vaultId, ledger);
  t.after(() => store.close());
  await store.openChecked(ledger.read());
  assert.equal(store.read().Revision, 1);
  assert.equal(Object.values(store.read().Keys)[0]!.Description, 'first');
});

test('a preloaded file that was tampered with is refused when it is authenticated', async (t) => {
  const { dir, vaultId, ledger } = await writtenVault(t);
  const file = join(dir, 'vault.json');
  writeFileSync(file, readFileSync(file, 'utf8').replace('"first"', '"forged"'));
  const store = await preloaded(dir, vaultId, ledger);
  t.after(() => store.close());
  await assert.rejects(store.openChecked(ledger.read()), VaultIntegrityException);
  assert.throws(() => store.read(), VaultIntegrityException, 'and stays refused on the next read');
});

test('a file changed after the preload is read again: a newer commit is seen, a forged one refused', async (t) => {
  const { dir, vaultId, ledger } = await writtenVault(t);
  const store = await preloaded(dir, vaultId, ledger);
  t.after(() => store.close());
  // Another process commits after the preload, and records its revision before this open's ledger read answers.
  const other = await VaultStore.open(dir);
  other.attachIntegrity({ vaultId, macKey: testMacKey(vaultId), ledger });
  await other.transact((d) => void (d.Keys[Object.keys(d.Keys)[0]!]!.Description = 'second'));
  other.close();
  await store.openChecked(ledger.read());
  assert.equal(store.read().Revision, 2, 'no rollback is reported: the file is checked after the ledger answered');
  assert.equal(Object.values(store.read().Keys)[0]!.Description, 'second');

  const again = await preloaded(dir, vaultId, ledger);
  t.after(() => again.close());
  const file = join(dir, 'vault.json');
  writeFileSync(file, readFileSync(file, 'utf8').replace('"second"', '"forged"'));
  await assert.rejects(again.openChecked(ledger.read()), VaultIntegrityException);
});
