/**
 * Issue 13 item 6 in the window: with the clock years past anything the vault has seen, a key
 * past its deletion date is not deleted; the window says what the clock says and offers "Confirm
 * the date", which main asks natively (scripted here) before it deletes anything.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DAY_MS, ManualClock } from '../../main/core/clock.js';
import { E2eEnvironment } from './harness.js';

const env = new E2eEnvironment();
before(() => env.setup());
after(() => env.teardown());

test('the window asks to confirm a far-ahead date; declined keeps the key, confirmed deletes it', async () => {
  const clock = new ManualClock(Date.now());
  const app = await env.startApp({ clock });
  try {
    const { KeyMetadata } = await app.service.createKey({ AliasName: 'alias/old-project' });
    await app.service.scheduleKeyDeletion({ KeyId: KeyMetadata.KeyId, PendingWindowInDays: 7 });
    assert.equal(await app.page.getByTestId('clock-notice').count(), 0, 'a plausible clock shows no notice');

    clock.advance(3 * 365 * DAY_MS);
    await app.page.reload();
    await app.page.locator('body[data-ready="true"]').waitFor({ state: 'attached' });
    const notice = app.page.getByTestId('clock-notice');
    await notice.waitFor();
    const words = (await notice.textContent()) ?? '';
    assert.match(words, /The clock says .*more than a year past the latest date this vault has seen/);
    assert.match(words, /1 key past its deletion date waits until you confirm the date/);
    await app.screenshot('clock-confirm');

    app.dialogs.willConfirm(false);
    await app.page.getByTestId('clock-confirm-action').click();
    await app.page.getByText('Confirm the date: cancelled, nothing was changed.').waitFor();
    assert.equal((await app.service.describeKey({ KeyId: KeyMetadata.KeyId })).KeyMetadata.KeyState, 'PendingDeletion');
    assert.equal(await notice.count(), 1, 'still asking after a decline');

    app.dialogs.willConfirm(true);
    await app.page.getByTestId('clock-confirm-action').click();
    await notice.waitFor({ state: 'detached' });
    await assert.rejects(app.service.describeKey({ KeyId: KeyMetadata.KeyId }), (err: { __type?: string }) => err.__type === 'NotFoundException');
    const asked = app.dialogs.confirmations();
    assert.equal(asked.length, 2);
    assert.equal(asked[1]!.message, `Is today ${clock.now().toISOString().slice(0, 10)}?`);
    assert.match(asked[1]!.detail ?? '', /1 key is waiting to be deleted/);
  } finally {
    await app.close();
  }
});
