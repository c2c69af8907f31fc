/**
 * What the file engine needs from the vault, and nothing more. The vault implements it
 * (vault/vaultFilePort.ts) and hands it to the FileService; main/files never imports main/vault.
 *
 * Key material comes with the key state rules applied (a disabled key is a DisabledException),
 * exactly as for the small-data operations.
 */
import type * as Api from '../core/api.js';
import type { Identity, Stanza } from '../crypto/age/index.js';
import type { VaultKeyMaterialSource } from '../crypto/vaultStanza.js';

export interface VaultPort extends VaultKeyMaterialSource {
  /** Runs a job as one audited operation: success or failure, with the key it names (detail: the file's name). */
  audited<T>(operation: string, keyRef: string | undefined, fn: () => Promise<T>, detail?: string): Promise<T>;
  /** Tells listeners how far a job has come. */
  progress(event: Api.FileProgressEvent): void;
  /** The vault's recovery recipients (age1...): every new file is wrapped to each of them too. */
  recoveryRecipients(): readonly string[];
  /** The stored identities and passphrases that could open a header with these stanzas. */
  storedIdentities(stanzas: readonly Stanza[]): Identity[];
  /** Authenticates re-encrypt journals (rewrapJournal.ts); derived from the root secret. */
  readonly journalKey: Buffer;
  /** The primary version id of a key, or undefined if the vault has no such key. */
  primaryVersionOf(keyId: string): string | undefined;
}
