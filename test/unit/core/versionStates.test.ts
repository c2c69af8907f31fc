import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../main/core/clock.js';
import { KMSInvalidStateException, ValidationException } from '../../../main/core/errors.js';
import type { KeyRecord, KeyVersionRecord } from '../../../main/core/keyModel.js';
import { KeyState } from '../../../main/core/keyModel.js';
import {
  cancelVersionDestruction,
  checkVersionUsable,
  destroyVersion,
  disableVersion,
  dueDestructions,
  enableVersion,
  isDestructionDue,
  scheduleVersionDestruction,
  versionState,
} from '../../../main/core/versionStates.js';

const T0 = '2026-01-01T00:00:00.000Z';
const OLD = '11111111-1111-4111-8111-111111111111';
const PRIMARY = '22222222-2222-4222-8222-222222222222';

function key(): KeyRecord {
  const v = (id: string): KeyVersionRecord => ({ KeyVersionId: id, CreationDate: T0, RotationType: 'INITIAL', SealedMaterial: 'AAAA' });
  return {
    KeyId: '33333333-3333-4333-8333-333333333333',
    Description: '',
    KeyState: KeyState.Enabled,
    Origin: 'VAULT',
    KeyManager: 'CUSTOMER',
    CreationDate: T0,
    PrimaryKeyVersionId: PRIMARY,
    Rotation: { Enabled: false, IntervalSeconds: 365 * 86_400 },
    Versions: [v(OLD), v(PRIMARY)],
  };
}
const old = (k: KeyRecord): KeyVersionRecord => k.Versions[0]!;
const primary = (k: KeyRecord): KeyVersionRecord => k.Versions[1]!;

test('a version without a stored state is Enabled and usable', () => {
  const k = key();
  assert.equal(versionState(old(k)), 'Enabled');
  assert.doesNotThrow(() => checkVersionUsable(k, old(k)));
});

test('a disabled version is refused with KMSInvalidStateException naming the version', () => {
  const k = key();
  disableVersion(k, old(k));
  assert.equal(versionState(old(k)), 'Disabled');
  assert.throws(
    () => checkVersionUsable(k, old(k)),
    (e: unknown) => e instanceof KMSInvalidStateException && e.message.includes(OLD) && /disabled/.test(e.message),
  );
});

test('enabling a disabled version makes it usable again; enabling twice changes nothing', () => {
  const k = key();
  disableVersion(k, old(k));
  enableVersion(k, old(k));
  enableVersion(k, old(k));
  assert.equal(versionState(old(k)), 'Enabled');
  assert.equal(old(k).KeyVersionState, undefined);
});

test('the primary version cannot be disabled or scheduled for destruction', () => {
  const k = key();
  const now = new Date(T0);
  assert.throws(
    () => disableVersion(k, primary(k)),
    (e: unknown) => e instanceof KMSInvalidStateException && /primary/.test((e as Error).message),
  );
  assert.throws(
    () => scheduleVersionDestruction(k, primary(k), 7, now),
    (e: unknown) => e instanceof KMSInvalidStateException && /primary/.test((e as Error).message),
  );
  assert.equal(versionState(primary(k)), 'Enabled');
});

test('the destruction window is a whole number of days from 7 to 30', () => {
  const k = key();
  for (const days of [6, 31, 7.5, 0, -7]) {
    assert.throws(() => scheduleVersionDestruction(k, old(k), days, new Date(T0)), ValidationException, `window ${days}`);
  }
  scheduleVersionDestruction(k, old(k), 7, new Date(T0));
  assert.equal(old(k).DestructionDate, '2026-01-08T00:00:00.000Z');
});

test('destruction is due once the window has passed, never before', () => {
  const k = key();
  const clock = new ManualClock(T0);
  scheduleVersionDestruction(k, old(k), 7, clock.now());
  clock.advance(7 * 86_400_000 - 1);
  assert.equal(isDestructionDue(old(k), clock.now()), false);
  clock.advance(1);
  assert.equal(isDestructionDue(old(k), clock.now()), true);
  assert.deepEqual(
    dueDestructions(k, clock.now()).map((v) => v.KeyVersionId),
    [OLD],
  );
});

test('a clock that reads earlier than the scheduling moment destroys nothing', () => {
  const k = key();
  scheduleVersionDestruction(k, old(k), 7, new Date('2026-06-01T00:00:00.000Z'));
  // Far in the past and far in the past relative to scheduling: never due.
  assert.equal(isDestructionDue(old(k), new Date('2026-05-31T23:59:59.999Z')), false);
  assert.equal(isDestructionDue(old(k), new Date('2020-01-01T00:00:00.000Z')), false);
});

test('an implausible clock destroys nothing (the hook for the clock-plausibility rule)', () => {
  const k = key();
  scheduleVersionDestruction(k, old(k), 7, new Date(T0));
  assert.equal(isDestructionDue(old(k), new Date('2026-02-01T00:00:00.000Z'), false), false);
});

test('cancelling a destruction leaves the version Disabled with no dates', () => {
  const k = key();
  scheduleVersionDestruction(k, old(k), 10, new Date(T0));
  assert.throws(() => checkVersionUsable(k, old(k)), /pending destruction/);
  cancelVersionDestruction(k, old(k));
  assert.equal(versionState(old(k)), 'Disabled');
  assert.equal(old(k).DestructionDate, undefined);
  assert.equal(old(k).DestructionScheduledDate, undefined);
  assert.throws(() => cancelVersionDestruction(k, old(k)), KMSInvalidStateException);
});

test('scheduling twice is refused', () => {
  const k = key();
  scheduleVersionDestruction(k, old(k), 10, new Date(T0));
  assert.throws(() => scheduleVersionDestruction(k, old(k), 10, new Date(T0)), /already pending destruction/);
});

test('destroying erases the material and the version never comes back', () => {
  const k = key();
  scheduleVersionDestruction(k, old(k), 7, new Date(T0));
  destroyVersion(old(k), new Date('2026-01-09T00:00:00.000Z'));
  assert.equal(old(k).SealedMaterial, undefined);
  assert.equal(versionState(old(k)), 'Destroyed');
  assert.throws(
    () => checkVersionUsable(k, old(k)),
    (e: unknown) => e instanceof KMSInvalidStateException && /destroyed/.test((e as Error).message),
  );
  assert.throws(() => enableVersion(k, old(k)), KMSInvalidStateException);
  assert.throws(() => cancelVersionDestruction(k, old(k)), KMSInvalidStateException);
  assert.throws(() => scheduleVersionDestruction(k, old(k), 7, new Date(T0)), KMSInvalidStateException);
  assert.throws(() => disableVersion(k, old(k)), KMSInvalidStateException);
});
