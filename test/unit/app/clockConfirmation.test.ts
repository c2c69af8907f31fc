/**
 * Issue 13 item 6 in the app: a clock far past anything the vault has seen holds key deletions
 * back until the person confirms the date in main's native confirmation (scripted here). Runs on a
 * real vault with a hand-moved clock, through the app's operations as the IPC handlers call them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAppOperations } from '../../../main/app/appOperations.js';
import { confirmClockDate } from '../../../main/app/clockConfirmation.js';
import { FileTokenRegistry } from '../../../main/app/fileTokens.js';
import { ScriptedDialogs } from '../../../main/app/scriptedDialogs.js';
import { ManualClock, DAY_MS } from '../../../main/core/clock.js';
import { createTempVault, type TempVault } from '../../support/tempVault.js';

const me = { owner: 'contents:1' };
const start = new Date('2026-11-30T12:00:00.000Z');
let tv: TempVault;
let clock: ManualClock;

before(async () => {
  clock = new ManualClock(start);
  tv = await createTempVault({ clock });
});
after(() => tv.cleanup());

function appOps(dialogs: ScriptedDialogs) {
  return createAppOperations(tv.service, { dialogs, tokens: new FileTokenRegistry(), defaultSaveDir: () => tv.dir });
}

async function keyPendingDeletion(): Promise<string> {
  const { KeyMetadata } = await tv.service.createKey({ Description: 'to delete' });
  await tv.service.scheduleKeyDeletion({ KeyId: KeyMetadata.KeyId, PendingWindowInDays: 7 });
  return KeyMetadata.KeyId;
}

describe('confirming the date in the app', () => {
  it('a plausible clock: checkClock reports no problem and confirmClock asks nothing', async () => {
    const dialogs = new ScriptedDialogs();
    const ops = appOps(dialogs);
    assert.deepEqual(await ops.checkClock(undefined, me), { Now: start.toISOString() });
    assert.deepEqual(await ops.confirmClock(undefined, me), { Now: start.toISOString() });
    assert.equal(dialogs.shown.length, 0);
  });

  it('30 years ahead: deletions wait, a declined confirmation changes nothing, an accepted one deletes', async () => {
    const keyId = await keyPendingDeletion();
    clock.set(start.getTime() + 30 * 365 * DAY_MS);
    const dialogs = new ScriptedDialogs();
    const ops = appOps(dialogs);

    const check = await ops.checkClock(undefined, me);
    assert.equal(check.Now, clock.now().toISOString());
    assert.match(check.ClockProblem ?? '', /years past the latest time this vault has seen/);
    assert.deepEqual(check.DeletionsAwaitingClockConfirmation, [keyId]);
    assert.equal(dialogs.shown.length, 0, 'checking never asks');

    dialogs.willConfirm(false);
    await assert.rejects(ops.confirmClock(undefined, me), (err: { __type?: string }) => err.__type === 'CancelledException');
    const asked = dialogs.confirmations()[0]!;
    assert.deepEqual(asked, { kind: 'confirm', ...confirmClockDate(clock.now(), 1) });
    assert.match(asked.message, new RegExp(`Is today ${clock.now().toISOString().slice(0, 10)}\\?`));
    assert.match(asked.detail ?? '', /The clock says .*1 key is waiting to be deleted/);
    assert.equal((await tv.service.describeKey({ KeyId: keyId })).KeyMetadata.KeyState, 'PendingDeletion', 'declined: the key is still there');

    dialogs.willConfirm(true);
    const confirmed = await ops.confirmClock(undefined, me);
    assert.deepEqual(confirmed.Deleted, [keyId]);
    assert.equal(confirmed.ClockProblem, undefined);
    await assert.rejects(tv.service.describeKey({ KeyId: keyId }), (err: { __type?: string }) => err.__type === 'NotFoundException');
    // The confirmed date is now the vault's: the clock is plausible again, nothing more to ask.
    assert.deepEqual(await ops.checkClock(undefined, me), { Now: clock.now().toISOString() });
    assert.equal(dialogs.confirmations().length, 2);
  });
});
