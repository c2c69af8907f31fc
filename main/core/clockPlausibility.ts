/**
 * Whether the clock can be trusted to destroy things. A vault remembers the latest time it has
 * seen (LastSeenDate). A clock far beyond that — more than CLOCK_JUMP_LIMIT_MS — may be a wrong
 * date (a dead CMOS battery, a faked clock, a mistyped manual setting): one run at "+30 years"
 * must not purge every key pending deletion. Such destruction waits until the user confirms the
 * date (`run-maintenance --confirm-clock`). Rotations may still happen; a schedule anchored in the
 * future is re-anchored once the clock reads earlier again (rotationSchedule.reanchorFutureSchedule).
 *
 * Pure functions of a document and "now", so they are tested with a fake clock.
 */
import type { KeyRecord } from './keyModel.js';

export const DAY_MS = 86_400_000;
/** How far past the last-seen time the clock may be before destruction needs a confirmed date. */
export const CLOCK_JUMP_LIMIT_MS = 365 * DAY_MS;
/** LastSeenDate is moved forward at most once in this period (each move is a commit). */
export const LAST_SEEN_GRANULARITY_MS = DAY_MS;

/** The parts of a vault document these rules read. */
export interface ClockEvidence {
  CreationDate: string;
  LastSeenDate?: string;
  Keys: Record<string, Pick<KeyRecord, 'CreationDate' | 'Versions'>>;
}

const ms = (iso: string | undefined): number => {
  const t = iso === undefined ? NaN : Date.parse(iso);
  return Number.isFinite(t) ? t : -Infinity;
};

/**
 * The latest time the vault has seen: LastSeenDate when recorded; for a document written before
 * it existed, the latest creation date in it (vault, keys, versions).
 */
export function lastSeenTime(doc: ClockEvidence): number {
  if (doc.LastSeenDate !== undefined && Number.isFinite(ms(doc.LastSeenDate))) return ms(doc.LastSeenDate);
  let latest = ms(doc.CreationDate);
  for (const key of Object.values(doc.Keys)) {
    latest = Math.max(latest, ms(key.CreationDate));
    for (const v of key.Versions) latest = Math.max(latest, ms(v.CreationDate));
  }
  return latest;
}

export type ClockVerdict =
  /** Within a year of the last-seen time (or before it): destruction may proceed. */
  | { kind: 'plausible' }
  /** More than CLOCK_JUMP_LIMIT_MS past the last-seen time: destruction waits for confirmation. */
  | { kind: 'far-ahead'; lastSeen: Date; aheadMs: number };

export function judgeClock(doc: ClockEvidence, now: Date): ClockVerdict {
  const seen = lastSeenTime(doc);
  const ahead = now.getTime() - seen;
  if (Number.isFinite(seen) && ahead > CLOCK_JUMP_LIMIT_MS) return { kind: 'far-ahead', lastSeen: new Date(seen), aheadMs: ahead };
  return { kind: 'plausible' };
}

/** May key material be destroyed now (deletion windows honoured against this clock)? */
export function destructionAllowed(doc: ClockEvidence, now: Date, confirmed: boolean): boolean {
  return confirmed || judgeClock(doc, now).kind === 'plausible';
}

/**
 * The LastSeenDate to record at `now`, or undefined when it should stay as it is: it only moves
 * forward, at most once per LAST_SEEN_GRANULARITY_MS, and never to an implausible date unless the
 * user confirmed it.
 */
export function nextLastSeen(doc: ClockEvidence, now: Date, confirmed: boolean): string | undefined {
  if (!destructionAllowed(doc, now, confirmed)) return undefined;
  const recorded = doc.LastSeenDate === undefined ? -Infinity : ms(doc.LastSeenDate);
  if (now.getTime() - recorded < LAST_SEEN_GRANULARITY_MS) return undefined;
  return now.toISOString();
}

/** A sentence for reports when destruction is waiting for a confirmed date; undefined otherwise. */
export function clockProblem(doc: ClockEvidence, now: Date): string | undefined {
  const verdict = judgeClock(doc, now);
  if (verdict.kind !== 'far-ahead') return undefined;
  const years = (verdict.aheadMs / (365 * DAY_MS)).toFixed(1);
  return (
    `The clock (${now.toISOString()}) is ${years} years past the latest time this vault has seen (${verdict.lastSeen.toISOString()}): ` +
    'key deletions wait until the date is confirmed with `keyvault run-maintenance --confirm-clock`.'
  );
}
