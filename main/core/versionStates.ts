/**
 * Key version states, as pure functions of a key record and "now".
 *
 * - A version is Enabled (also when the store has no state for it), Disabled, PendingDestruction
 *   or Destroyed. Only an Enabled version encrypts or decrypts.
 * - The primary version is always Enabled: it cannot be disabled or scheduled for destruction.
 * - Destruction happens once the window has passed and never on a clock that reads earlier than
 *   the moment it was scheduled (the same rules as key deletion in rotationSchedule.ts).
 * - Destroying erases the sealed material; a destroyed version never comes back.
 */
import { KMSInvalidStateException, ValidationException } from './errors.js';
import type { KeyRecord, KeyVersionRecord } from './keyModel.js';
import { KeyVersionState } from './keyModel.js';

export const MIN_VERSION_DESTRUCTION_DAYS = 7;
export const MAX_VERSION_DESTRUCTION_DAYS = 30;
const DAY_MS = 86_400_000;

export function versionState(v: KeyVersionRecord): KeyVersionState {
  return v.KeyVersionState ?? KeyVersionState.Enabled;
}

const name = (key: KeyRecord, v: KeyVersionRecord): string => `Version ${v.KeyVersionId} of key ${key.KeyId}`;

/** Refuses to use a version's material unless it is Enabled; the message names the version. */
export function checkVersionUsable(key: KeyRecord, v: KeyVersionRecord): void {
  switch (versionState(v)) {
    case KeyVersionState.Enabled:
      return;
    case KeyVersionState.Disabled:
      throw new KMSInvalidStateException(`${name(key, v)} is disabled: enable the version to decrypt under it.`);
    case KeyVersionState.PendingDestruction:
      throw new KMSInvalidStateException(`${name(key, v)} is pending destruction (on ${v.DestructionDate}); cancel the destruction to use it.`);
    case KeyVersionState.Destroyed:
      throw new KMSInvalidStateException(`${name(key, v)} was destroyed (on ${v.DestroyedDate}): data under it can no longer be decrypted.`);
  }
}

function refusePrimary(key: KeyRecord, v: KeyVersionRecord, verb: string): void {
  if (v.KeyVersionId === key.PrimaryKeyVersionId) {
    throw new KMSInvalidStateException(`${name(key, v)} is the primary version and cannot be ${verb}; rotate the key first.`);
  }
}

/** Enabled -> Disabled (already Disabled: no change). */
export function disableVersion(key: KeyRecord, v: KeyVersionRecord): void {
  refusePrimary(key, v, 'disabled');
  const state = versionState(v);
  if (state === KeyVersionState.Disabled) return;
  if (state !== KeyVersionState.Enabled) throw new KMSInvalidStateException(`${name(key, v)} is ${state} and cannot be disabled.`);
  v.KeyVersionState = KeyVersionState.Disabled;
}

/** Disabled -> Enabled (already Enabled: no change). A version pending destruction is cancelled instead. */
export function enableVersion(key: KeyRecord, v: KeyVersionRecord): void {
  const state = versionState(v);
  if (state === KeyVersionState.Enabled) return;
  if (state !== KeyVersionState.Disabled) throw new KMSInvalidStateException(`${name(key, v)} is ${state} and cannot be enabled.`);
  delete v.KeyVersionState;
}

export function checkDestructionWindow(days: unknown): number {
  if (typeof days !== 'number' || !Number.isInteger(days) || days < MIN_VERSION_DESTRUCTION_DAYS || days > MAX_VERSION_DESTRUCTION_DAYS) {
    throw new ValidationException(
      `PendingWindowInDays must be a whole number from ${MIN_VERSION_DESTRUCTION_DAYS} to ${MAX_VERSION_DESTRUCTION_DAYS}; got ${String(days)}.`,
    );
  }
  return days;
}

/** Enabled or Disabled -> PendingDestruction, `days` from now. */
export function scheduleVersionDestruction(key: KeyRecord, v: KeyVersionRecord, days: number, now: Date): void {
  checkDestructionWindow(days);
  refusePrimary(key, v, 'scheduled for destruction');
  const state = versionState(v);
  if (state === KeyVersionState.PendingDestruction) {
    throw new KMSInvalidStateException(`${name(key, v)} is already pending destruction (on ${v.DestructionDate}).`);
  }
  if (state === KeyVersionState.Destroyed) throw new KMSInvalidStateException(`${name(key, v)} is already destroyed.`);
  v.KeyVersionState = KeyVersionState.PendingDestruction;
  v.DestructionScheduledDate = now.toISOString();
  v.DestructionDate = new Date(now.getTime() + days * DAY_MS).toISOString();
}

/** PendingDestruction -> Disabled (as a cancelled key deletion comes back Disabled). */
export function cancelVersionDestruction(key: KeyRecord, v: KeyVersionRecord): void {
  const state = versionState(v);
  if (state !== KeyVersionState.PendingDestruction) throw new KMSInvalidStateException(`${name(key, v)} is ${state}, not pending destruction.`);
  v.KeyVersionState = KeyVersionState.Disabled;
  delete v.DestructionDate;
  delete v.DestructionScheduledDate;
}

/**
 * Whether a version pending destruction is due. Never early, never on a clock that reads earlier
 * than the scheduling moment, and never when the caller judges the clock implausible (a hook for
 * the vault's clock-plausibility rule: a clock far past the vault's last-seen time).
 */
export function isDestructionDue(v: KeyVersionRecord, now: Date, clockPlausible = true): boolean {
  if (!clockPlausible || versionState(v) !== KeyVersionState.PendingDestruction || !v.DestructionDate) return false;
  const t = now.getTime();
  if (v.DestructionScheduledDate && t < new Date(v.DestructionScheduledDate).getTime()) return false;
  return t >= new Date(v.DestructionDate).getTime();
}

/** Erases the material: from here on the version exists only as a record that it was destroyed. */
export function destroyVersion(v: KeyVersionRecord, now: Date): void {
  v.KeyVersionState = KeyVersionState.Destroyed;
  v.DestroyedDate = now.toISOString();
  delete v.SealedMaterial;
  delete v.DestructionDate;
  delete v.DestructionScheduledDate;
}

/** Versions of a key whose destruction is due. */
export function dueDestructions(key: KeyRecord, now: Date, clockPlausible = true): KeyVersionRecord[] {
  return key.Versions.filter((v) => isDestructionDue(v, now, clockPlausible));
}

/** The state fields a version shows in list-key-versions and describe-key-version. */
export function versionStateFields(v: KeyVersionRecord): { KeyVersionState: KeyVersionState; DestructionDate?: string; DestroyedDate?: string } {
  return {
    KeyVersionState: versionState(v),
    ...(v.DestructionDate ? { DestructionDate: v.DestructionDate } : {}),
    ...(v.DestroyedDate ? { DestroyedDate: v.DestroyedDate } : {}),
  };
}

/** The sealed material of a version that may be used; the state rules refuse every other. */
export function usableSealedMaterial(key: KeyRecord, v: KeyVersionRecord): string {
  checkVersionUsable(key, v);
  if (v.SealedMaterial === undefined) throw new KMSInvalidStateException(`${name(key, v)} has no key material.`);
  return v.SealedMaterial;
}
