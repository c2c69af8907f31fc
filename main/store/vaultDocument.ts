/** The JSON document a vault keeps in `<vault-dir>/vault.json`. Key material is only ever sealed. */
import type { FileInventoryRecord } from '../core/fileInventory.js';
import type { AliasRecord, KeyRecord } from '../core/keyModel.js';

export const VAULT_FORMAT_VERSION = 1;
export const VAULT_FILE_NAME = 'vault.json';

/** A secret the vault holds for the file engine (an age identity or a passphrase), sealed under the root key. */
export interface SealedSecretRecord {
  Id: string;
  Kind: 'X25519Identity' | 'Passphrase';
  /** Public part shown to users: the age1... recipient for an identity, a label for a passphrase. */
  Label: string;
  CreationDate: string;
  Sealed: string;
}

export interface RecoveryRecord {
  /** The root secret wrapped under the recovery passphrase, as an armored age scrypt file. */
  WrappedRootSecret: string;
  CreationDate: string;
}

export interface VaultDocument {
  FormatVersion: number;
  VaultId: string;
  CreationDate: string;
  /** Incremented on every durable commit; lets readers notice another process's write. */
  Revision: number;
  /** HMAC of a fixed label under the root key: tells a wrong keychain secret from a right one. */
  RootKeyCheck: string;
  Keys: Record<string, KeyRecord>;
  Aliases: Record<string, AliasRecord>;
  RecoveryRecipients: string[];
  Secrets: SealedSecretRecord[];
  Recovery?: RecoveryRecord;
  /** The root secret wrapped under the printed recovery key (`kvrk1:` + base64, see vault/recoveryKey.ts). */
  RecoveryKey?: RecoveryRecord;
  /** The latest time this vault has seen (core/clockPlausibility.ts): a clock far beyond it cannot destroy keys. */
  LastSeenDate?: string;
  /** Age files known to depend on a key version, by absolute path (core/fileInventory.ts). */
  Files?: Record<string, FileInventoryRecord>;
  /** When a backup was last exported (reminders: main/app/notifications.ts). */
  LastBackupDate?: string;
}
