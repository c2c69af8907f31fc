/**
 * Restoring a backup into a directory. Works on a machine that has neither the vault nor its
 * keychain entry (it never goes through openVault's create path), and is ordered so that a crash
 * at any moment leaves something that opens without the backup file:
 *
 * 1. Everything that can fail on bad input (decrypting, parsing the backup) happens before any write.
 * 2. The vault lock of the directory is taken, and only then is the keychain read or written.
 * 3. Which root secret the restored document is sealed under:
 *    - the directory holds this same vault and the keychain holds its matching secret: that secret
 *      is reused, so the keychain is not touched and the restore is one atomic document replace;
 *    - the keychain holds an entry for the backup's vault id that is not this directory's vault:
 *      another copy of the vault (the live one, perhaps elsewhere) uses it. The restored copy gets
 *      its OWN vault id and keychain entry, so the live vault is never touched;
 *    - no entry: a new secret is stored under the backup's vault id. A crash before the document
 *      is written leaves only that unused entry; whatever the directory held is unchanged (a
 *      different vault keeps its own entry; this vault had no working entry, and `recover` still
 *      applies to it).
 * 4. The document is written through the store (VaultStore.replaceAll), the one commit path.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, basename, resolve } from 'node:path';
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { AlreadyExistsException, KMSInternalException, ValidationException } from '../core/errors.js';
import { parseIdentityFile, type X25519Identity } from '../crypto/age/index.js';
import { deriveRootKeys, rootKeyMatches, ROOT_SECRET_BYTES, type RootKeys } from '../crypto/rootKeys.js';
import type { Keychain } from '../keychain/keychain.js';
import { createKeytarKeychain, keychainAccountForVault } from '../keychain/keychain.js';
import { VAULT_FILE_NAME, type VaultDocument } from '../store/vaultDocument.js';
import { VaultStore } from '../store/vaultStore.js';
import { archiveAuditLog, AuditLog } from './auditLog.js';
import { openBackup, readBackupFile, type BackupKey } from './backupFile.js';
import { vaultFromBackup } from './backupFormat.js';
import { vaultIntegrity } from './openVault.js';
import { validateGivenPassphrase } from './recoveryKit.js';

/** Points of a restore a test may stop at (test-only hook; the product never sets it). */
export type RestoreStep = 'locked' | 'keychain-written' | 'committed';

export interface RestoreBackupOptions {
  dir: string;
  inPath: string;
  /** The backup passphrase, or */
  passphrase?: string;
  /** the text of an age identity file (AGE-SECRET-KEY-1...) for a backup made to recipients. */
  identityFileText?: string;
  keychain?: Keychain;
  clock?: Clock;
  /** Replace an existing vault in `dir`. */
  force?: boolean;
  /** TEST-ONLY: called at each step, so a crash test can kill the process there. */
  onStep?: (step: RestoreStep) => Promise<void> | void;
}

export interface RestoreBackupResponse {
  VaultId: string;
  VaultDirectory: string;
  KeyCount: number;
  VersionCount: number;
  /** Always false: the recovery kit wrapped the old root secret; set a recovery passphrase again. */
  RecoveryPassphraseSet: boolean;
  /** The vault id in the backup; differs from VaultId when the restored copy got its own identity. */
  SourceVaultId: string;
  /** Set when the restored copy got its own vault id because the backup's vault is in use on this machine. */
  Note?: string;
}

function backupKey(opts: RestoreBackupOptions): BackupKey {
  if ((opts.passphrase === undefined) === (opts.identityFileText === undefined)) {
    throw new ValidationException('Give either the backup passphrase or an identity file, not both.');
  }
  if (opts.identityFileText !== undefined) {
    let identities: X25519Identity[];
    try {
      identities = parseIdentityFile(opts.identityFileText);
    } catch (err) {
      throw new ValidationException(`The identity file is not usable: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    return { identities };
  }
  return { passphrase: validateGivenPassphrase(opts.passphrase, 'backup passphrase') };
}

interface SecretChoice {
  vaultId: string;
  secret: Buffer;
  /** The keychain account this restore wrote (to undo on failure), if any. */
  written: string | null;
}

/** Step 3 of the module comment; runs under the vault lock. */
async function chooseRootSecret(keychain: Keychain, sourceId: string, current: Pick<VaultDocument, 'VaultId' | 'RootKeyCheck'> | null): Promise<SecretChoice> {
  const existing = await keychain.getSecret(keychainAccountForVault(sourceId));
  if (existing) {
    const ours =
      current?.VaultId === sourceId && existing.length === ROOT_SECRET_BYTES && rootKeyMatches(deriveRootKeys(existing, sourceId), current.RootKeyCheck);
    if (ours) return { vaultId: sourceId, secret: existing, written: null };
    existing.fill(0);
  }
  const vaultId = existing ? randomUUID() : sourceId;
  const secret = randomBytes(ROOT_SECRET_BYTES);
  const account = keychainAccountForVault(vaultId);
  await keychain.setSecret(account, secret);
  return { vaultId, secret, written: account };
}

export async function restoreBackup(opts: RestoreBackupOptions): Promise<RestoreBackupResponse> {
  const key = backupKey(opts);
  const keychain = opts.keychain ?? createKeytarKeychain();
  const clock = opts.clock ?? systemClock;
  const inPath = resolve(opts.inPath);
  // The cheap refusal first, before seconds of scrypt (checked again under the lock).
  if (!opts.force && existsSync(join(resolve(opts.dir), VAULT_FILE_NAME))) {
    throw new AlreadyExistsException(`A vault already exists in ${resolve(opts.dir)}; restoring would replace it. Ask to force the restore to replace it.`);
  }
  const json = await openBackup(await readBackupFile(inPath), key);
  const sourceId = typeof json === 'object' && json !== null && 'VaultId' in json && typeof json.VaultId === 'string' ? json.VaultId : '';
  // Refuses a malformed backup before the lock or the keychain are touched (sealed under a throwaway key).
  const throwaway = randomBytes(ROOT_SECRET_BYTES);
  vaultFromBackup(json, deriveRootKeys(throwaway, sourceId));
  throwaway.fill(0);

  const store = await VaultStore.open(opts.dir);
  try {
    if (store.exists() && !opts.force) {
      throw new AlreadyExistsException(`A vault already exists in ${store.dir}; restoring would replace it. Ask to force the restore to replace it.`);
    }
    const made: { choice?: SecretChoice; doc?: VaultDocument; rootKeys?: RootKeys } = {};
    try {
      await store.replaceAll(async (current) => {
        await opts.onStep?.('locked');
        if (store.exists() && !opts.force) throw new AlreadyExistsException(`A vault appeared in ${store.dir} meanwhile; nothing was restored.`);
        const choice = (made.choice = await chooseRootSecret(keychain, sourceId, current));
        if (choice.written) await opts.onStep?.('keychain-written');
        const rootKeys = (made.rootKeys = deriveRootKeys(choice.secret, choice.vaultId));
        made.doc = vaultFromBackup({ ...(json as object), VaultId: choice.vaultId }, rootKeys);
        return { doc: made.doc, integrity: vaultIntegrity(keychain, choice.vaultId, rootKeys) };
      });
    } catch (err) {
      // Nothing else uses an entry this restore just created: remove it.
      if (made.choice?.written) await keychain.deleteSecret(made.choice.written).catch(() => false);
      throw err;
    } finally {
      made.choice?.secret.fill(0);
    }
    await opts.onStep?.('committed');
    const restored = made.doc;
    if (!restored || !made.rootKeys) throw new KMSInternalException('internal: the restore committed no document');
    const renamed = restored.VaultId !== sourceId;
    // The old log's chain was keyed by the replaced root secret: keep it aside and start a new chain.
    const archived = archiveAuditLog(join(store.dir, 'audit.log'), clock.now());
    const audit = new AuditLog(join(store.dir, 'audit.log'), made.rootKeys.auditKey);
    if (archived)
      audit.append({
        Time: clock.now().toISOString(),
        Operation: 'StartAuditChain',
        Outcome: 'Success',
        Detail: `the log before the restore is ${basename(archived)}`,
      });
    audit.append({
      Time: clock.now().toISOString(),
      Operation: 'RestoreBackup',
      Outcome: 'Success',
      Detail: `restored from ${basename(inPath)}${renamed ? ` as a new vault (vault ${sourceId} is in use on this machine)` : ''}`,
    });
    audit.close();
    const keys = Object.values(restored.Keys);
    return {
      VaultId: restored.VaultId,
      VaultDirectory: store.dir,
      KeyCount: keys.length,
      VersionCount: keys.reduce((n, k) => n + k.Versions.length, 0),
      RecoveryPassphraseSet: false,
      SourceVaultId: sourceId,
      ...(renamed
        ? {
            Note: `The OS keychain already holds the root secret of vault ${sourceId} (a vault in use on this machine), so this copy got its own vault id and keychain entry; the vault in use is untouched.`,
          }
        : {}),
    };
  } finally {
    store.close();
  }
}
