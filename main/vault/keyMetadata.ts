/** The KMS views of a stored key: KeyMetadata and key version entries. */
import { versionStateFields } from '../core/versionStates.js';
import type * as Api from '../core/api.js';
import { keyArn } from '../core/keyIdentifier.js';
import type { AliasRecord, KeyRecord, KeyVersionRecord } from '../core/keyModel.js';
import { KeyState } from '../core/keyModel.js';
import { formatRotationInterval } from '../core/rotationInterval.js';
import { automaticRotationStatus, lastRotationDate, nextRotationDate } from '../core/rotationSchedule.js';
import type { VaultDocument } from '../store/vaultDocument.js';

export function aliasesByKey(doc: VaultDocument): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const a of Object.values(doc.Aliases)) {
    const list = map.get(a.TargetKeyId);
    if (list) list.push(a.AliasName);
    else map.set(a.TargetKeyId, [a.AliasName]);
  }
  return map;
}

export function metadata(doc: VaultDocument, key: KeyRecord, byKey?: Map<string, string[]>): Api.KeyMetadata {
  const aliases = byKey
    ? (byKey.get(key.KeyId) ?? [])
    : Object.values(doc.Aliases)
        .filter((a: AliasRecord) => a.TargetKeyId === key.KeyId)
        .map((a) => a.AliasName);
  const next = nextRotationDate(key);
  const last = lastRotationDate(key);
  const rotation = automaticRotationStatus(key);
  return {
    KeyId: key.KeyId,
    Arn: keyArn(doc.VaultId, key.KeyId),
    Description: key.Description,
    KeyState: key.KeyState,
    Enabled: key.KeyState === KeyState.Enabled,
    Origin: key.Origin,
    KeyManager: key.KeyManager,
    KeySpec: 'SYMMETRIC_DEFAULT',
    KeyUsage: 'ENCRYPT_DECRYPT',
    CreationDate: key.CreationDate,
    ...(key.DeletionDate ? { DeletionDate: key.DeletionDate } : {}),
    ...(key.DeletionDate && key.DeletionScheduledDate
      ? { PendingDeletionWindowInDays: Math.round((Date.parse(key.DeletionDate) - Date.parse(key.DeletionScheduledDate)) / 86_400_000) }
      : {}),
    ...(key.PrimaryKeyVersionId ? { PrimaryKeyVersion: key.PrimaryKeyVersionId } : {}),
    AutomaticRotation: rotation,
    ...(rotation !== 'Disabled' ? { RotationInterval: formatRotationInterval(key.Rotation.IntervalSeconds) } : {}),
    ...(last ? { LastRotationDate: last } : {}),
    ...(next ? { NextRotationDate: next.toISOString() } : {}),
    Aliases: aliases.sort(),
  };
}

export function versionEntry(key: KeyRecord, v: KeyVersionRecord): Api.KeyVersionEntry {
  return {
    KeyId: key.KeyId,
    KeyVersionId: v.KeyVersionId,
    CreationDate: v.CreationDate,
    RotationType: v.RotationType,
    IsPrimary: v.KeyVersionId === key.PrimaryKeyVersionId,
    ...versionStateFields(v),
  };
}
