/**
 * Rotation schedule rules, as pure functions of a key record and "now".
 *
 * - NextRotationDate = anchor + interval; the anchor is the last automatic rotation, or the moment
 *   rotation was (re-)enabled if none since.
 * - LastRotationDate is the creation date of the newest version, whatever made it.
 * - Only an Enabled key with rotation enabled and VAULT origin has a schedule; a Disabled or
 *   PendingDeletion key keeps its policy but is Suspended.
 */
import type { AutomaticRotation, KeyRecord, KeyVersionRecord, RotationType } from './keyModel.js';
import { KeyState } from './keyModel.js';
import { intervalMs } from './rotationInterval.js';

export function scheduleAnchor(key: KeyRecord): Date | undefined {
  return key.Rotation.AnchorDate ? new Date(key.Rotation.AnchorDate) : undefined;
}

/** The anchor as epoch milliseconds (what a start-up scan of every key compares, without a Date each). */
export function scheduleAnchorTime(key: KeyRecord): number | undefined {
  return key.Rotation.AnchorDate ? Date.parse(key.Rotation.AnchorDate) : undefined;
}

/** scheduledRotationDate() as epoch milliseconds. */
function scheduledRotationTime(key: KeyRecord): number | undefined {
  if (key.Origin !== 'VAULT' || !key.Rotation.Enabled) return undefined;
  const anchor = scheduleAnchorTime(key);
  return anchor === undefined ? undefined : anchor + intervalMs(key.Rotation.IntervalSeconds);
}

/** When rotation would next happen if the key were active, regardless of its state. */
export function scheduledRotationDate(key: KeyRecord): Date | undefined {
  const next = scheduledRotationTime(key);
  return next === undefined ? undefined : new Date(next);
}

/** NextRotationDate as reported: only while the schedule is running (key Enabled). */
export function nextRotationDate(key: KeyRecord): Date | undefined {
  if (key.KeyState !== KeyState.Enabled) return undefined;
  return scheduledRotationDate(key);
}

/** Whether nextRotationDate(key) is at or before `now`. */
export function isRotationDue(key: KeyRecord, now: Date): boolean {
  if (key.KeyState !== KeyState.Enabled) return false;
  const next = scheduledRotationTime(key);
  return next !== undefined && now.getTime() >= next;
}

export function lastRotationDate(key: KeyRecord): string | undefined {
  return newestVersion(key)?.CreationDate;
}

export function newestVersion(key: KeyRecord): KeyVersionRecord | undefined {
  return key.Versions[key.Versions.length - 1];
}

export function automaticRotationStatus(key: KeyRecord): AutomaticRotation {
  if (key.Origin !== 'VAULT' || !key.Rotation.Enabled) return 'Disabled';
  return key.KeyState === KeyState.Enabled ? 'Enabled' : 'Suspended';
}

/** GetKeyRotationStatus: unchanged by disabling the key, false while deletion is pending. */
export function keyRotationEnabled(key: KeyRecord): boolean {
  if (key.KeyState === KeyState.PendingDeletion) return false;
  return key.Rotation.Enabled;
}

/** Adds a new primary version; an automatic rotation restarts the schedule from now. */
export function applyRotation(key: KeyRecord, version: KeyVersionRecord, type: RotationType, now: Date, nowIso = now.toISOString()): void {
  version.RotationType = type;
  key.Versions.push(version);
  key.PrimaryKeyVersionId = version.KeyVersionId;
  if (type === 'AUTOMATIC') key.Rotation.AnchorDate = nowIso;
}

export interface PolicyChange {
  enabled: boolean;
  intervalSeconds?: number;
}

/**
 * Applies a rotation policy change. Returns true when the new policy puts the next rotation in the
 * past, in which case the caller rotates now (an AUTOMATIC rotation, which restarts the schedule).
 */
export function applyPolicyChange(key: KeyRecord, change: PolicyChange, now: Date): boolean {
  const wasEnabled = key.Rotation.Enabled;
  if (change.intervalSeconds !== undefined) key.Rotation.IntervalSeconds = change.intervalSeconds;
  if (!change.enabled) {
    key.Rotation.Enabled = false;
    return false;
  }
  key.Rotation.Enabled = true;
  if (!wasEnabled || !key.Rotation.AnchorDate) {
    key.Rotation.AnchorDate = now.toISOString();
    return false;
  }
  return isRotationDue(key, now);
}

/**
 * A key pending deletion is purged once its window has passed. If the clock reads earlier than the
 * moment deletion was scheduled (the clock moved back), nothing is purged.
 */
export function isDeletionDue(key: KeyRecord, now: Date): boolean {
  if (key.KeyState !== KeyState.PendingDeletion || !key.DeletionDate) return false;
  const t = now.getTime();
  if (key.DeletionScheduledDate && t < new Date(key.DeletionScheduledDate).getTime()) return false;
  return t >= new Date(key.DeletionDate).getTime();
}

/**
 * A schedule anchored after `now` was set by a clock that ran ahead (a rotation at a wrong date):
 * left alone it would not rotate again for as long as the clock was wrong. Re-anchors it at `now`
 * and returns true when it did. A small tolerance absorbs ordinary clock adjustments.
 */
export function reanchorFutureSchedule(key: KeyRecord, now: Date, toleranceMs = 60 * 60_000): boolean {
  const anchor = scheduleAnchor(key);
  if (!anchor || anchor.getTime() <= now.getTime() + toleranceMs) return false;
  key.Rotation.AnchorDate = now.toISOString();
  return true;
}

/** True when the key's schedule is anchored after `now` (beyond the tolerance). */
export function isAnchoredInFuture(key: KeyRecord, now: Date, toleranceMs = 60 * 60_000): boolean {
  const anchor = scheduleAnchor(key);
  return anchor !== undefined && anchor.getTime() > now.getTime() + toleranceMs;
}
