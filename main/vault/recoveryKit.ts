/**
 * The recovery kit: the vault's 32-byte root secret, wrapped under a passphrase the user chooses, as
 * an armored age file (scrypt recipient) kept in the vault document (`Recovery.WrappedRootSecret`).
 * Anyone with the vault directory and the passphrase can put the root secret back into an OS
 * keychain; without the passphrase the wrapped secret reveals nothing (scrypt work factor 2^20).
 *
 * `recoverVault` works on a vault that cannot be opened normally (no keychain entry, or a wrong
 * one): it reads the document directly, never through openVault's create path.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { InvalidCiphertextException, KMSInternalException, KMSInvalidStateException, ValidationException } from '../core/errors.js';
import { checkNewPassphrase, checkPassphraseLength } from '../core/passphrasePolicy.js';
import { AgeDecryptionError, decryptBuffer, encryptBuffer, ScryptIdentity, ScryptRecipient } from '../crypto/age/index.js';
import { deriveRootKeys, rootKeyMatches, ROOT_SECRET_BYTES } from '../crypto/rootKeys.js';
import type { Keychain } from '../keychain/keychain.js';
import { createKeytarKeychain, keychainAccountForVault } from '../keychain/keychain.js';
import type { VaultDocument } from '../store/vaultDocument.js';
import { VAULT_FILE_NAME } from '../store/vaultDocument.js';
import { VaultStore } from '../store/vaultStore.js';
import { AuditLog } from './auditLog.js';
import { parseRecoveryKey, unwrapRootSecretWithKey } from './recoveryKey.js';

/**
 * What new kits and backups are written with: scrypt 2^20 (1 GiB of memory; measured 6.8 s on this
 * project's 2-core build machine under load, ~1-2 s on a current desktop). Each guess at a stolen
 * kit or backup costs an attacker the same.
 */
export const RECOVERY_SCRYPT_WORK_FACTOR = 20;
/** The largest work factor accepted when opening a kit or a backup (bounds the time and memory spent). */
export const MAX_ACCEPTED_WORK_FACTOR = 22;

/** Checks a passphrase that is about to protect something (a recovery kit or a backup): length and strength. */
export function validateNewPassphrase(passphrase: unknown, what: string): Promise<string> {
  return checkNewPassphrase(passphrase, what);
}

/** Checks a passphrase given to open something (any non-empty string within the one length cap). */
export function validateGivenPassphrase(passphrase: unknown, what: string): string {
  return checkPassphraseLength(passphrase, what);
}

/** Wraps the root secret under the passphrase: an armored age file with one scrypt stanza. */
export async function wrapRootSecret(rootSecret: Buffer, passphrase: string, workFactor = RECOVERY_SCRYPT_WORK_FACTOR): Promise<string> {
  if (rootSecret.length !== ROOT_SECRET_BYTES) throw new KMSInternalException('The root secret has the wrong length.');
  const file = await encryptBuffer(rootSecret, [new ScryptRecipient(passphrase, { workFactor })], { armor: true });
  return file.toString('latin1');
}

/**
 * Unwraps a recovery kit. A wrong passphrase is an InvalidCiphertextException saying so; a kit
 * that is not a well-formed age file is a KMSInternalException (the store was altered).
 */
export async function unwrapRootSecret(wrapped: string, passphrase: string): Promise<Buffer> {
  let secret: Buffer;
  try {
    secret = await decryptBuffer(Buffer.from(wrapped, 'latin1'), [new ScryptIdentity(passphrase, { maxWorkFactor: MAX_ACCEPTED_WORK_FACTOR })], {
      armor: true,
    });
  } catch (err) {
    if (err instanceof AgeDecryptionError && (err.stage === 'no-match' || err.stage === 'hmac')) {
      throw new InvalidCiphertextException('The recovery passphrase is not correct.', { cause: err });
    }
    throw new KMSInternalException(
      `The recovery kit in the vault document is damaged (${err instanceof Error ? err.message : String(err)}); use a backup instead.`,
      { cause: err },
    );
  }
  if (secret.length !== ROOT_SECRET_BYTES) {
    secret.fill(0);
    throw new KMSInternalException('The recovery kit does not hold a 32-byte root secret: the vault document was altered.');
  }
  return secret;
}

export interface RecoverVaultOptions {
  dir: string;
  /** The recovery passphrase, or */
  passphrase?: string;
  /** the printed recovery key (create-recovery-key), as typed. */
  recoveryKey?: string;
  keychain?: Keychain;
  clock?: Clock;
}

export interface RecoverVaultResponse {
  VaultId: string;
  VaultDirectory: string;
  /** The keychain entry written again (account name). */
  KeychainAccount: string;
}

/**
 * Puts the root secret back into the OS keychain from the recovery kit (passphrase) or the
 * recovery key. Needs no keychain entry (that is the point) and never creates a vault. Nothing
 * changes unless the secret unwraps and matches the vault's RootKeyCheck. A recovery key is
 * checked (format and per-group check symbols) before the vault is even read.
 */
export async function recoverVault(opts: RecoverVaultOptions): Promise<RecoverVaultResponse> {
  const byKey = opts.recoveryKey !== undefined;
  if (byKey === (opts.passphrase !== undefined)) throw new ValidationException('Give either the recovery passphrase or the recovery key.');
  const recoveryKey = byKey ? parseRecoveryKey(opts.recoveryKey) : null;
  const passphrase = byKey ? '' : validateGivenPassphrase(opts.passphrase, 'recovery passphrase');
  const keychain = opts.keychain ?? createKeytarKeychain();
  const clock = opts.clock ?? systemClock;
  if (!existsSync(join(resolve(opts.dir), VAULT_FILE_NAME))) throw new KMSInvalidStateException(`There is no vault in ${resolve(opts.dir)} to recover.`);
  const store = await VaultStore.open(opts.dir);
  try {
    if (!store.exists()) throw new KMSInvalidStateException(`There is no vault in ${store.dir} to recover.`);
    const doc: VaultDocument = store.read();
    let secret: Buffer;
    if (recoveryKey) {
      if (!doc.RecoveryKey) {
        throw new KMSInvalidStateException(
          `Vault ${doc.VaultId} has no recovery key, so it cannot be recovered this way; use the recovery passphrase or a backup.`,
        );
      }
      try {
        secret = unwrapRootSecretWithKey(doc.RecoveryKey.WrappedRootSecret, recoveryKey, doc.VaultId);
      } finally {
        recoveryKey.fill(0);
      }
    } else {
      if (!doc.Recovery) {
        throw new KMSInvalidStateException(
          `Vault ${doc.VaultId} has no recovery passphrase set, so it cannot be recovered this way; restore a backup instead.`,
        );
      }
      secret = await unwrapRootSecret(doc.Recovery.WrappedRootSecret, passphrase);
    }
    try {
      if (!rootKeyMatches(deriveRootKeys(secret, doc.VaultId), doc.RootKeyCheck)) {
        throw new KMSInternalException(
          `The recovery record does not hold the root secret of vault ${doc.VaultId} (the vault document was altered or mixed with another vault's).`,
        );
      }
      const account = keychainAccountForVault(doc.VaultId);
      await keychain.setSecret(account, secret);
      const audit = new AuditLog(join(store.dir, 'audit.log'), deriveRootKeys(secret, doc.VaultId).auditKey);
      const source = recoveryKey ? 'the recovery key' : 'the recovery kit';
      audit.append({
        Time: clock.now().toISOString(),
        Operation: 'RecoverVault',
        Outcome: 'Success',
        Detail: `root secret written to the OS keychain from ${source}`,
      });
      audit.close();
      return { VaultId: doc.VaultId, VaultDirectory: store.dir, KeychainAccount: account };
    } finally {
      secret.fill(0);
    }
  } finally {
    store.close();
  }
}
