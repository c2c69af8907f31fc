/**
 * The vault's revision floor, kept beside the root secret in the OS keychain (account
 * `vault-<id>-revision`) where a copy of vault.json put back in place cannot roll it back.
 *
 * It holds the highest Revision known to be durable on disk. It is written only after a commit's
 * rename and directory fsync, so it never runs ahead of the file: a crash at any point leaves the
 * floor at or below the file's revision (no false alarm), and an authentic file older than the
 * floor is a rollback. Its mere existence also says "this vault has been MACed": a document without
 * a MAC is then a stripped one, not a legacy one.
 */
import { KMSInternalException } from '../core/errors.js';
import type { RevisionLedger } from '../core/revisionLedger.js';
import type { Keychain } from './keychain.js';

export function revisionAccountForVault(vaultId: string): string {
  return `vault-${vaultId}-revision`;
}

const RECORD_VERSION = 1;

/** A RevisionLedger over the OS keychain: a small JSON record `{"V":1,"Revision":N}`. */
export function keychainRevisionLedger(keychain: Keychain, vaultId: string): RevisionLedger {
  const account = revisionAccountForVault(vaultId);
  return {
    async read() {
      const stored = await keychain.getSecret(account);
      if (stored === null) return null;
      let record: unknown;
      try {
        record = JSON.parse(stored.toString('utf8'));
      } catch {
        record = undefined;
      }
      const revision = typeof record === 'object' && record !== null && 'Revision' in record ? record.Revision : undefined;
      if (typeof revision !== 'number' || !Number.isSafeInteger(revision) || revision < 0) {
        throw new KMSInternalException(`The OS keychain entry "${account}" is not a Key Vault revision record.`);
      }
      return revision;
    },
    async settle(revision) {
      await keychain.setSecret(account, Buffer.from(JSON.stringify({ V: RECORD_VERSION, Revision: revision })));
    },
  };
}

/** An in-memory ledger (unit tests of the store; tools that must not touch the keychain). */
export function memoryRevisionLedger(initial: number | null = null): RevisionLedger & { value: number | null } {
  const ledger = {
    value: initial,
    read: () => Promise.resolve(ledger.value),
    settle: (revision: number) => {
      ledger.value = revision;
      return Promise.resolve();
    },
  };
  return ledger;
}
