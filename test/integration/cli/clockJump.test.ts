/**
 * Issue 13.6, whole process under faketime: one command run with the clock thirty years ahead
 * destroys nothing (the deletion waits for `run-maintenance --confirm-clock`) and verify-vault says
 * so as a problem; rotations may happen then, and back at real time the schedule they anchored in
 * the future is re-anchored by the next start (verify-vault reports it until then).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type * as Api from '../../../main/core/api.js';
import { assertBuilt, CliVault, DAY_MS, type RunOptions } from './cliHarness.js';

const vault = new CliVault('kv-cli-clockjump-');
const THIRTY_YEARS = 30 * 365;
const at = (days: number): RunOptions => ({ faketime: `+${days}d` });
let rotating = '';
let doomed = '';

before(async () => {
  assertBuilt();
  assert.ok(existsSync('/usr/bin/faketime'), 'faketime is installed');
  rotating = (await vault.ok<Api.KeyMetadataResponse>(['create-key', '--enable-automatic-rotation', '--rotation-interval', '30d'])).KeyMetadata.KeyId;
  doomed = (await vault.ok<Api.KeyMetadataResponse>(['create-key', '--description', 'doomed'])).KeyMetadata.KeyId;
  await vault.ok(['schedule-key-deletion', '--key-id', doomed, '--pending-window-in-days', '7']);
});
after(() => vault.destroy());

interface Verify {
  Ok: boolean;
  Problems: { Problem: string }[];
}

test('thirty years ahead: any command leaves the pending key alone, and verify-vault reports the clock', async () => {
  const keys = await vault.ok<Api.ListKeysResponse>(['list-keys'], at(THIRTY_YEARS));
  assert.ok(
    keys.Keys.some((k) => k.KeyId === doomed),
    'the key pending deletion survives the catch-up',
  );
  const run = await vault.ok<{ Deleted: string[]; DeletionsAwaitingClockConfirmation?: string[]; ClockProblem?: string }>(
    ['run-maintenance'],
    at(THIRTY_YEARS),
  );
  assert.deepEqual(run.Deleted, []);
  assert.deepEqual(run.DeletionsAwaitingClockConfirmation, [doomed]);
  assert.match(run.ClockProblem ?? '', /confirm-clock/);
  const report = await vault.ok<Verify>(['verify-vault'], at(THIRTY_YEARS));
  assert.equal(report.Ok, false);
  assert.ok(
    report.Problems.some((p) => /years past the latest time this vault has seen/.test(p.Problem)),
    JSON.stringify(report.Problems),
  );
  // Rotation is not destruction: it may happen at that clock.
  const versions = await vault.ok<Api.ListKeyVersionsResponse>(['list-key-versions', '--key-id', rotating], at(THIRTY_YEARS));
  assert.equal(versions.KeyVersions.length, 2);
});

test('back at real time: verify-vault reports the schedule anchored in the future until the next start re-anchors it', async () => {
  const before = await vault.ok<Verify>(['verify-vault']);
  assert.equal(before.Ok, false);
  assert.ok(
    before.Problems.some((p) => p.Problem.includes(rotating) && /anchored at/.test(p.Problem)),
    JSON.stringify(before.Problems),
  );
  const since = Date.now();
  const described = (await vault.ok<Api.KeyMetadataResponse>(['describe-key', '--key-id', rotating])).KeyMetadata;
  const next = Date.parse(described.NextRotationDate!);
  assert.ok(
    next >= since + 30 * DAY_MS - 60_000 && next <= Date.now() + 30 * DAY_MS + 60_000,
    `re-anchored at now: next rotation ${described.NextRotationDate}`,
  );
  const after = await vault.ok<Verify>(['verify-vault']);
  assert.deepEqual(after.Problems, []);
  assert.equal(after.Ok, true);
  const keys = await vault.ok<Api.ListKeysResponse>(['list-keys']);
  assert.ok(
    keys.Keys.some((k) => k.KeyId === doomed),
    'still pending, never purged',
  );
});

test('confirmed, the date is trusted: the elapsed deletion happens', async () => {
  const run = await vault.ok<{ Deleted: string[] }>(['run-maintenance', '--confirm-clock'], at(THIRTY_YEARS));
  assert.deepEqual(run.Deleted, [doomed]);
});
