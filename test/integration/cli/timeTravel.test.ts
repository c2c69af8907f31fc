/**
 * Whole-process time travel: each `keyvault` run sees a clock moved by faketime, the way a laptop
 * sees time pass between uses. Every start catches up: a due key rotates exactly once however many
 * intervals were missed, a disabled key never rotates, an overdue key rotates when enabled again,
 * an elapsed deletion window deletes the key, and a clock moved back does nothing.
 *
 * The tests form one timeline (t0 = now, then +29d ... +508d, then -365d) and run in order.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type * as Api from '../../../main/core/api.js';
import type { RunOptions } from '../../support/cliHarness.js';
import { b64, CliVault, DAY_MS, assertBuilt } from '../../support/cliHarness.js';

const vault = new CliVault('kv-cli-time-');
const INTERVAL_MS = 30 * DAY_MS;
/** Slack for process start-up between reading our clock and the child reading its own. */
const SLACK_MS = 5 * 60_000;

let keyId = '';
let t0 = 0;
let blob = '';

const at = (offsetDays: number): RunOptions => ({ faketime: `${offsetDays >= 0 ? '+' : ''}${offsetDays}d` });

async function rotations(offsetDays: number): Promise<Api.RotationEntry[]> {
  return (await vault.ok<Api.ListKeyRotationsResponse>(['list-key-rotations', '--key-id', keyId], at(offsetDays))).Rotations;
}

async function describe(offsetDays: number, id = keyId): Promise<Api.KeyMetadata> {
  return (await vault.ok<Api.KeyMetadataResponse>(['describe-key', '--key-id', id], at(offsetDays))).KeyMetadata;
}

/** Asserts `iso` is the real time of a run made `offsetDays` ahead, started after `since`. */
function assertNear(iso: string, since: number, offsetDays: number): void {
  const t = Date.parse(iso);
  const expected = since + offsetDays * DAY_MS;
  assert.ok(
    t >= expected - SLACK_MS && t <= Date.now() + offsetDays * DAY_MS + SLACK_MS,
    `${iso} is about ${offsetDays} days after ${new Date(since).toISOString()}`,
  );
}

before(async () => {
  assertBuilt();
  assert.ok(existsSync('/usr/bin/faketime'), 'faketime is installed');
  const created = await vault.ok<Api.KeyMetadataResponse>([
    'create-key',
    '--enable-automatic-rotation',
    '--rotation-interval',
    '30d',
    '--description',
    'time traveller',
  ]);
  keyId = created.KeyMetadata.KeyId;
  t0 = Date.parse(created.KeyMetadata.CreationDate);
  blob = (await vault.ok<Api.EncryptResponse>(['encrypt', '--key-id', keyId, '--plaintext', b64('from t0')])).CiphertextBlob;
});

after(() => vault.destroy());

test('faketime moves the clock the CLI sees', async () => {
  const before = Date.now();
  const k = await vault.ok<Api.KeyMetadataResponse>(['create-key', '--description', 'probe'], at(10));
  assertNear(k.KeyMetadata.CreationDate, before, 10);
});

test('at t0+29d, before the interval has passed, the key has not rotated', async () => {
  assert.deepEqual(await rotations(29), []);
  const k = await describe(29);
  assert.equal(Date.parse(k.NextRotationDate!), t0 + INTERVAL_MS);
});

test('at t0+31d the first start rotates the key exactly once, automatically', async () => {
  const since = Date.now();
  const first = await rotations(31);
  assert.equal(first.length, 1);
  assert.equal(first[0]!.RotationType, 'AUTOMATIC');
  assertNear(first[0]!.RotationDate, since, 31);
  assert.deepEqual(await rotations(31), first, 'a second start at the same time does not rotate again');
});

test('at t0+400d, many intervals later, the key rotates exactly once more (no rotation storm)', async () => {
  const since = Date.now();
  const list = await rotations(400);
  assert.equal(list.length, 2);
  assert.equal(list[1]!.RotationType, 'AUTOMATIC');
  assertNear(list[1]!.RotationDate, since, 400);
  // 369 days after the last start is more than a year past anything the vault has seen: the user
  // confirms the date once, or key deletions would wait (issue 13.6; clockJump.test.ts).
  const confirm = await vault.ok<{ Deleted: string[] }>(['run-maintenance', '--confirm-clock'], at(400));
  assert.deepEqual(confirm.Deleted, []);
});

test('the schedule resumes from the catch-up rotation: next rotation is that run plus 30 days', async () => {
  const list = await rotations(400);
  const k = await describe(400);
  assert.equal(k.AutomaticRotation, 'Enabled');
  assert.equal(Date.parse(k.NextRotationDate!), Date.parse(list[1]!.RotationDate) + INTERVAL_MS);
  assert.equal(k.LastRotationDate, list[1]!.RotationDate);
  assert.equal(k.PrimaryKeyVersion, list[1]!.KeyVersionId);
});

test('a ciphertext made at t0 still decrypts after the rotations', async () => {
  const dec = await vault.ok<Api.DecryptResponse>(['decrypt', '--ciphertext-blob', blob], at(400));
  assert.equal(Buffer.from(dec.Plaintext, 'base64').toString(), 'from t0');
});

test('a key disabled at t0+400d does not rotate by t0+500d and shows rotation Suspended', async () => {
  await vault.ok(['disable-key', '--key-id', keyId], at(400));
  const k = await describe(500);
  assert.equal(k.KeyState, 'Disabled');
  assert.equal(k.AutomaticRotation, 'Suspended');
  assert.equal(k.NextRotationDate, undefined);
  assert.equal((await rotations(500)).length, 2);
});

test('enabling the overdue key at t0+500d rotates it at once and restarts the schedule', async () => {
  const since = Date.now();
  const enabled = (await vault.ok<Api.KeyMetadataResponse>(['enable-key', '--key-id', keyId], at(500))).KeyMetadata;
  const list = await rotations(500);
  assert.equal(list.length, 3);
  assert.equal(list[2]!.RotationType, 'AUTOMATIC');
  assertNear(list[2]!.RotationDate, since, 500);
  assert.equal(enabled.PrimaryKeyVersion, list[2]!.KeyVersionId);
  assert.equal(Date.parse(enabled.NextRotationDate!), Date.parse(list[2]!.RotationDate) + INTERVAL_MS);
});

let doomedId = '';

test('a key scheduled for deletion with a 7-day window still exists 6 days later', async () => {
  doomedId = (await vault.ok<Api.KeyMetadataResponse>(['create-key', '--description', 'doomed'], at(500))).KeyMetadata.KeyId;
  await vault.ok(['schedule-key-deletion', '--key-id', doomedId, '--pending-window-in-days', '7'], at(500));
  const k = await describe(506, doomedId);
  assert.equal(k.KeyState, 'PendingDeletion');
});

test('8 days after scheduling, the first start deletes the key: NotFoundException', async () => {
  await vault.fails(['describe-key', '--key-id', doomedId], 'NotFoundException', at(508));
  const keys = await vault.ok<Api.ListKeysResponse>(['list-keys'], at(508));
  assert.ok(!keys.Keys.some((k) => k.KeyId === doomedId));
});

test('a clock moved back a year neither rotates nor deletes anything', async () => {
  const pendingId = (await vault.ok<Api.KeyMetadataResponse>(['create-key', '--description', 'pending'], at(508))).KeyMetadata.KeyId;
  await vault.ok(['schedule-key-deletion', '--key-id', pendingId, '--pending-window-in-days', '7'], at(508));
  const versionsBefore = await vault.ok<Api.ListKeyVersionsResponse>(['list-key-versions', '--key-id', keyId], at(508));
  const defaultBefore = await vault.ok<Api.ListKeyVersionsResponse>(['list-key-versions', '--key-id', 'alias/keyvault/default'], at(508));

  assert.deepEqual(await vault.ok(['run-maintenance'], at(-365)), { Rotated: [], Deleted: [] });
  assert.deepEqual(await vault.ok(['list-key-versions', '--key-id', keyId], at(-365)), versionsBefore);
  assert.deepEqual(await vault.ok(['list-key-versions', '--key-id', 'alias/keyvault/default'], at(-365)), defaultBefore);
  assert.equal((await describe(-365, pendingId)).KeyState, 'PendingDeletion');
});
