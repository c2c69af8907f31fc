/**
 * The plaintext of a backup: one JSON document holding the whole vault, key material included, so a
 * backup stands alone (it does not need the root secret of the vault it came from). It is only ever
 * written inside an age file encrypted under a passphrase (backupFile.ts).
 *
 *   { Format: "keyvault-backup", FormatVersion: 1, ExportDate, VaultId, VaultCreationDate, Revision,
 *     Keys: { <KeyId>: <key record, each version carrying KeyMaterial (base64) instead of SealedMaterial> },
 *     Aliases, RecoveryRecipients, Secrets: [{ Id, Kind, Label, CreationDate, Secret (base64) }] }
 *
 * Converting back re-seals everything under a new root key and runs the store's own document
 * validation, so a backup that would make an invalid vault is refused before anything is written.
 */
import { ValidationException } from '../core/errors.js';
import type { AliasRecord, KeyRecord, KeyVersionRecord } from '../core/keyModel.js';
import { rootKeyCheckValue, type RootKeys } from '../crypto/rootKeys.js';
import { openKeyMaterial, openSecret, sealKeyMaterial, sealSecret } from '../crypto/sealing.js';
import { parseVaultDocument } from '../store/documentSchema.js';
import type { SealedSecretRecord, VaultDocument } from '../store/vaultDocument.js';
import { VAULT_FORMAT_VERSION } from '../store/vaultDocument.js';

export const BACKUP_FORMAT = 'keyvault-backup';
export const BACKUP_FORMAT_VERSION = 1;

export interface BackupVersion extends Omit<KeyVersionRecord, 'SealedMaterial'> {
  /** Absent only for a Destroyed version: its material no longer exists anywhere. */
  KeyMaterial?: string;
}
export interface BackupKey extends Omit<KeyRecord, 'Versions'> {
  Versions: BackupVersion[];
}
export interface BackupSecret extends Omit<SealedSecretRecord, 'Sealed'> {
  Secret: string;
}
export interface BackupDocument {
  Format: typeof BACKUP_FORMAT;
  FormatVersion: number;
  ExportDate: string;
  VaultId: string;
  VaultCreationDate: string;
  Revision: number;
  Keys: Record<string, BackupKey>;
  Aliases: Record<string, AliasRecord>;
  RecoveryRecipients: string[];
  Secrets: BackupSecret[];
}

/** Unseals every version and secret of `doc` (throws KMSInternalException on any that does not open). */
export function backupFromVault(doc: VaultDocument, sealKey: Buffer, exportDate: string): BackupDocument {
  const keys: Record<string, BackupKey> = {};
  for (const key of Object.values(doc.Keys)) {
    const { Versions, ...rest } = key;
    keys[key.KeyId] = {
      ...structuredClone(rest),
      Versions: Versions.map(({ SealedMaterial, ...v }) => {
        if (SealedMaterial === undefined) return { ...v };
        const material = openKeyMaterial(sealKey, doc.VaultId, key.KeyId, v.KeyVersionId, SealedMaterial);
        const encoded = material.toString('base64');
        material.fill(0);
        return { ...v, KeyMaterial: encoded };
      }),
    };
  }
  return {
    Format: BACKUP_FORMAT,
    FormatVersion: BACKUP_FORMAT_VERSION,
    ExportDate: exportDate,
    VaultId: doc.VaultId,
    VaultCreationDate: doc.CreationDate,
    Revision: doc.Revision,
    Keys: keys,
    Aliases: structuredClone(doc.Aliases),
    RecoveryRecipients: [...doc.RecoveryRecipients],
    Secrets: doc.Secrets.map(({ Sealed, ...s }) => {
      const secret = openSecret(sealKey, doc.VaultId, s.Id, s.Kind, Sealed);
      const encoded = secret.toString('base64');
      secret.fill(0);
      return { ...s, Secret: encoded };
    }),
  };
}

type Json = Record<string, unknown>;
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const isBase64 = (s: string): boolean => s.length > 0 && BASE64_RE.test(s);
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function bad(problem: string): never {
  throw new ValidationException(`The file is not a usable Key Vault backup: ${problem}.`);
}

function takeMaterial(v: Json, where: string): Buffer {
  const m = v.KeyMaterial;
  if (typeof m !== 'string' || !isBase64(m)) bad(`${where}.KeyMaterial is not base64`);
  const material = Buffer.from(m, 'base64');
  if (material.length !== 32) bad(`${where}.KeyMaterial is not 32 bytes`);
  return material;
}

/**
 * Turns backup JSON into a vault document sealed under `rootKeys`. Checks the backup's own shape
 * (format marker, material of 32 bytes per version), then the resulting document with the store's
 * validator; any defect is a ValidationException and nothing is produced.
 */
export function vaultFromBackup(json: unknown, rootKeys: RootKeys): VaultDocument {
  if (!isObject(json)) bad('it is not a JSON object');
  if (json.Format !== BACKUP_FORMAT) bad('the Format marker is missing');
  if (typeof json.FormatVersion !== 'number' || !Number.isInteger(json.FormatVersion) || json.FormatVersion < 1) bad('FormatVersion is missing');
  if (json.FormatVersion > BACKUP_FORMAT_VERSION) bad(`it was written by a newer Key Vault (format ${json.FormatVersion})`);
  const vaultId = json.VaultId;
  if (typeof vaultId !== 'string') bad('VaultId is missing');
  if (!isObject(json.Keys) || !isObject(json.Aliases) || !Array.isArray(json.Secrets) || !Array.isArray(json.RecoveryRecipients)) {
    bad('Keys, Aliases, Secrets or RecoveryRecipients is missing');
  }
  const keys: Record<string, unknown> = {};
  for (const [mapKey, k] of Object.entries(json.Keys)) {
    if (!isObject(k) || !Array.isArray(k.Versions)) bad(`key ${mapKey} has no Versions list`);
    const keyId = k.KeyId;
    if (typeof keyId !== 'string') bad(`key ${mapKey} has no KeyId`);
    const versions = k.Versions.map((v, i) => {
      if (!isObject(v)) bad(`key ${mapKey} version ${i} is not an object`);
      const { KeyMaterial: _material, ...rest } = v;
      if (v.KeyVersionState === 'Destroyed' && v.KeyMaterial === undefined) return rest;
      const material = takeMaterial(v, `Keys[${mapKey}].Versions[${i}]`);
      const versionId = typeof v.KeyVersionId === 'string' ? v.KeyVersionId : bad(`key ${mapKey} version ${i} has no KeyVersionId`);
      const sealed = sealKeyMaterial(rootKeys.sealKey, vaultId, keyId, versionId, material);
      material.fill(0);
      return { ...rest, SealedMaterial: sealed };
    });
    keys[mapKey] = { ...k, Versions: versions };
  }
  const secrets = json.Secrets.map((s, i) => {
    if (!isObject(s)) bad(`secret ${i} is not an object`);
    const { Secret, ...rest } = s;
    if (typeof Secret !== 'string' || !isBase64(Secret)) bad(`secret ${i} has no base64 Secret`);
    if (typeof s.Id !== 'string' || typeof s.Kind !== 'string') bad(`secret ${i} has no Id or Kind`);
    const plain = Buffer.from(Secret, 'base64');
    const sealed = sealSecret(rootKeys.sealKey, vaultId, s.Id, s.Kind, plain);
    plain.fill(0);
    return { ...rest, Sealed: sealed };
  });
  const doc: unknown = {
    FormatVersion: VAULT_FORMAT_VERSION,
    VaultId: vaultId,
    CreationDate: json.VaultCreationDate,
    Revision: typeof json.Revision === 'number' ? json.Revision : 0,
    RootKeyCheck: rootKeyCheckValue(rootKeys),
    Keys: keys,
    Aliases: json.Aliases,
    RecoveryRecipients: json.RecoveryRecipients,
    Secrets: secrets,
  };
  try {
    return parseVaultDocument(doc, 'backup');
  } catch (err) {
    bad(err instanceof Error ? err.message.replace(/^The vault document backup is not valid: /, '').replace(/\.$/, '') : String(err));
  }
}
