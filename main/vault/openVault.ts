/**
 * Opening (and on first use, creating) a vault directory. The root secret lives in the OS keychain
 * under `vault-<vault-id>`. An existing vault whose keychain entry is missing or wrong is refused:
 * a new root secret would orphan every key.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { AlreadyExistsException, KMSInvalidStateException } from '../core/errors.js';
import type { KeyRecord } from '../core/keyModel.js';
import { DEFAULT_KEY_ALIAS, KeyState } from '../core/keyModel.js';
import { DEFAULT_ROTATION_SECONDS } from '../core/rotationInterval.js';
import { deriveRootKeys, rootKeyCheckValue, ROOT_SECRET_BYTES } from '../crypto/rootKeys.js';
import { sealKeyMaterial } from '../crypto/sealing.js';
import type { Keychain } from '../keychain/keychain.js';
import { createKeytarKeychain, keychainAccountForVault } from '../keychain/keychain.js';
import type { VaultDocument } from '../store/vaultDocument.js';
import { VAULT_FORMAT_VERSION } from '../store/vaultDocument.js';
import { tightenVaultDirectory, tighteningAuditDetail } from '../store/vaultDirectory.js';
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
}

export async function openVault(opts: OpenVaultOptions): Promise<VaultService> {
  const keychain = opts.keychain ?? createKeytarKeychain();
  const clock = opts.clock ?? systemClock;
  const tightened = await tightenVaultDirectory(opts.dir);
  const store = await VaultStore.open(opts.dir);
  if (!store.exists()) {
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
  if (tightened) service.audit.append({ Time: clock.now().toISOString(), Operation: 'TightenVaultDirectory', Outcome: tightened.error ? 'Failure' : 'Success', Detail: tighteningAuditDetail(tightened) });
  if (opts.catchUp !== false) await service.runMaintenance();
  return service;
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
