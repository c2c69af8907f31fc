/**
 * The first-run and key journeys in Chromium against the real vault service, driven by the keyboard alone:
 * the first run (welcome → recovery key → first key) and a key's detail (open → rotate now with
 * its confirmation → back to the same row). Screenshots, light and dark, at 1280×800 and 900×700:
 * welcome-*, recovery-key-*, key-detail-versions-*, palette-*.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { E2eEnvironment } from './harness.js';

const env = new E2eEnvironment();
before(() => env.setup());
after(() => env.teardown());

const LARGE = { width: 1280, height: 800 };
const SMALL = { width: 900, height: 700 };

async function focusedTestId(page: Page): Promise<string | null> {
  return (await page.evaluate('document.activeElement && document.activeElement.getAttribute("data-testid")')) as string | null;
}

/** Presses Tab (only the keyboard) until the element with this test id has focus. */
async function tabTo(page: Page, testId: string, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    if ((await focusedTestId(page)) === testId) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`Tab never reached ${testId} (stuck on ${String(await focusedTestId(page))})`);
}

async function focusedText(page: Page): Promise<string> {
  return String(await page.evaluate('document.activeElement ? document.activeElement.textContent : ""'));
}

for (const theme of ['light', 'dark'] as const) {
  test(`first run by keyboard alone: welcome, recovery key, first key (${theme})`, async () => {
    const app = await env.startApp({ colorScheme: theme, viewport: LARGE });
    try {
      const { page } = app;
      // A fresh vault holds only the vault's own default key: that is "No keys yet".
      assert.equal((await app.service.listKeys()).Keys.length, 1);
      await page.getByTestId('welcome').waitFor();
      assert.equal(await page.getByTestId('key-count').innerText(), 'No keys yet');
      assert.equal(await page.getByTestId('welcome-vault-dir').innerText(), app.dir);
      await page.getByTestId('recovery-warning').waitFor();
      assert.equal(await page.locator('[data-testid="checklist"] [data-done="true"]').count(), 0);
      // Focus starts on the screen's heading.
      assert.equal(await focusedText(page), 'Keys');
      await app.screenshot(`welcome-${theme}`);

      await tabTo(page, 'checklist-recovery-action');
      await page.keyboard.press('Enter');
      await page.getByTestId('recovery-intro').waitFor();
      await tabTo(page, 'create-recovery-key');
      app.dialogs.willConfirm(true);
      await page.keyboard.press('Enter');
      const shown = page.getByTestId('recovery-key-text');
      await shown.waitFor();
      const recoveryKey = (await shown.innerText()).trim();
      assert.equal(app.dialogs.confirmations().at(-1)?.confirmLabel, 'Create recovery key');
      assert.equal((await app.service.getRecoveryStatus()).RecoveryKeySet, true);
      assert.ok(recoveryKey.length >= 40, recoveryKey);
      await app.screenshot(`recovery-key-${theme}`);

      // The sheet main writes is the service's, holding this key.
      const sheet = join(app.workDir, 'sheet.html');
      app.dialogs.willSave(sheet);
      await tabTo(page, 'save-recovery-sheet');
      await page.keyboard.press('Enter');
      await page.getByTestId('notice').filter({ hasText: 'sheet.html' }).waitFor();
      const sheetText = readFileSync(sheet, 'utf8').replace(/<[^>]+>/g, '');
      assert.ok(sheetText.includes(recoveryKey), 'the saved sheet holds the key shown');

      await tabTo(page, 'recovery-done');
      await page.keyboard.press('Enter');
      await page.getByTestId('recovery-warning').waitFor({ state: 'detached' });
      await page.locator('[data-testid="checklist-recovery"][data-done="true"]').waitFor();
      assert.equal(await page.getByTestId('recovery-key-text').count(), 0, 'the key is not kept on screen');

      // "Go to backup" lands in the backup form; Escape comes back to the welcome.
      await tabTo(page, 'checklist-backup-action');
      await page.keyboard.press('Enter');
      await page.getByTestId('screen-settings').waitFor();
      for (let i = 0; i < 20 && (await focusedTestId(page)) !== 'backup-passphrase'; i++) await page.waitForTimeout(25);
      assert.equal(await focusedTestId(page), 'backup-passphrase');
      await page.keyboard.press('Escape');
      await page.getByTestId('welcome').waitFor();

      await tabTo(page, 'checklist-key-action');
      await page.keyboard.press('Enter');
      assert.equal(await focusedTestId(page), 'create-key-alias');
      await page.keyboard.type('tax-returns');
      await page.keyboard.press('Tab');
      await page.keyboard.type('Scans of tax returns');
      await page.keyboard.press('Enter');
      const row = page.getByTestId('key-row').filter({ hasText: 'tax-returns' });
      await row.waitFor();
      assert.equal(await page.getByTestId('welcome').count(), 0);
      const made = (await app.service.listKeyDetails()).Keys.find((k) => k.Aliases.includes('alias/tax-returns'));
      assert.equal(made?.Description, 'Scans of tax returns');
      await page.getByTestId('notice').filter({ hasText: 'Key created: tax-returns.' }).waitFor();
    } finally {
      await app.close();
    }
  });

  test(`a key by keyboard alone: open, rotate now (confirmed), back to the same row (${theme})`, async () => {
    const app = await env.startApp({ colorScheme: theme, viewport: LARGE });
    try {
      const { page } = app;
      const s = app.service;
      await s.createKey({ AliasName: 'alias/photos', Description: 'Family photo archive', EnableAutomaticRotation: true, RotationInterval: '30d' });
      const { KeyMetadata: tax } = await s.createKey({
        AliasName: 'alias/tax-returns',
        Description: 'Scans of tax returns',
        EnableAutomaticRotation: true,
        RotationInterval: '90d',
      });
      await s.rotateKeyOnDemand({ KeyId: tax.KeyId });
      await page.getByTestId('key-row').filter({ hasText: 'tax-returns' }).waitFor();

      // Entering the list makes its first row active.
      await tabTo(page, 'key-list');
      const active = page.locator('[data-testid="key-list"] [aria-selected="true"]');
      assert.equal(await active.count(), 1);
      const rows = await page.getByTestId('key-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-key-id')));
      assert.equal(await active.getByTestId('key-row').getAttribute('data-key-id'), rows[0]);
      for (let i = 0; i < rows.indexOf(tax.KeyId); i++) await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await page.locator(`[data-testid="screen-key-detail"][data-key-id="${tax.KeyId}"]`).waitFor();
      await page.getByTestId('version-row').nth(1).waitFor();
      // Focus moved to the key's heading.
      assert.equal(await focusedText(page), 'tax-returns');
      await app.screenshot(`key-detail-versions-${theme}`);

      // The seed's own rotation already showed a notice naming the key.
      const notice = page.getByTestId('notice').filter({ hasText: 'tax-returns' });
      await notice.waitFor();
      const seedNotice = await notice.getAttribute('data-notice-id');
      await tabTo(page, 'rotate-now', 80);
      await page.keyboard.press('Enter');
      assert.equal(await focusedTestId(page), 'confirm-rotate', 'the confirmation takes focus');
      assert.equal((await s.listKeyVersions({ KeyId: tax.KeyId })).KeyVersions.length, 2, 'nothing rotates before the yes');
      await page.keyboard.press('Enter');
      await page.getByTestId('version-row').nth(2).waitFor();
      assert.equal((await s.listKeyVersions({ KeyId: tax.KeyId })).KeyVersions.length, 3);
      // The notice names the key, not a version id.
      // Same words: the newer notice replaces the older one instead of stacking a copy.
      await page.locator(`[data-testid="notice"]:not([data-notice-id="${seedNotice}"])`).filter({ hasText: 'tax-returns' }).waitFor();
      assert.equal(await notice.count(), 1);
      assert.doesNotMatch(await notice.innerText(), /[0-9a-f]{8}/);

      await page.keyboard.press('Escape');
      await page.getByTestId('key-list').waitFor();
      assert.equal(await focusedTestId(page), 'key-list', 'focus is back on the list');
      assert.equal(await active.getByTestId('key-row').getAttribute('data-key-id'), tax.KeyId, 'on the row of the key just left');
    } finally {
      await app.close();
    }
  });
}

test('shortcuts and the command palette; the layout at 900×700 (light and dark)', async () => {
  for (const theme of ['light', 'dark'] as const) {
    const app = await env.startApp({ colorScheme: theme, viewport: SMALL });
    try {
      const { page } = app;
      await page.getByTestId('welcome').waitFor();
      await app.screenshot(`welcome-900-${theme}`);
      const sidebar = await page.locator('.sidebar').boundingBox();
      assert.ok(sidebar && sidebar.width <= 64, `the sidebar collapses (${sidebar?.width}px)`);

      const { KeyMetadata: k } = await app.service.createKey({ AliasName: 'alias/household-insurance-papers', Description: 'Policies and claims' });
      await app.service.rotateKeyOnDemand({ KeyId: k.KeyId });
      await page.getByTestId('key-row').filter({ hasText: 'household' }).waitFor();
      // The long alias keeps its room: it is not cut short at this width.
      const alias = page.getByTestId('key-row').filter({ hasText: 'household' }).locator('.key-row-alias');
      assert.equal(await alias.evaluate((el) => el.scrollWidth <= el.clientWidth), true);

      // Ctrl+N opens the create dialog anywhere; Escape closes it.
      await app.navigate('activity');
      await page.keyboard.press('Control+n');
      assert.equal(await focusedTestId(page), 'create-key-alias');
      await page.keyboard.press('Escape');
      // Escape outside a dialog goes back to Keys; Ctrl+F lands in the search box.
      await page.keyboard.press('Escape');
      await page.getByTestId('screen-keys').waitFor();
      await page.keyboard.press('Control+f');
      for (let i = 0; i < 20 && (await focusedTestId(page)) !== 'key-search'; i++) await page.waitForTimeout(25);
      assert.equal(await focusedTestId(page), 'key-search');

      // Ctrl+K: type a key's name, Enter opens it.
      await page.keyboard.press('Control+k');
      assert.equal(await focusedTestId(page), 'palette-input');
      await page.keyboard.type('household');
      await app.screenshot(`palette-900-${theme}`);
      await page.keyboard.press('Enter');
      await page.locator(`[data-testid="screen-key-detail"][data-key-id="${k.KeyId}"]`).waitFor();
      await page.getByTestId('version-row').nth(1).waitFor();
      await page.getByTestId('versions-table').scrollIntoViewIfNeeded();
      await app.screenshot(`key-detail-versions-900-${theme}`);
    } finally {
      await app.close();
    }
  }
});
