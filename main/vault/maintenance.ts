/** The vault as a whole: its info, the audit trail, and maintenance (rotation and deletion catch-up). */
import { maintenanceClock, type MaintenanceClock } from './maintenanceClock.js';
import type { VaultDocument } from '../store/vaultDocument.js';
import type * as Api from '../core/api.js';
import { ValidationException } from '../core/errors.js';
import { DEFAULT_AUDIT_LIMIT, MAX_AUDIT_LIMIT } from '../core/limits.js';
import { isDeletionDue, isRotationDue } from '../core/rotationSchedule.js';
import type { MaintenanceResult } from '../core/serviceTypes.js';
import type { Rotation, VaultContext } from './vaultContext.js';

export async function getVaultInfo(ctx: VaultContext): Promise<Api.VaultInfo> {
  const doc = ctx.store.read();
  let status: Api.VaultInfo['KeychainStatus'] = 'Available';
  try {
    const secret = await ctx.keychain.getSecret(`vault-${doc.VaultId}`);
    if (!secret) status = 'Unavailable';
    secret?.fill(0);
  } catch {
    status = 'Unavailable';
  }
  return {
    VaultId: doc.VaultId,
    VaultDirectory: ctx.store.dir,
    CreationDate: doc.CreationDate,
    KeychainStatus: status,
    KeyCount: Object.keys(doc.Keys).length,
  };
}

export async function listAuditEvents(ctx: VaultContext, req: Api.ListAuditEventsRequest = {}): Promise<Api.ListAuditEventsResponse> {
  let keyId: string | undefined;
  if (req?.KeyId) keyId = ctx.resolveKey(ctx.store.read(), req.KeyId).KeyId;
  const limit = req?.Limit ?? DEFAULT_AUDIT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_LIMIT) throw new ValidationException(`Limit must be 1 to ${MAX_AUDIT_LIMIT}.`);
  return { Events: ctx.audit.read({ ...(keyId ? { KeyId: keyId } : {}), Limit: limit }) };
}

/**
 * Catch-up: every due key rotates exactly once however many intervals were missed, and keys whose
 * deletion window has passed are purged, all in one durable write. Cheap when nothing is due.
 */
/** A maintenance run's view of the vault, taken once: the clock reading, the document, and what is due in it. */
export interface MaintenancePlan {
  now: Date;
  snapshot: VaultDocument;
  clock: MaintenanceClock;
}

export function planMaintenance(ctx: VaultContext, opts: { ConfirmClock?: boolean } = {}): MaintenancePlan {
  const now = ctx.clock.now();
  const snapshot = ctx.store.read();
  // Destruction needs a clock near what the vault has seen (core/clockPlausibility.ts).
  return { now, snapshot, clock: maintenanceClock(snapshot, now, opts?.ConfirmClock === true) };
}

export async function runMaintenance(ctx: VaultContext, opts: { ConfirmClock?: boolean } = {}, plan = planMaintenance(ctx, opts)): Promise<MaintenanceResult> {
  const { now, snapshot, clock } = plan;
  const snapshotRevision = snapshot.Revision;
  if (!clock.pending) return { Rotated: [], Deleted: [], ...clock.report };
  const rotations: Rotation[] = [];
  const deleted: string[] = [];
  await ctx.transact((doc) => {
    // On the very document the snapshot was (no commit since), only the keys it found are visited:
    // enumerating them all would mark every key changed, and the commit would re-stringify them all.
    const unchanged = doc === snapshot && doc.Revision === snapshotRevision;
    const keys = unchanged ? clock.keyIds.map((id) => doc.Keys[id]).filter((k) => k !== undefined) : Object.values(doc.Keys);
    const mayDestroy = clock.applyTo(doc, keys);
    for (const key of keys) {
      if (mayDestroy && isDeletionDue(key, now)) {
        delete doc.Keys[key.KeyId];
        for (const alias of Object.values(doc.Aliases)) if (alias.TargetKeyId === key.KeyId) delete doc.Aliases[alias.AliasName];
        deleted.push(key.KeyId);
      } else if (isRotationDue(key, now)) {
        rotations.push(ctx.rotateInDoc(doc, key, 'AUTOMATIC', now));
      }
    }
  });
  const iso = now.toISOString();
  for (const keyId of deleted) {
    ctx.audit.append({
      Time: iso,
      Operation: 'DeleteKey',
      KeyId: keyId,
      Outcome: 'Success',
      Detail: 'pending deletion window elapsed; key material destroyed',
    });
  }
  ctx.dropPurgedMaterial();
  const events = ctx.afterRotations(rotations);
  if (rotations.length > 0 || deleted.length > 0) ctx.changed();
  return { Rotated: events, Deleted: deleted, ...clock.report };
}
