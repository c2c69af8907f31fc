/**
 * Clock plausibility and schedule re-anchoring (issue 13.6) with a fake clock: destruction needs a
 * clock within a year of the latest time the vault has seen, or a confirmed date; a schedule set
 * by a clock that ran ahead is re-anchored when the clock comes back; an ordinary step back is not.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CLOCK_JUMP_LIMIT_MS,
  clockProblem,
  DAY_MS,
  destructionAllowed,
  judgeClock,
  lastSeenTime,
  nextLastSeen,
  type ClockEvidence,
} from '../../../main/core/clockPlausibility.js';
import { KeyState, type KeyRecord } from '../../../main/core/keyModel.js';
import { anchoredByWrongClock, maintenanceClock } from '../../../main/vault/maintenanceClock.js';
import type { VaultDocument } from '../../../main/store/vaultDocument.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (days: number): Date => new Date(T0 + days * DAY_MS);
const iso = (days: number): string => at(days).toISOString();

function key(id: string, opts: { created?: number; anchor?: number; pendingUntil?: number; scheduledAt?: number } = {}): KeyRecord {
  const created = iso(opts.created ?? 0);
  return {
    KeyId: id,
    Description: '',
    KeyState: opts.pendingUntil !== undefined ? KeyState.PendingDeletion : KeyState.Enabled,
    Origin: 'VAULT',
    KeyManager: 'CUSTOMER',
    CreationDate: created,
    PrimaryKeyVersionId: `${id}-v1`,
    Rotation: { Enabled: true, IntervalSeconds: 30 * 86_400, AnchorDate: iso(opts.anchor ?? opts.created ?? 0) },
    Versions: [{ KeyVersionId: `${id}-v1`, CreationDate: created, RotationType: 'INITIAL', SealedMaterial: '' }],
    ...(opts.pendingUntil !== undefined ? { DeletionDate: iso(opts.pendingUntil), DeletionScheduledDate: iso(opts.scheduledAt ?? 0) } : {}),
  } as KeyRecord;
}

function doc(lastSeenDays: number | undefined, keys: KeyRecord[]): VaultDocument {
  return {
    FormatVersion: 1,
    VaultId: '00000000-0000-4000-8000-000000000000',
    CreationDate: iso(0),
    Revision: 1,
    RootKeyCheck: '',
    Keys: Object.fromEntries(keys.map((k) => [k.KeyId, k])),
    Aliases: {},
    RecoveryRecipients: [],
    Secrets: [],
    ...(lastSeenDays !== undefined ? { LastSeenDate: iso(lastSeenDays) } : {}),
  };
}

describe('clock plausibility', () => {
  test('last-seen is the recorded date, else the latest creation date in the document', () => {
    assert.equal(lastSeenTime(doc(10, [key('a', { created: 50 })])), at(10).getTime());
    assert.equal(lastSeenTime(doc(undefined, [key('a', { created: 50 })])), at(50).getTime());
  });

  test('within a year of last-seen (or before it) the clock is plausible; beyond it is not', () => {
    const d: ClockEvidence = doc(100, []);
    assert.equal(judgeClock(d, at(100 + 365)).kind, 'plausible');
    assert.equal(judgeClock(d, at(-1000)).kind, 'plausible');
    const far = judgeClock(d, new Date(at(100).getTime() + CLOCK_JUMP_LIMIT_MS + 1));
    assert.equal(far.kind, 'far-ahead');
    assert.equal(destructionAllowed(d, at(100 + 30 * 365), false), false);
    assert.equal(destructionAllowed(d, at(100 + 30 * 365), true), true, 'a confirmed date allows it');
    assert.match(clockProblem(d, at(100 + 30 * 365))!, /30\.0 years past .*--confirm-clock/);
    assert.equal(clockProblem(d, at(101)), undefined);
  });

  test('last-seen moves forward at most daily, never to an unconfirmed implausible date, never back', () => {
    const d = doc(100, []);
    assert.equal(nextLastSeen(d, at(100.5), false), undefined, 'less than a day later');
    assert.equal(nextLastSeen(d, at(102), false), iso(102));
    assert.equal(nextLastSeen(d, at(50), false), undefined, 'never backwards');
    assert.equal(nextLastSeen(d, at(100 + 3650), false), undefined, 'not to an unconfirmed far date');
    assert.equal(nextLastSeen(d, at(100 + 3650), true), iso(100 + 3650));
  });
});

describe('a maintenance run at a wrong clock', () => {
  test('thirty years ahead: deletions wait and are reported, rotations may happen, last-seen stays', () => {
    const d = doc(0, [key('doomed', { pendingUntil: 7, scheduledAt: 0 }), key('rotating')]);
    const now = at(30 * 365);
    const run = maintenanceClock(d, now, false);
    assert.deepEqual(run.report.DeletionsAwaitingClockConfirmation, ['doomed']);
    assert.match(run.report.ClockProblem!, /confirm-clock/);
    assert.equal(run.pending, true, 'the rotation is still due');
    assert.equal(run.applyTo(d), false, 'no destruction');
    assert.equal(d.LastSeenDate, iso(0));
  });

  test('confirmed, the same run may destroy and records the new last-seen', () => {
    const d = doc(0, [key('doomed', { pendingUntil: 7 })]);
    const run = maintenanceClock(d, at(30 * 365), true);
    assert.equal(run.report.DeletionsAwaitingClockConfirmation, undefined);
    assert.equal(run.applyTo(d), true);
    assert.equal(d.LastSeenDate, iso(30 * 365));
  });

  test('back at real time, a schedule anchored by the wrong clock is re-anchored at now', () => {
    const k = key('rotating', { anchor: 30 * 365 }); // rotated while the clock read +30 years
    const d = doc(5, [k]);
    assert.equal(anchoredByWrongClock(k, at(6), at(5).getTime()), true);
    const run = maintenanceClock(d, at(6), false);
    assert.equal(run.pending, true);
    run.applyTo(d);
    assert.equal(k.Rotation.AnchorDate, iso(6));
  });

  test('a clock moved back a little does not re-anchor schedules the vault has really seen', () => {
    const k = key('rotating', { anchor: 100 });
    const d = doc(100, [k]);
    assert.equal(anchoredByWrongClock(k, at(-265), at(100).getTime()), false);
    maintenanceClock(d, at(-265), false).applyTo(d);
    assert.equal(k.Rotation.AnchorDate, iso(100));
  });
});
