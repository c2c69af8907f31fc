import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyRecord, KeyVersionRecord } from '../../../main/core/keyModel.js';
import { KeyState } from '../../../main/core/keyModel.js';
import {
  applyPolicyChange,
  applyRotation,
  automaticRotationStatus,
  isDeletionDue,
  isRotationDue,
  keyRotationEnabled,
  lastRotationDate,
  nextRotationDate,
} from '../../../main/core/rotationSchedule.js';

const DAY = 86_400_000;
const T0 = new Date('2026-01-01T00:00:00.000Z');
const at = (days: number) => new Date(T0.getTime() + days * DAY);

function version(id: string, when: Date): KeyVersionRecord {
  return { KeyVersionId: id, CreationDate: when.toISOString(), RotationType: 'INITIAL', SealedMaterial: 'AAAA' };
}

function key(overrides: Partial<KeyRecord> = {}): KeyRecord {
  const k: KeyRecord = {
    KeyId: '11111111-1111-4111-8111-111111111111',
    Description: '',
    KeyState: KeyState.Enabled,
    Origin: 'VAULT',
    KeyManager: 'CUSTOMER',
    CreationDate: T0.toISOString(),
    Rotation: { Enabled: true, IntervalSeconds: 30 * 86_400, AnchorDate: T0.toISOString() },
    Versions: [],
    ...overrides,
  };
  if (k.Versions.length === 0) applyRotation(k, version('v1', T0), 'INITIAL', T0);
  return k;
}

test('next rotation is the anchor plus the interval', () => {
  assert.equal(nextRotationDate(key())?.toISOString(), at(30).toISOString());
});

test('a key is due exactly when the next rotation date is reached', () => {
  const k = key();
  assert.equal(isRotationDue(k, at(29.99)), false);
  assert.equal(isRotationDue(k, at(30)), true);
});

test('an automatic rotation moves the anchor to the rotation time', () => {
  const k = key();
  applyRotation(k, version('v2', at(31)), 'AUTOMATIC', at(31));
  assert.equal(nextRotationDate(k)?.toISOString(), at(61).toISOString());
  assert.equal(k.PrimaryKeyVersionId, 'v2');
});

test('a rotation missed many times is one rotation, after which the schedule restarts from then', () => {
  const k = key();
  const late = at(400);
  assert.equal(isRotationDue(k, late), true);
  applyRotation(k, version('v2', late), 'AUTOMATIC', late);
  assert.equal(isRotationDue(k, late), false);
  assert.equal(nextRotationDate(k)?.toISOString(), at(430).toISOString());
});

test('an on-demand rotation adds the primary version without moving the schedule', () => {
  const k = key();
  applyRotation(k, version('v2', at(10)), 'ON_DEMAND', at(10));
  assert.equal(k.PrimaryKeyVersionId, 'v2');
  assert.equal(nextRotationDate(k)?.toISOString(), at(30).toISOString());
});

test('LastRotationDate is the creation date of the newest version of any kind', () => {
  const k = key();
  assert.equal(lastRotationDate(k), T0.toISOString());
  applyRotation(k, version('v2', at(10)), 'ON_DEMAND', at(10));
  assert.equal(lastRotationDate(k), at(10).toISOString());
});

test('enabling rotation anchors the schedule at the moment it is enabled', () => {
  const k = key({ Rotation: { Enabled: false, IntervalSeconds: 30 * 86_400 } });
  assert.equal(nextRotationDate(k), undefined);
  assert.equal(applyPolicyChange(k, { enabled: true }, at(100)), false);
  assert.equal(nextRotationDate(k)?.toISOString(), at(130).toISOString());
});

test('re-enabling rotation after disabling it restarts the schedule from then', () => {
  const k = key();
  applyPolicyChange(k, { enabled: false }, at(5));
  applyPolicyChange(k, { enabled: true }, at(50));
  assert.equal(nextRotationDate(k)?.toISOString(), at(80).toISOString());
});

test('shortening the interval so the next date is in the past asks for an immediate rotation', () => {
  const k = key({ Rotation: { Enabled: true, IntervalSeconds: 365 * 86_400, AnchorDate: T0.toISOString() } });
  assert.equal(applyPolicyChange(k, { enabled: true, intervalSeconds: 30 * 86_400 }, at(40)), true);
});

test('changing the interval with the next date still ahead keeps the anchor', () => {
  const k = key();
  assert.equal(applyPolicyChange(k, { enabled: true, intervalSeconds: 60 * 86_400 }, at(40)), false);
  assert.equal(nextRotationDate(k)?.toISOString(), at(60).toISOString());
});

test('disabling rotation keeps the interval (the policy is preserved)', () => {
  const k = key();
  applyPolicyChange(k, { enabled: false }, at(1));
  assert.equal(k.Rotation.IntervalSeconds, 30 * 86_400);
  assert.equal(automaticRotationStatus(k), 'Disabled');
});

test('a Disabled key never rotates and shows Suspended, with rotation status unchanged', () => {
  const k = key({ KeyState: KeyState.Disabled });
  assert.equal(isRotationDue(k, at(1000)), false);
  assert.equal(automaticRotationStatus(k), 'Suspended');
  assert.equal(nextRotationDate(k), undefined);
  assert.equal(keyRotationEnabled(k), true);
});

test('a key pending deletion never rotates, shows Suspended and reports rotation disabled', () => {
  const k = key({ KeyState: KeyState.PendingDeletion });
  assert.equal(isRotationDue(k, at(1000)), false);
  assert.equal(automaticRotationStatus(k), 'Suspended');
  assert.equal(keyRotationEnabled(k), false);
});

test('an EXTERNAL key has no schedule', () => {
  const k = key({ Origin: 'EXTERNAL' });
  assert.equal(nextRotationDate(k), undefined);
  assert.equal(isRotationDue(k, at(1000)), false);
  assert.equal(automaticRotationStatus(k), 'Disabled');
});

test('a clock that moved back before the anchor never makes a key due', () => {
  const k = key();
  assert.equal(isRotationDue(k, at(-365)), false);
});

test('deletion is due once the window has passed, not before', () => {
  const k = key({ KeyState: KeyState.PendingDeletion, DeletionScheduledDate: T0.toISOString(), DeletionDate: at(7).toISOString() });
  assert.equal(isDeletionDue(k, at(6.9)), false);
  assert.equal(isDeletionDue(k, at(7)), true);
});

test('a clock that reads earlier than when deletion was scheduled never deletes', () => {
  const k = key({ KeyState: KeyState.PendingDeletion, DeletionScheduledDate: at(100).toISOString(), DeletionDate: at(107).toISOString() });
  assert.equal(isDeletionDue(k, at(50)), false);
});

test('only keys pending deletion are ever due for deletion', () => {
  const k = key({ DeletionDate: at(7).toISOString() });
  assert.equal(isDeletionDue(k, at(100)), false);
});
