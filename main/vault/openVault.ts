/**
 * Opening (and on first use, creating) a vault directory. The root secret lives in the OS keychain
 * under `vault-<vault-id>`. An existing vault whose keychain entry is missing or wrong is refused:
 * a new root secret would orphan every key.
 *
 * Only the vault id and root key check are read before the root secret is known; then the store
 * authenticates the whole document (MAC, revision floor in the keychain) before anything uses it,
 * and a vault from before the MAC is upgraded once, here, and the audit log says so.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { AlreadyExistsException, KMSInvalidStateException, VaultIntegrityException } from '../core/errors.js';
import type { KeyRecord } from '../core/keyModel.js';
import { DEFAULT_KEY_ALIAS, KeyState } from '../core/keyModel.js';
import { DEFAULT_ROTATION_SECONDS } from '../core/rotationInterval.js';
import { deriveRootKeys, rootKeyCheckValue, ROOT_SECRET_BYTES } from '../crypto/rootKeys.js';
import { sealKeyMaterial } from '../crypto/sealing.js';
import type { RootKeys } from '../crypto/rootKeys.js';
import type { Keychain } from '../keychain/keychain.js';
import { createKeytarKeychain, keychainAccountForVault } from '../keychain/keychain.js';
import { keychainRevisionLedger } from '../keychain/revisionRecord.js';
import type { StoreIntegrity } from '../store/documentIntegrity.js';
import type { VaultDocument } from '../store/vaultDocument.js';
import { VAULT_FORMAT_VERSION } from '../store/vaultDocument.js';
import { tightenVaultDirectory, tighteningAuditDetail } from '../store/vaultDirectory.js';
import { refuseDanglingEntry } from '../store/durableFileAdapter.js';
import { VaultStore } from '../store/vaultStore.js';
import { AuditLog } from './auditLog.js';
import { readRootSecret } from './rootSecret.js';
import { VaultService } from './vaultService.js';

export { readRootSecret } from './rootSecret.js';

export const AUDIT_FILE_NAME = 'audit.log';

export interface OpenVaultOptions {
  dir: string;
  keychain?: Keychain;
  clock?: Clock;
  /** Create the vault if the directory has none (default true). */
  create?: boolean;
  /** Run the rotation/deletion catch-up before returning (default true: every start catches up). */
  catchUp?: boolean;
  /** Long-running processes (the app): write each commit's revision floor after the commit returns (see VaultStoreOptions). */
  settleInBackground?: boolean;
}

export async function openVault(opts: OpenVaultOptions): Promise<VaultService> {
  const keychain = opts.keychain ?? createKeytarKeychain();
  const clock = opts.clock ?? systemClock;
  const tightened = await tightenVaultDirectory(opts.dir);
  const store = await VaultStore.open(opts.dir, { settleInBackground: opts.settleInBackground ?? false });
  if (!store.exists()) {
    refuseDanglingEntry(store.file); // a dangling vault.json link (unmounted drive) is never replaced by a new vault
    if (opts.create === false) {
      throw new KMSInvalidStateException(`There is no vault in ${opts.dir}.`);
    }
    await createVaultDocument(store, keychain, clock);
  }
  const identity = store.peekIdentity();
  if (!identity) throw new KMSInvalidStateException(`There is no vault in ${opts.dir}.`);
  // The keychain's two round trips (root secret, revision floor) are under way while the file is
  // read and parsed; nothing in it is used before its MAC is checked under the root secret.
  const ledger = keychainRevisionLedger(keychain, identity.VaultId);
  const recordedRead = ledger.read();
  const secretRead = readRootSecret(keychain, identity);
  recordedRead.catch(() => undefined); // awaited below, unless the secret fails first
  secretRead.catch(() => undefined);
  store.preload();
  let rootSecret: Buffer;
  try {
    rootSecret = await secretRead;
  } catch (err) {
    store.close(); // the preload's descriptor
    throw err;
  }
  const rootKeys = deriveRootKeys(rootSecret, identity.VaultId);
  rootSecret.fill(0);
  store.attachIntegrity({ vaultId: identity.VaultId, macKey: rootKeys.macKey, ledger });
  const audit = new AuditLog(join(store.dir, AUDIT_FILE_NAME), rootKeys.auditKey);
  try {
    const opened = await store.openChecked(recordedRead);
    if (opened.upgradedFromRevision !== undefined) {
      audit.append({
        Time: clock.now().toISOString(),
        Operation: 'AuthenticateVault',
        Outcome: 'Success',
        Detail: `vault.json (revision ${opened.upgradedFromRevision}) had no MAC yet: it is now authenticated, and its revision is recorded in the OS keychain`,
      });
    }
    checkAuditChain(audit);
  } catch (err) {
    audit.close();
    store.close();
    throw err;
  }
  const service = new VaultService({ store, keychain, clock, rootKeys, audit });
  if (tightened)
    service.audit.append({
      Time: clock.now().toISOString(),
      Operation: 'TightenVaultDirectory',
      Outcome: tightened.error ? 'Failure' : 'Success',
      Detail: tighteningAuditDetail(tightened),
    });
  if (opts.catchUp !== false) await service.runMaintenance();
  return service;
}

/**
 * The newest part of the audit log must be an unbroken chain (a torn last line is repaired first).
 * A log that cannot be opened at all is left to the appends' own warning, as before.
 */
function checkAuditChain(audit: AuditLog): void {
  try {
    audit.open();
  } catch {
    return;
  }
  const chain = audit.checkTail();
  if (chain && chain.altered + chain.unlinked + chain.unchained > 0) {
    throw new VaultIntegrityException(
      `The audit log ${audit.file} was changed outside Key Vault (lines edited, deleted, moved or inserted). Key Vault will not use the vault until ` +
        'this is looked at: nothing was written, encrypted or rotated. Keep the log as evidence and move it aside (rename audit.log); the vault then ' +
        'opens and starts a new log. `keyvault verify-vault` shows what is wrong; if vault.json may have been changed too, restore your most recent backup.',
    );
  }
}

/** The store's integrity for a vault: its MAC key and the revision floor beside its root secret. */
export function vaultIntegrity(keychain: Keychain, vaultId: string, rootKeys: RootKeys): StoreIntegrity {
  return { vaultId, macKey: rootKeys.macKey, ledger: keychainRevisionLedger(keychain, vaultId) };
}

/** Builds the document of a new vault holding the app-managed default key. */
export function newVaultDocument(vaultId: string, rootSecret: Buffer, now: Date): VaultDocument {
  const keys = deriveRootKeys(rootSecret, vaultId);
  const iso = now.toISOString();
  const keyId = randomUUID();
  const versionId = randomUUID();
  const material = randomBytes(32);
  const defaultKey: KeyRecord = {
    KeyId: keyId,
    Description: 'Default key managed by Key Vault',
    KeyState: KeyState.Enabled,
    Origin: 'VAULT',
    KeyManager: 'VAULT',
    CreationDate: iso,
    PrimaryKeyVersionId: versionId,
    Rotation: { Enabled: true, IntervalSeconds: DEFAULT_ROTATION_SECONDS, AnchorDate: iso },
    Versions: [
      {
        KeyVersionId: versionId,
        CreationDate: iso,
        RotationType: 'INITIAL',
        SealedMaterial: sealKeyMaterial(keys.sealKey, vaultId, keyId, versionId, material),
      },
    ],
  };
  material.fill(0);
  return {
    FormatVersion: VAULT_FORMAT_VERSION,
    VaultId: vaultId,
    CreationDate: iso,
    Revision: 0,
    RootKeyCheck: rootKeyCheckValue(keys),
    Keys: { [keyId]: defaultKey },
    Aliases: { [DEFAULT_KEY_ALIAS]: { AliasName: DEFAULT_KEY_ALIAS, TargetKeyId: keyId, CreationDate: iso } },
    RecoveryRecipients: [],
    Secrets: [],
    LastSeenDate: iso,
  };
}

async function createVaultDocument(store: VaultStore, keychain: Keychain, clock: Clock): Promise<void> {
  const vaultId = randomUUID();
  const rootSecret = randomBytes(ROOT_SECRET_BYTES);
  // The keychain entry is written first: a crash in between leaves only an unused keychain entry,
  // never a vault without its secret.
  await keychain.setSecret(keychainAccountForVault(vaultId), rootSecret);
  try {
    store.attachIntegrity(vaultIntegrity(keychain, vaultId, deriveRootKeys(rootSecret, vaultId)));
    await store.create(newVaultDocument(vaultId, rootSecret, clock.now()));
  } catch (err) {
    await keychain.deleteSecret(keychainAccountForVault(vaultId)).catch(() => false);
    if (!(err instanceof AlreadyExistsException)) throw err;
    // Another process created the vault first: use theirs.
  } finally {
    rootSecret.fill(0);
  }
}
