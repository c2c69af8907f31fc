/**
 * The vault store's integrity checks: every load of vault.json is authenticated (its MAC, see
 * crypto/documentMac.ts) before any field is used, and must not be older than the highest
 * revision this process has seen or the keychain records (the revision floor). Anything else is a
 * VaultIntegrityException whose message says what to do.
 *
 * A document without a MAC is accepted only while `legacyAllowed` (the store sets it for one
 * upgrade at open, when the keychain holds no revision record yet, i.e. the vault was never MACed).
 */
import { VaultIntegrityException } from '../core/errors.js';
import { checkDocumentMac, checkDocumentMacBytes, dropDocumentMacMember, hasDocumentMacMember } from '../crypto/documentMac.js';
import { parseDocumentFrame, parseVaultDocument } from './documentSchema.js';
import { hasKeyLines } from './loadedKeyEntries.js';
import { assertDocumentDepth } from './durableFileAdapter.js';
import type { VaultDocument } from './vaultDocument.js';

export type { RevisionLedger } from '../core/revisionLedger.js';
import type { RevisionLedger } from '../core/revisionLedger.js';

/** What a store needs to authenticate its document: the MAC key and the revision ledger. */
export interface StoreIntegrity {
  vaultId: string;
  macKey: Buffer;
  ledger: RevisionLedger;
}

/** The advice every integrity failure carries. */
export const RESTORE_ADVICE =
  'Key Vault will not use it: nothing was written, encrypted or rotated. If you did not change it yourself, ' +
  'restore the last good copy, which is your most recent backup: `keyvault restore-backup --in <backup file> --force` ' +
  '(backups are the files export-backup wrote; changes made after that backup are lost). ' +
  '`keyvault verify-vault` shows what is wrong.';

export function integrityFailure(file: string, what: string): VaultIntegrityException {
  return new VaultIntegrityException(`The vault file ${file} ${what}. ${RESTORE_ADVICE}`);
}

export function rollbackFailure(file: string, revision: number, floor: number): VaultIntegrityException {
  return integrityFailure(
    file,
    `is an older copy of the vault (revision ${revision}; this vault has already reached revision ${floor}), put back in place of the current one`,
  );
}

export class DocumentAuthenticator {
  /** Highest revision accepted (or recorded in the ledger); an older document is a rollback. */
  floor = -1;
  /** True for the one load that may upgrade a never-MACed vault. */
  legacyAllowed = false;
  /** Whether the last accepted document had no MAC. */
  lastWasLegacy = false;

  constructor(readonly integrity: StoreIntegrity) {}

  /** Authenticates, validates and floor-checks one loaded document (`bytes`, or else `text`, is the file as read). */
  accept(json: unknown, file: string, text: string | undefined, bytes?: Buffer): VaultDocument {
    const key = this.integrity.macKey;
    const mac = bytes !== undefined ? checkDocumentMacBytes(bytes, key) : text === undefined ? 'absent' : checkDocumentMac(text, key);
    if (mac === 'invalid' || (mac === 'absent' && hasDocumentMacMember(json))) {
      throw integrityFailure(file, 'was changed outside Key Vault (its MAC does not match its content)');
    }
    if (mac === 'absent' && !this.legacyAllowed) {
      throw integrityFailure(file, 'has no MAC although this vault is authenticated (the MAC was removed or the file was replaced)');
    }
    dropDocumentMacMember(json);
    // A file Key Vault sealed in the line layout holds only records that were checked as they were
    // written (vaultStore.ts, seal): the MAC proves these are those bytes. Any other is walked whole,
    // after its nesting depth is bounded.
    const sealedAsWritten = mac === 'valid' && bytes !== undefined && hasKeyLines(bytes);
    if (!sealedAsWritten) assertDocumentDepth(json, file);
    const doc = sealedAsWritten ? parseDocumentFrame(json, file) : parseVaultDocument(json, file);
    if (doc.VaultId !== this.integrity.vaultId) throw integrityFailure(file, `belongs to another vault (${doc.VaultId})`);
    if (doc.Revision < this.floor) throw rollbackFailure(file, doc.Revision, this.floor);
    this.floor = doc.Revision;
    this.lastWasLegacy = mac === 'absent';
    return doc;
  }

  /** Raises the floor to a recorded revision; false when the current document is older (a rollback). */
  raiseFloor(recorded: number): void {
    if (recorded > this.floor) this.floor = recorded;
  }
}
