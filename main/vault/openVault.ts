/**
 * Opening (and on first use, creating) a vault directory. The root secret lives in the OS keychain
 * under `vault-<vault-id>`. An existing vault whose keychain entry is missing or wrong is refused:
 * a new root secret would orphan every key.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { AlreadyExistsException, DependencyTimeoutException, KMSInvalidStateException } from '../core/errors.js';
import type { KeyRecord } from '../core/keyModel.js';
import { DEFAULT_KEY_ALIAS, KeyState } from '../core/keyModel.js';
import { DEFAULT_ROTATION_SECONDS } from '../core/rotationInterval.js';
import { deriveRootKeys, rootKeyCheckValue, rootKeyMatches, ROOT_SECRET_BYTES } from '../crypto/rootKeys.js';
import { sealKeyMaterial } from '../crypto/sealing.js';
import type { Keychain } from '../keychain/keychain.js';
import { createKeytarKeychain, keychainAccountForVault } from '../keychain/keychain.js';
import type { VaultDocument } from '../store/vaultDocument.js';
import { VAULT_FORMAT_VERSION } from '../store/vaultDocument.js';
import { refuseDanglingEntry } from '../store/durableFileAdapter.js';
import { VaultStore } from '../store/vaultStore.js';
import { AuditLog } from './auditLog.js';
import { VaultService } from './vaultService.js';

export const AUDIT_FILE_NAME = 'audit.log';

export interface OpenVaultOptions {
  dir: string;
  keychain?: Keychain;
  clock?: Clock;
  /** Create the vault if the directory has none (default true). */
  create?: boolean;
  /** Run the rotation/deletion catch-up before returning (default true: every start catches up). */
  catchUp?: boolean;
}

export async function openVault(opts: OpenVaultOptions): Promise<VaultService> {
  const keychain = opts.keychain ?? createKeytarKeychain();
  const clock = opts.clock ?? systemClock;
  const store = await VaultStore.open(opts.dir);
  if (!store.exists()) {
    refuseDanglingEntry(store.file); // a dangling vault.json link (unmounted drive) is never replaced by a new vault
    if (opts.create === false) {
      throw new KMSInvalidStateException(`There is no vault in ${opts.dir}.`);
    }
    await createVaultDocument(store, keychain, clock);
  }
  const doc = store.read();
  const rootSecret = await readRootSecret(keychain, doc);
  const rootKeys = deriveRootKeys(rootSecret, doc.VaultId);
  rootSecret.fill(0);
  const service = new VaultService({ store, keychain, clock, rootKeys, audit: new AuditLog(join(opts.dir, AUDIT_FILE_NAME)) });
  if (opts.catchUp !== false) await service.runMaintenance();
  return service;
}

export async function readRootSecret(keychain: Keychain, doc: VaultDocument): Promise<Buffer> {
  const secret = await keychain.getSecret(keychainAccountForVault(doc.VaultId));
  if (!secret) {
    // A locked keychain whose unlock prompt cannot be shown answers reads with "nothing there".
    // Tell that apart from a really missing entry before sending the user to `recover`.
    await assertKeychainWritable(keychain);
    throw new KMSInvalidStateException(
      `The OS keychain has no root secret for vault ${doc.VaultId}. If this vault came from another machine or the keychain was reset, ` +
        'run `keyvault recover` with the recovery passphrase (or restore a backup); a new secret is never created for an existing vault.',
    );
  }
  if (secret.length !== ROOT_SECRET_BYTES || !rootKeyMatches(deriveRootKeys(secret, doc.VaultId), doc.RootKeyCheck)) {
    secret.fill(0);
    throw new KMSInvalidStateException(
      `The root secret in the OS keychain does not belong to vault ${doc.VaultId} (the entry was changed). Run \`keyvault recover\` with the recovery passphrase.`,
    );
  }
  return secret;
}

/**
 * Writes and deletes a throwaway entry. A keychain that refuses (locked, no unlock prompt possible,
 * not answering) is a DependencyTimeoutException: the vault's secret may well be in it.
 */
async function assertKeychainWritable(keychain: Keychain): Promise<void> {
  const probe = `probe-${randomUUID()}`;
  try {
    await keychain.setSecret(probe, randomBytes(ROOT_SECRET_BYTES));
  } catch (err) {
    throw new DependencyTimeoutException(
      `The OS keychain is locked or not answering, so the vault's root secret cannot be read: unlock the keychain (your login keyring) and try again. (${err instanceof Error ? err.message : String(err)})`,
      { cause: err },
    );
  }
  await keychain.deleteSecret(probe).catch(() => false);
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
    Versions: [{ KeyVersionId: versionId, CreationDate: iso, RotationType: 'INITIAL', SealedMaterial: sealKeyMaterial(keys.sealKey, vaultId, keyId, versionId, material) }],
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
    await store.create(newVaultDocument(vaultId, rootSecret, clock.now()));
  } catch (err) {
    await keychain.deleteSecret(keychainAccountForVault(vaultId)).catch(() => false);
    if (!(err instanceof AlreadyExistsException)) throw err;
    // Another process created the vault first: use theirs.
  } finally {
    rootSecret.fill(0);
  }
}
