/**
 * Store integrity for tests that use VaultStore directly (no keychain): a fixed MAC key per vault id
 * and a revision ledger kept in a small file, so child processes share it.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { RevisionLedger, StoreIntegrity } from '../../main/store/documentIntegrity.js';
import type { VaultStore } from '../../main/store/vaultStore.js';

export function testMacKey(vaultId: string): Buffer {
  return createHash('sha256').update(`test mac key for ${vaultId}`).digest();
}

/** A ledger in a JSON file (`null` content when missing). */
export function fileRevisionLedger(file: string): RevisionLedger {
  return {
    read: () => {
      try {
        return Promise.resolve((JSON.parse(readFileSync(file, 'utf8')) as { Revision: number }).Revision);
      } catch {
        return Promise.resolve(null);
      }
    },
    settle: (revision) => {
      writeFileSync(file, JSON.stringify({ Revision: revision }));
      return Promise.resolve();
    },
  };
}

/** Integrity for `vaultId`, its ledger in `<store dir>/../<vaultId>.ledger.json` (outside the vault directory). */
export function testIntegrity(store: VaultStore, vaultId: string): StoreIntegrity {
  return { vaultId, macKey: testMacKey(vaultId), ledger: fileRevisionLedger(`${store.dir}.${vaultId}.ledger.json`) };
}

/** Attaches test integrity for `vaultId` and returns the store. */
export function withTestIntegrity(store: VaultStore, vaultId: string): VaultStore {
  store.attachIntegrity(testIntegrity(store, vaultId));
  return store;
}
