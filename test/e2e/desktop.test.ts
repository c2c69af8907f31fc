/**
 * Files the OS opens the app with (double-click on an `.age` file, "Open with"), in Chromium
 * against the real IPC handlers and vault: main's inbox (main/app/openWith.ts) holds the paths,
 * the page takes them as tokens at its first load or when main says more arrived, shows them on
 * the Files screen, and runs nothing until the person chooses. Screenshots: open-with-*.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { OpenedFilesInbox } from '../../main/app/openWith.js';
import { eventChannelFor } from '../../preload/contract.js';
import type { E2eApp } from './harness.js';
import { E2eEnvironment } from './harness.js';

const env = new E2eEnvironment();
before(() => env.setup());
after(() => env.teardown());

/** An age file of this vault at `<workDir>/<name>.age`, its plaintext removed. */
async function ageFile(app: E2eApp, name: string, text: string): Promise<string> {
  const plain = join(app.workDir, name);
  writeFileSync(plain, text);
  await app.service.runFileJob({ JobId: crypto.randomUUID(), Operation: 'Encrypt', InputPath: plain, KeyId: 'alias/tax-returns' });
  rmSync(plain);
  return `${plain}.age`;
}

/** Presses Tab until the focused element is the one named, as a keyboard-only person would. */
async function tabTo(page: Page, accessibleName: string, maxPresses = 60): Promise<void> {
  for (let i = 0; i < maxPresses; i++) {
    await page.keyboard.press('Tab');
    const name = await page.evaluate(
      'document.activeElement && (document.activeElement.getAttribute("aria-label") || document.activeElement.textContent || "").trim()',
    );
    if (name === accessibleName) return;
  }
  throw new Error(`"${accessibleName}" was not reached with Tab`);
}

const RUNS = [
  { colorScheme: 'light', viewport: { width: 1280, height: 800 }, tag: '' },
  { colorScheme: 'dark', viewport: { width: 1280, height: 800 }, tag: '' },
  { colorScheme: 'light', viewport: { width: 900, height: 700 }, tag: '900-' },
  { colorScheme: 'dark', viewport: { width: 900, height: 700 }, tag: '900-' },
] as const;

for (const { colorScheme, viewport, tag } of RUNS) {
  test(`(${colorScheme}, ${viewport.width}x${viewport.height}) a file the app was opened with waits on the Files screen; Decrypt by keyboard only writes it back`, async () => {
    const inbox = new OpenedFilesInbox();
    const app = await env.startApp({ colorScheme, viewport, openedFiles: inbox });
    try {
      await app.service.createKey({ AliasName: 'alias/tax-returns' });
      const file = await ageFile(app, 'return-2025.pdf', 'income: 42\n');
      inbox.add([file]);
      await app.page.evaluate(`window.__vaultTest.dispatch(${JSON.stringify(eventChannelFor('filesOpened'))}, { Count: 1 })`);
      await app.page.getByTestId('screen-files').waitFor();
      const row = app.page.getByTestId('opened-file');
      await row.waitFor();
      assert.match(await row.innerText(), /return-2025\.pdf\.age/);
      assert.equal(await app.page.getByTestId('file-jobs').count(), 0, 'nothing runs before the person chooses');
      assert.equal(existsSync(join(app.workDir, 'return-2025.pdf')), false);
      await app.screenshot(`open-with-${tag}${colorScheme}`);

      await tabTo(app.page, 'Decrypt return-2025.pdf.age');
      await app.page.keyboard.press('Enter');
      const job = app.page.locator('[data-testid="file-job"][data-file-name="return-2025.pdf.age"]');
      await job.and(app.page.locator('[data-status="done"]')).waitFor();
      assert.equal(readFileSync(join(app.workDir, 'return-2025.pdf'), 'utf8'), 'income: 42\n');
      assert.equal(await app.page.getByTestId('opened-file').count(), 0, 'the opened file is handled');
      await app.screenshot(`open-with-decrypted-${tag}${colorScheme}`);
    } finally {
      await app.close();
    }
  });
}

test('files waiting when the page loads are taken at first load; a vanished one is named with its reason', async () => {
  const inbox = new OpenedFilesInbox();
  const first = await env.startApp({ openedFiles: inbox });
  try {
    await first.service.createKey({ AliasName: 'alias/tax-returns' });
    const file = await ageFile(first, 'notes.txt', 'dear diary\n');
    inbox.add([file, join(first.workDir, 'moved-away.age')]);
    // A reload is a first load: the page asks main by itself, no event needed.
    await first.page.reload();
    await first.page.locator('body[data-ready="true"]').waitFor({ state: 'attached' });
    await first.page.getByTestId('screen-files').waitFor();
    await first.page.getByTestId('opened-file').waitFor();
    assert.match(await first.page.getByTestId('opened-files').innerText(), /Not opened: moved-away\.age no longer exists/);
    await first.page.getByRole('button', { name: 'Inspect notes.txt.age' }).click();
    const job = first.page.locator('[data-testid="file-job"][data-file-name="notes.txt.age"]');
    await job.and(first.page.locator('[data-status="done"]')).waitFor();
    assert.match(await job.innerText(), /tax-returns|Inspect/i);
    await first.screenshot('open-with-inspected');
  } finally {
    await first.close();
  }
});
