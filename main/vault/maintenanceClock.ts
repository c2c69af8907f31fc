/**
 * The clock side of one maintenance run (VaultService.runMaintenance): whether key destruction may
 * happen at this clock, which schedules a wrong clock left anchored in the future, and whether the
 * vault's LastSeenDate moves. The rules are core/clockPlausibility.ts and core/rotationSchedule.ts.
 */
import { clockProblem, destructionAllowed, lastSeenTime, nextLastSeen } from '../core/clockPlausibility.js';
import type { KeyRecord } from '../core/keyModel.js';
import { isDestructionDue } from '../core/versionStates.js';
import { isDeletionDue, isRotationDue, reanchorFutureSchedule, scheduleAnchorTime } from '../core/rotationSchedule.js';
import type { VaultDocument } from '../store/vaultDocument.js';

const ANCHOR_TOLERANCE_MS = 60 * 60_000;

import type { MaintenanceClockReport } from '../core/serviceTypes.js';
export type { MaintenanceClockReport } from '../core/serviceTypes.js';

export interface MaintenanceClock {
  /** Whether the run has anything to write. */
  pending: boolean;
  report: MaintenanceClockReport;
  /** The keys the run may change (due for rotation or deletion, or anchored by a wrong clock) in the snapshot. */
  keyIds: string[];
  /** Whether destruction may happen at this clock, and whether some key version's destruction is due. */
  destructionAllowed: boolean;
  versionsDue: boolean;
  /** Inside the transaction: records LastSeenDate, re-anchors `keys` (default all), and says whether destruction may happen. */
  applyTo(doc: VaultDocument, keys?: readonly KeyRecord[]): boolean;
}

/**
 * A schedule anchored after both `now` and the latest time the vault has seen was set while the
 * clock ran ahead (a rotation at a wrong date). One anchored after `now` but not after last-seen
 * is an ordinary clock that went back a little: it is left alone (re-anchoring it would rotate early).
 */
export function anchoredByWrongClock(key: KeyRecord, now: Date, lastSeen: number): boolean {
  const anchor = scheduleAnchorTime(key);
  return anchor !== undefined && anchor > now.getTime() + ANCHOR_TOLERANCE_MS && anchor > lastSeen + ANCHOR_TOLERANCE_MS;
}

export function maintenanceClock(snapshot: VaultDocument, now: Date, confirmed: boolean): MaintenanceClock {
  const allowed = destructionAllowed(snapshot, now, confirmed);
  const seen = lastSeenTime(snapshot);
  // One pass over the keys: those the run may change, those whose deletion waits for the clock,
  // and whether any version's destruction is due.
  const keyIds: string[] = [];
  const waiting: string[] = [];
  let pending = nextLastSeen(snapshot, now, confirmed) !== undefined;
  let versionsDue = false;
  for (const k of Object.values(snapshot.Keys)) {
    if (allowed && !versionsDue) versionsDue = k.Versions.some((v) => isDestructionDue(v, now));
    const rotate = isRotationDue(k, now);
    const remove = isDeletionDue(k, now);
    const reanchor = anchoredByWrongClock(k, now, seen);
    if (rotate || remove || reanchor) keyIds.push(k.KeyId);
    if (remove && !allowed) waiting.push(k.KeyId);
    if (rotate || (remove && allowed) || reanchor) pending = true;
  }
  const problem = confirmed ? undefined : clockProblem(snapshot, now);
  const report: MaintenanceClockReport = {
    ...(waiting.length > 0 ? { DeletionsAwaitingClockConfirmation: waiting } : {}),
    ...(problem !== undefined ? { ClockProblem: problem } : {}),
  };
  return {
    pending,
    report,
    keyIds,
    destructionAllowed: allowed,
    versionsDue,
    applyTo(doc, keys = Object.values(doc.Keys)) {
      const lastSeen = lastSeenTime(doc);
      for (const key of keys) if (anchoredByWrongClock(key, now, lastSeen)) reanchorFutureSchedule(key, now, 0);
      const mayDestroy = destructionAllowed(doc, now, confirmed);
      const next = nextLastSeen(doc, now, confirmed);
      if (next !== undefined) doc.LastSeenDate = next;
      return mayDestroy;
    },
  };
}

/** For verify-vault: schedules a wrong clock left in the future, as problem sentences. */
export function futureScheduleProblems(doc: VaultDocument, now: Date): string[] {
  const seen = lastSeenTime(doc);
  return Object.values(doc.Keys)
    .filter((k) => anchoredByWrongClock(k, now, seen))
    .map(
      (k) =>
        `Key ${k.KeyId}: its rotation schedule is anchored at ${k.Rotation.AnchorDate}, after both the clock and the latest time the vault has seen (set while the clock was wrong); the next start re-anchors it.`,
    );
}
