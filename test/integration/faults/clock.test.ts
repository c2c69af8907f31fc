/**
 * Clock jumps, whole process (the built CLI under /usr/bin/faketime): time moving back a year or
 * forward ten years never rotates a key more than once per start, never deletes a key before its
 * window has passed, and never corrupts the schedule (verify-vault stays Ok, NextRotationDate stays
 * anchor + interval). The tests form one timeline and run in order.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type * as Api from '../../../main/core/api.js';
import { assertBuilt, b64, CliVault, DAY_MS, type RunOptions } from '../../support/cliHarness.js';

const FAKETIME = '/usr/bin/faketime';
const skip = existsSync(FAKETIME) ? false : 'faketime is not installed';
const vault = new CliVault('kv-clock-');
const at = (days: number): RunOptions => ({ faketime: `${days >= 0 ? '+' : ''}${days}d` });
const TEN_YEARS = 3650;

const ids = { rotating: '', doomed: '', kept: '', late: '', defaultKey: '' };
let blob = '';

before(async () => {
  if (skip) return;
  assertBuilt();
  ids.rotating = (await vault.ok<Api.KeyMetadataResponse>(['create-key', '--enable-automatic-rotation', '--rotation-interval', '30d'])).KeyMetadata.KeyId;
  ids.doomed = (await vault.ok<Api.KeyMetadataResponse>(['create-key', '--description', 'doomed'])).KeyMetadata.KeyId;
  ids.kept = (await vault.ok<Api.KeyMetadataResponse>(['create-key', '--description', 'kept'])).KeyMetadata.KeyId;
  ids.late = (await vault.ok<Api.KeyMetadataResponse>(['create-key', '--description', 'deleted while the clock is ahead'])).KeyMetadata.KeyId;
  ids.defaultKey = (await vault.ok<Api.KeyMetadataResponse>(['describe-key', '--key-id', 'alias/keyvault/default'])).KeyMetadata.KeyId;
  await vault.ok(['schedule-key-deletion', '--key-id', ids.doomed, '--pending-window-in-days', '7']);
  blob = (await vault.ok<Api.EncryptResponse>(['encrypt', '--key-id', ids.rotating, '--plaintext', b64('across time')])).CiphertextBlob;
});
after(async () => {
  await vault.destroy();
});

async function versions(days: number, keyId: string): Promise<number> {
  return (await vault.ok<Api.ListKeyVersionsResponse>(['list-key-versions', '--key-id', keyId], at(days))).KeyVersions.length;
}

async function keyIds(days: number): Promise<string[]> {
  return (await vault.ok<Api.ListKeysResponse>(['list-keys'], at(days))).Keys.map((k) => k.KeyId);
}

async function verifyOk(days: number): Promise<Api.VerifyVaultResponse & { Warnings: unknown[] }> {
  const r = await vault.ok<Api.VerifyVaultResponse & { Warnings: unknown[] }>(['verify-vault'], at(days));
  assert.equal(r.Ok, true, `verify-vault at ${days}d: ${JSON.stringify(r.Problems)}`);
  return r;
}

async function decrypts(days: number): Promise<void> {
  const out = await vault.ok<Api.DecryptResponse>(['decrypt', '--ciphertext-blob', blob], at(days));
  assert.equal(Buffer.from(out.Plaintext, 'base64').toString(), 'across time');
}

/** NextRotationDate must be exactly the anchor (last automatic rotation or enabling) + interval. */
async function scheduleCoherent(days: number, keyId: string, intervalDays: number): Promise<void> {
  const { KeyMetadata: m } = await vault.ok<Api.KeyMetadataResponse>(['describe-key', '--key-id', keyId], at(days));
  const rotations = (await vault.ok<Api.ListKeyRotationsResponse>(['list-key-rotations', '--key-id', keyId], at(days))).Rotations;
  const lastAutomatic = rotations.filter((r) => r.RotationType === 'AUTOMATIC').at(-1)?.RotationDate ?? m.CreationDate;
  assert.equal(m.NextRotationDate, new Date(Date.parse(lastAutomatic) + intervalDays * DAY_MS).toISOString());
}

test('a year back: nothing rotates, nothing is deleted, the vault verifies', { skip }, async () => {
  for (let start = 0; start < 2; start++) {
    assert.deepEqual((await keyIds(-365)).includes(ids.doomed), true);
    assert.equal(await versions(-365, ids.rotating), 1);
  }
  const report = await verifyOk(-365);
  assert.ok(report.Warnings.length > 0, 'schedules anchored in the (fake) future are reported as warnings');
  await decrypts(-365);
  await scheduleCoherent(-365, ids.rotating, 30);
});

test(
  'ten years forward: each due key rotates exactly once on the first start; the pending key is deleted only once the date is confirmed',
  { skip },
  async () => {
    const [rotatingBefore, defaultBefore] = [await versions(0, ids.rotating), await versions(0, ids.defaultKey)];
    // The first start at +10y does the catch-up (run-maintenance reports it). Rotations may happen at
    // a clock far past anything the vault has seen; destruction waits for a confirmed date (13.6).
    const first = await vault.ok<{ Rotated: Api.RotationEvent[]; Deleted: string[]; DeletionsAwaitingClockConfirmation?: string[] }>(
      ['run-maintenance'],
      at(TEN_YEARS),
    );
    assert.deepEqual(first.Rotated.map((r) => r.KeyId).sort(), [ids.rotating, ids.defaultKey].sort());
    assert.deepEqual(first.Deleted, []);
    assert.deepEqual(first.DeletionsAwaitingClockConfirmation, [ids.doomed]);
    assert.ok((await keyIds(TEN_YEARS)).includes(ids.doomed), 'not destroyed by an unconfirmed clock');
    const unconfirmed = await vault.ok<Api.VerifyVaultResponse>(['verify-vault'], at(TEN_YEARS));
    assert.equal(unconfirmed.Ok, false);
    assert.ok(
      unconfirmed.Problems.some((p) => /confirm-clock/.test(p.Problem)),
      JSON.stringify(unconfirmed.Problems),
    );
    const confirmed = await vault.ok<{ Rotated: Api.RotationEvent[]; Deleted: string[] }>(['run-maintenance', '--confirm-clock'], at(TEN_YEARS));
    assert.deepEqual(confirmed, { Rotated: [], Deleted: [ids.doomed] });
    for (let start = 0; start < 3; start++) {
      assert.equal(await versions(TEN_YEARS, ids.rotating), rotatingBefore + 1);
      assert.equal(await versions(TEN_YEARS, ids.defaultKey), defaultBefore + 1);
    }
    const remaining = await keyIds(TEN_YEARS);
    for (const id of [ids.rotating, ids.kept, ids.late, ids.defaultKey]) assert.ok(remaining.includes(id), `${id} kept`);
    assert.equal(remaining.includes(ids.doomed), false);
    await verifyOk(TEN_YEARS);
    await decrypts(TEN_YEARS);
    await scheduleCoherent(TEN_YEARS, ids.rotating, 30);
  },
);

test('back to the present after the jump: no rotation, no deletion, the schedule is intact', { skip }, async () => {
  const before = await versions(TEN_YEARS, ids.rotating);
  await vault.ok(['schedule-key-deletion', '--key-id', ids.late, '--pending-window-in-days', '7'], at(TEN_YEARS));
  for (let start = 0; start < 2; start++) {
    assert.equal(await versions(0, ids.rotating), before);
    assert.ok((await keyIds(0)).includes(ids.late), 'a deletion scheduled while the clock was ahead never happens early');
  }
  await verifyOk(0);
  await decrypts(0);
  await scheduleCoherent(0, ids.rotating, 30);
});

test('once the window has really passed (ten years and eight days), the key scheduled then is deleted and nothing else', { skip }, async () => {
  const run = await vault.ok<{ Rotated: Api.RotationEvent[]; Deleted: string[] }>(['run-maintenance'], at(TEN_YEARS + 8));
  assert.deepEqual(run.Deleted, [ids.late]);
  assert.deepEqual(run.Rotated, [], 'the rotation schedule restarted at +10y: nothing is due eight days later');
  const remaining = await keyIds(TEN_YEARS + 8);
  for (const id of [ids.rotating, ids.kept, ids.defaultKey]) assert.ok(remaining.includes(id));
  await verifyOk(TEN_YEARS + 8);
});
