/**
 * Activity against the real vault: state changes by default (screen loads' reads hidden), rows
 * naming keys by alias and files by name, filters by key and outcome, export through main's save
 * dialog, and a table that scrolls instead of being cut off at 900 px. Screenshots light and dark.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { E2eEnvironment, type E2eApp } from './harness.js';

const env = new E2eEnvironment();
before(() => env.setup());
after(() => env.teardown());

/** A vault with a history: keys made, a file encrypted, a key disabled, a failed file job. */
async function seed(app: E2eApp): Promise<void> {
  const s = app.service;
  const { KeyMetadata: tax } = await s.createKey({ AliasName: 'alias/tax-returns', Description: 'Tax papers' });
  await s.createKey({ AliasName: 'alias/photos' });
  const report = join(app.workDir, 'report-2025.pdf');
  writeFileSync(report, 'numbers\n');
  await s.runFileJob({ JobId: crypto.randomUUID(), Operation: 'Encrypt', InputPath: report, KeyId: tax.KeyId });
  await s.disableKey({ KeyId: tax.KeyId });
  const late = join(app.workDir, 'late-receipt.pdf');
  writeFileSync(late, 'receipt\n');
  await s.runFileJob({ JobId: crypto.randomUUID(), Operation: 'Encrypt', InputPath: late, KeyId: tax.KeyId }).catch(() => undefined);
  // Reads, as opening screens makes them.
  for (let i = 0; i < 5; i++) await s.describeKey({ KeyId: tax.KeyId });
}

/** Presses Tab until the element with this test id has focus (keyboard only). */
async function tabTo(app: E2eApp, testId: string, limit = 40): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await app.page.keyboard.press('Tab');
    if ((await app.page.evaluate('document.activeElement && document.activeElement.dataset.testid')) === testId) return;
  }
  throw new Error(`${testId} was not reached with Tab`);
}

function rows(app: E2eApp) {
  return app.page.getByTestId('activity-row');
}

const VIEWS = [
  { theme: 'light', viewport: { width: 1280, height: 800 } },
  { theme: 'dark', viewport: { width: 900, height: 700 } },
] as const;

for (const { theme, viewport } of VIEWS) {
  test(`activity shows what changed, with aliases and file names, and scrolls at ${viewport.width}px (${theme})`, async () => {
    const app = await env.startApp({ colorScheme: theme, viewport });
    try {
      const { page } = app;
      await seed(app);
      await app.navigate('activity');
      await rows(app).first().waitFor();
      const ops = await rows(app).evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-operation')));
      assert.ok(!ops.includes('DescribeKey'), 'reads are hidden by default');
      for (const op of ['CreateKey', 'EncryptFile', 'DisableKey']) assert.ok(ops.includes(op), `${op} is shown`);
      const created = rows(app).and(page.locator('[data-operation="CreateKey"]'));
      // Aliases come from the key list, which refreshes on the vault's change events: give it a moment.
      const createdKeys = () => created.getByTestId('activity-key').allInnerTexts();
      for (let i = 0; i < 200 && (await createdKeys()).join() !== 'photos,tax-returns'; i++) await page.waitForTimeout(25);
      assert.deepEqual(await createdKeys(), ['photos', 'tax-returns'], 'CreateKey rows show the key');
      const encrypted = rows(app).and(page.locator('[data-operation="EncryptFile"][data-outcome="Success"]'));
      assert.equal(await encrypted.getByTestId('activity-detail').innerText(), 'report-2025.pdf');
      assert.match(await encrypted.innerText(), /File encrypted\s+Done\s+tax-returns\s+report-2025\.pdf/);
      const failed = rows(app).and(page.locator('[data-outcome="Failure"]'));
      assert.match(await failed.innerText(), /File encrypted\s+Failed: disabled\s+tax-returns\s+late-receipt\.pdf/);

      // Nothing is cut off: the region ends inside the window, and scrolled to its far side it
      // shows the last column whole.
      const region = page.getByRole('region', { name: 'Activity, newest first' });
      // Runs in the page; the test's own tsconfig has no DOM types, so the element is typed by what is used.
      type Rect = { right: number };
      type Scroller = {
        scrollLeft: number;
        scrollWidth: number;
        getBoundingClientRect(): Rect;
        querySelector(sel: string): { getBoundingClientRect(): Rect } | null;
      };
      const fit = await region.evaluate((node) => {
        const el = node as unknown as Scroller;
        const g = globalThis as unknown as { document: { documentElement: { clientWidth: number } }; getComputedStyle(e: unknown): { overflowX: string } };
        el.scrollLeft = el.scrollWidth;
        const box = el.getBoundingClientRect();
        const last = el.querySelector('thead th:last-child')?.getBoundingClientRect() ?? { right: Number.POSITIVE_INFINITY };
        const out = { right: box.right, window: g.document.documentElement.clientWidth, lastRight: last.right, overflow: g.getComputedStyle(node).overflowX };
        el.scrollLeft = 0;
        return out;
      });
      assert.ok(fit.right <= fit.window, `the region ends inside the window (${fit.right} <= ${fit.window})`);
      assert.ok(fit.lastRight <= fit.right + 0.5, `the last column can be scrolled into view (${fit.lastRight} <= ${fit.right})`);
      assert.equal(fit.overflow, 'auto');
      await app.screenshot(`activity-changes-${theme}`);

      await page.getByTestId('activity-include-reads').check();
      await rows(app).and(page.locator('[data-operation="DescribeKey"]')).first().waitFor();
      await page.getByTestId('activity-include-reads').uncheck();
      await page.getByTestId('activity-outcome-filter').selectOption({ label: 'Failed' });
      assert.deepEqual(await rows(app).evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-operation'))), ['EncryptFile']);
      await page.getByTestId('activity-outcome-filter').selectOption({ label: 'Any outcome' });
      await page.getByTestId('activity-key-filter').selectOption({ label: 'photos' });
      // The key's creation and its first version share a moment (or straddle a millisecond), so
      // which row is on top is not fixed: wait for the filtered set, not for one row order.
      const photoOps = async () => (await rows(app).evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-operation')))).sort().join();
      for (let i = 0; i < 200 && (await photoOps()) !== 'CreateKey,Rotation'; i++) await page.waitForTimeout(25);
      assert.equal(await photoOps(), 'CreateKey,Rotation', 'only the photos key: made, with its first version');
      await app.screenshot(`activity-filtered-${theme}`);
    } finally {
      await app.close();
    }
  });
}

test('export: main asks where to save and writes the filtered events as CSV and JSON (keyboard only)', async () => {
  const app = await env.startApp();
  try {
    const { page } = app;
    await seed(app);
    await app.navigate('activity');
    await rows(app).first().waitFor();
    await page.getByTestId('activity-outcome-filter').selectOption({ label: 'Failed' });
    const csvPath = join(app.workDir, 'failures.csv');
    app.dialogs.willSave(csvPath);
    await tabTo(app, 'activity-export-csv');
    await page.keyboard.press('Enter');
    await page.getByText('Saved 1 event to failures.csv.').waitFor();
    const csv = readFileSync(csvPath, 'utf8').split('\r\n');
    assert.equal(csv[0], 'Time,Operation,Key,KeyId,KeyVersionId,Outcome,ErrorType,Detail');
    assert.match(csv[1] ?? '', /^[^,]+,EncryptFile,tax-returns,[0-9a-f-]{36},,Failure,DisabledException,late-receipt\.pdf$/);

    await page.getByTestId('activity-outcome-filter').selectOption({ label: 'Any outcome' });
    const jsonPath = join(app.workDir, 'all.json');
    app.dialogs.willSave(jsonPath);
    await tabTo(app, 'activity-export-json');
    await page.keyboard.press('Enter');
    await page.getByText(/Saved \d+ events to all\.json\./).waitFor();
    const exported = JSON.parse(readFileSync(jsonPath, 'utf8')) as { Operation: string; Key: string; Detail: string }[];
    assert.ok(!exported.some((e) => e.Operation === 'DescribeKey'), 'reads stay out unless shown');
    assert.ok(exported.some((e) => e.Operation === 'CreateKey' && e.Key === 'photos'));
    const saves = app.dialogs.shown.filter((d) => d.kind === 'saveFile');
    assert.equal(saves.length, 2);
  } finally {
    await app.close();
  }
});
