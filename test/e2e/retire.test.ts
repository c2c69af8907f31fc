/**
 * Retiring key versions in the app (issue 12), in Chromium with the real vault behind the bridge:
 * key detail shows each version's state and known files, disable/enable work from the keyboard,
 * "Bring N files up to date" rewraps the files on disk and reports in a sentence, scheduling a
 * destruction goes through main's native confirmation, and the Files screen's inventory filters
 * and scans a folder chosen in main's dialog. Screenshots in test-results/screenshots.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAgeFileFacts } from '../../main/files/inventory.js';
import { E2eEnvironment, type E2eApp } from './harness.js';

const env = new E2eEnvironment();
before(() => env.setup());
after(() => env.teardown());

/** Presses Tab until the element with this test id has focus (keyboard only). */
async function tabTo(app: E2eApp, testId: string, limit = 80): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await app.page.keyboard.press('Tab');
    if ((await app.page.evaluate('document.activeElement && document.activeElement.dataset.testid')) === testId) return;
  }
  throw new Error(`${testId} was not reached with Tab`);
}

/** A key "tax-returns" with two files on its first version and one on its second (current) one. */
async function seed(app: E2eApp): Promise<{ keyId: string; first: string; second: string; files: string[] }> {
  const s = app.service;
  const { KeyMetadata } = await s.createKey({ AliasName: 'alias/tax-returns', Description: 'Tax papers' });
  const encrypt = async (name: string): Promise<string> => {
    const input = join(app.workDir, name);
    writeFileSync(input, `${name}\n`.repeat(50));
    await s.runFileJob({ JobId: crypto.randomUUID(), Operation: 'Encrypt', InputPath: input, KeyId: KeyMetadata.KeyId });
    return `${input}.age`;
  };
  const files = [await encrypt('tax-2024.pdf'), await encrypt('tax-2025.pdf')];
  await s.rotateKeyOnDemand({ KeyId: KeyMetadata.KeyId });
  files.push(await encrypt('receipts.zip'));
  const versions = (await s.listKeyVersions({ KeyId: KeyMetadata.KeyId })).KeyVersions;
  const first = versions.find((v) => !v.IsPrimary)!.KeyVersionId;
  const second = versions.find((v) => v.IsPrimary)!.KeyVersionId;
  return { keyId: KeyMetadata.KeyId, first, second, files };
}

/** Closes the notices (the seed's rotation announces itself) so they do not cover what is shown. */
async function dismissNotices(app: E2eApp): Promise<void> {
  const close = app.page.getByTestId('notice').getByRole('button');
  while ((await close.count()) > 0) await close.first().click();
}

/** Scrolls so the rotation timeline and the versions below it are on screen together. */
async function showRotationAndVersions(app: E2eApp): Promise<void> {
  await app.page.evaluate(`document.querySelector('[data-testid="rotation-timeline"]').closest('.panel').scrollIntoView({ block: 'start' })`);
}

const row = (app: E2eApp, versionId: string) => app.page.locator(`[data-testid="version-row"][data-version-id="${versionId}"]`);

const VIEWS = [
  { theme: 'light', viewport: { width: 1280, height: 800 } },
  { theme: 'dark', viewport: { width: 900, height: 700 } },
] as const;

for (const { theme, viewport } of VIEWS) {
  test(`key detail: versions with their files, disable/enable by keyboard, bring up to date, schedule destruction (${theme}, ${viewport.width}px)`, async () => {
    const app = await env.startApp({ colorScheme: theme, viewport });
    try {
      const { page } = app;
      const { keyId, first, second, files } = await seed(app);
      await page.reload();
      await page.getByTestId('key-row').filter({ hasText: 'tax-returns' }).click();
      await page.getByTestId('screen-key-detail').waitFor();

      // Each version with its state and the number of known files on it.
      await row(app, first).getByTestId('version-files').filter({ hasText: '2' }).waitFor();
      assert.equal(await row(app, second).getByTestId('version-files').innerText(), '1');
      assert.equal(await row(app, second).getByTestId('version-disable').count(), 0, 'the current version cannot be disabled');
      assert.equal(await page.getByTestId('bring-up-to-date').innerText(), 'Bring 2 files up to date');

      // Keyboard only: disable the old version, then enable it again.
      await tabTo(app, 'version-disable');
      await page.keyboard.press('Enter');
      await page.locator(`[data-testid="version-row"][data-version-id="${first}"][data-state="Disabled"]`).waitFor();
      assert.equal((await app.service.describeKeyVersion({ KeyId: keyId, KeyVersionId: first })).KeyVersion.KeyVersionState, 'Disabled');
      await tabTo(app, 'version-enable');
      await page.keyboard.press('Enter');
      await page.locator(`[data-testid="version-row"][data-version-id="${first}"][data-state="Enabled"]`).waitFor();

      // With files still on it, destruction needs an explicit "anyway", and nothing is asked until then.
      await row(app, first).getByTestId('version-schedule').click();
      await page.getByTestId('destroy-files-warning').filter({ hasText: '2 files the vault knows of are still on this version' }).waitFor();
      assert.equal(await page.getByTestId('destroy-continue').isDisabled(), true);
      await dismissNotices(app);
      await showRotationAndVersions(app);
      await app.screenshot(`key-detail-versions-retire-files-${theme}`);
      await page.getByRole('button', { name: 'Keep it' }).click();

      // Bring the two files up to date: rewrapped on disk, counted again, said in a sentence.
      await page.getByTestId('bring-up-to-date').click();
      await page.getByTestId('bring-result').filter({ hasText: 'Done: 2 files now on the current version of tax-returns.' }).waitFor();
      for (const f of files) assert.equal(readAgeFileFacts(f)?.KeyVersionId, second, `${f} is on the current version`);
      await row(app, first).getByTestId('version-files').filter({ hasText: '0' }).waitFor();
      assert.equal(await page.getByTestId('bring-up-to-date').count(), 0, 'nothing left to bring up to date');
      await dismissNotices(app);
      await page.getByTestId('versions-panel').scrollIntoViewIfNeeded();
      await app.screenshot(`bring-up-to-date-${theme}`);

      // Schedule the old version's destruction: main asks natively, naming the key, the date and the files.
      await row(app, first).getByTestId('version-schedule').click();
      await page.getByTestId('destroy-days').fill('7');
      app.dialogs.willConfirm(true);
      await page.getByTestId('destroy-continue').click();
      await page.locator(`[data-testid="version-row"][data-version-id="${first}"][data-state="PendingDestruction"]`).waitFor();
      const asked = app.dialogs.confirmations().at(-1);
      assert.ok(asked, 'main asked natively');
      assert.match(asked.message, /^Destroy the version of \d{1,2} \w{3} \d{4} of tax-returns in 7 days\?$/);
      assert.match(asked.detail ?? '', /knows of no file still on this version/);
      assert.match(asked.detail ?? '', /Small ciphertexts made with Encrypt .* cannot be inventoried/);
      const state = (await app.service.describeKeyVersion({ KeyId: keyId, KeyVersionId: first })).KeyVersion;
      assert.equal(state.KeyVersionState, 'PendingDestruction');
      assert.match(await row(app, first).getByTestId('version-state').innerText(), /^Destroyed on .* unless cancelled$/);
      assert.equal(await page.locator('[data-testid="timeline-version"][data-state="PendingDestruction"]').count(), 1, 'the timeline marks it');
      await showRotationAndVersions(app);
      await app.screenshot(`key-detail-versions-retire-${theme}`);

      // Cancelling the destruction brings it back disabled (as a cancelled key deletion does);
      // declining the native question afterwards changes nothing.
      await row(app, first).getByTestId('version-cancel').click();
      await page.locator(`[data-testid="version-row"][data-version-id="${first}"][data-state="Disabled"]`).waitFor();
      await row(app, first).getByTestId('version-schedule').click();
      app.dialogs.willConfirm(false);
      await page.getByTestId('destroy-continue').click();
      await page.waitForTimeout(300);
      assert.equal((await app.service.describeKeyVersion({ KeyId: keyId, KeyVersionId: first })).KeyVersion.KeyVersionState, 'Disabled');
      assert.equal(await page.locator('[data-testid="error-banner"]').count(), 0, 'a declined question is not an error');

      // Scheduled again and the waiting period passes (the vault's clock moves 8 days on): the
      // version is destroyed, offers nothing, and the timeline crosses it out.
      await row(app, first).getByTestId('version-schedule').click();
      await page.getByTestId('destroy-days').fill('7');
      app.dialogs.willConfirm(true);
      await page.getByTestId('destroy-continue').click();
      await page.locator(`[data-testid="version-row"][data-version-id="${first}"][data-state="PendingDestruction"]`).waitFor();
      const later = Date.now() + 8 * 86_400_000;
      Object.defineProperty(app.service.context, 'clock', { value: { now: () => new Date(later) } });
      const { Destroyed } = await app.service.runMaintenance({ ConfirmClock: true });
      assert.deepEqual(
        Destroyed?.map((d) => d.KeyVersionId),
        [first],
      );
      await page.reload();
      await page.getByTestId('key-row').filter({ hasText: 'tax-returns' }).click();
      await page.locator(`[data-testid="version-row"][data-version-id="${first}"][data-state="Destroyed"]`).waitFor();
      assert.match(await row(app, first).getByTestId('version-state').innerText(), /^Destroyed on /);
      assert.equal(
        await row(app, first)
          .locator('[data-testid^="version-"][data-testid$="able"], [data-testid="version-schedule"], [data-testid="version-cancel"]')
          .count(),
        0,
        'a destroyed version offers nothing',
      );
      assert.equal(await page.locator('[data-testid="timeline-version"][data-state="Destroyed"]').count(), 1);
      await page.getByTestId('timeline-destroyed-legend').waitFor();
      await dismissNotices(app);
      await showRotationAndVersions(app);
      await app.screenshot(`key-detail-versions-destroyed-${theme}`);
    } finally {
      await app.close();
    }
  });

  test(`bring up to date: progress while it runs, then the result in a sentence (${theme}, ${viewport.width}px)`, async () => {
    // The run waits at a gate until the screenshot of its running state is taken; then the real
    // service runs it and its real progress events drive the bar.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let started = 0;
    const app = await env.startApp({
      colorScheme: theme,
      viewport,
      backend: (service) =>
        Object.assign(Object.create(service) as typeof service, {
          reEncryptFiles: async (req: Parameters<typeof service.reEncryptFiles>[0]) => {
            started++;
            await gate;
            return service.reEncryptFiles(req);
          },
        }),
    });
    try {
      const { page } = app;
      const { keyId, second, files } = await seed(app);
      for (let i = 0; i < 10; i++) {
        const input = join(app.workDir, `scan-${i}.jpg`);
        writeFileSync(input, `scan ${i}\n`);
        await app.service.runFileJob({ JobId: crypto.randomUUID(), Operation: 'Encrypt', InputPath: input, KeyId: keyId });
        files.push(`${input}.age`);
      }
      await app.service.rotateKeyOnDemand({ KeyId: keyId });
      await page.reload();
      await page.getByTestId('key-row').filter({ hasText: 'tax-returns' }).click();
      await page.getByTestId('bring-up-to-date').filter({ hasText: 'Bring 13 files up to date' }).waitFor();

      await page.getByTestId('bring-up-to-date').click();
      await page.getByTestId('bring-progress').waitFor();
      assert.equal(started, 1);
      assert.equal(await page.getByTestId('bring-up-to-date').isDisabled(), true, 'one run at a time');
      assert.equal(await page.getByRole('progressbar', { name: 'Bringing files up to date' }).count(), 1);
      await dismissNotices(app);
      await page.getByTestId('versions-panel').scrollIntoViewIfNeeded();
      await app.screenshot(`bring-up-to-date-running-${theme}`);

      open();
      await page.getByTestId('bring-result').filter({ hasText: 'Done: 13 files now on the current version of tax-returns.' }).waitFor();
      assert.equal(await page.getByTestId('bring-progress').count(), 0);
      const current = (await app.service.listKeyVersions({ KeyId: keyId })).KeyVersions.find((v) => v.IsPrimary)!.KeyVersionId;
      assert.notEqual(current, second);
      for (const f of files) assert.equal(readAgeFileFacts(f)?.KeyVersionId, current, `${f} is on the current version`);
    } finally {
      open();
      await app.close();
    }
  });

  test(`files: the inventory filters by key, stale and missing, and scans a folder chosen in main's dialog (${theme}, ${viewport.width}px)`, async () => {
    const app = await env.startApp({ colorScheme: theme, viewport });
    try {
      const { page } = app;
      const { files } = await seed(app);
      await app.service.createKey({ AliasName: 'alias/photos' });
      // One file moves to another folder behind the vault's back; a plain file sits next to it.
      const archive = join(app.workDir, 'archive');
      mkdirSync(archive);
      const moved = join(archive, 'receipts.zip.age');
      renameSync(files[2]!, moved);
      writeFileSync(join(archive, 'notes.txt'), 'not encrypted\n');

      await app.navigate('files');
      const rows = page.getByTestId('inventory-row');
      await rows.nth(2).waitFor();
      assert.equal(await rows.count(), 3);
      await page.locator('[data-testid="inventory-row"][data-status="Missing"]').filter({ hasText: 'receipts.zip.age' }).waitFor();
      assert.match(await rows.first().innerText(), /tax-returns/, 'files name their key by its alias');

      // Keyboard only: only files on an older version (the two made before the rotation).
      await tabTo(app, 'inventory-stale');
      await page.keyboard.press('Space');
      await page.locator('[data-testid="inventory-row"][data-stale="true"]').nth(1).waitFor();
      assert.equal(await rows.count(), 2);
      await page.getByTestId('inventory-stale').uncheck();
      await rows.nth(2).waitFor();

      // Scan the folder main's dialog gives: the moved file is found (the plain one is no age file).
      app.dialogs.willOpen([archive]);
      await tabTo(app, 'scan-folder');
      await page.keyboard.press('Enter');
      await page.getByTestId('scan-result').waitFor();
      assert.equal(await page.getByTestId('scan-result').innerText(), 'Scanned archive: its encrypted file is from this vault (1 new).');
      const opened = app.dialogs.shown.find((d) => d.kind === 'openFiles');
      assert.ok(opened && opened.kind === 'openFiles' && opened.folders === true, 'a folder dialog, run by main');
      await page.locator('[data-testid="inventory-row"][data-status="Present"]').filter({ hasText: 'archive' }).waitFor();

      // Only missing or changed: the old place of the moved file.
      await page.getByTestId('inventory-missing').check();
      await page.locator('[data-testid="inventory-row"][data-status="Present"]').waitFor({ state: 'detached' });
      assert.equal(await rows.count(), 1);
      assert.match(await rows.first().innerText(), /Missing \(moved or deleted\)/);
      await page.getByTestId('inventory-missing').uncheck();

      // By key: photos has no files.
      await page.getByTestId('inventory-key').selectOption({ label: 'photos' });
      await page.getByTestId('inventory-empty').waitFor();
      await page.getByTestId('inventory-key').selectOption({ label: 'tax-returns' });
      await rows.nth(3).waitFor();
      await dismissNotices(app);
      await page.getByTestId('file-inventory').scrollIntoViewIfNeeded();
      await app.screenshot(`inventory-${theme}`);

      // A file encrypted here shows up in the inventory as soon as its job is done.
      await page.getByTestId('inventory-key').selectOption({ label: 'All keys' });
      const letter = join(app.workDir, 'new-letter.txt');
      writeFileSync(letter, 'hello\n');
      await app.dropFiles([letter]);
      await page.getByTestId('inventory-row').filter({ hasText: 'new-letter.txt.age' }).waitFor();

      // A cancelled folder dialog scans nothing and says nothing went wrong.
      await page.getByTestId('scan-folder').click();
      await page.waitForTimeout(300);
      assert.equal(await page.locator('[data-testid="error-banner"]').count(), 0);
    } finally {
      await app.close();
    }
  });
}
