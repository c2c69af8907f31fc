/**
 * The Files screen never acts on something the person did not choose: the chosen key stays
 * chosen (a disabled one blocks the drop, with Enable in place), an `.age` file dropped to encrypt
 * waits for an answer, a taken output name offers Replace / Keep both, and the options of one
 * operation do not leak into another. Real vault, real files, Chromium; screenshots in
 * test-results/screenshots.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { E2eEnvironment, type E2eApp } from './harness.js';

const env = new E2eEnvironment();
before(() => env.setup());
after(() => env.teardown());

function jobRow(app: E2eApp, fileName: string) {
  return app.page.locator(`[data-testid="file-job"][data-file-name="${fileName}"]`).first();
}

async function statusOf(app: E2eApp, fileName: string, status: string): Promise<void> {
  await jobRow(app, fileName)
    .and(app.page.locator(`[data-status="${status}"]`))
    .waitFor();
}

/** Presses Tab until the element with this test id has focus (keyboard only), then returns. */
async function tabTo(app: E2eApp, testId: string, limit = 40): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await app.page.keyboard.press('Tab');
    if ((await app.page.evaluate('document.activeElement && document.activeElement.dataset.testid')) === testId) return;
  }
  throw new Error(`${testId} was not reached with Tab`);
}

const VIEWS = [
  { theme: 'light', viewport: { width: 1280, height: 800 } },
  { theme: 'dark', viewport: { width: 900, height: 700 } },
] as const;

for (const { theme, viewport } of VIEWS) {
  test(`a disabled key blocks the drop with the reason and Enable in place; the menu keeps it (${theme}, ${viewport.width}px, keyboard only)`, async () => {
    const app = await env.startApp({ colorScheme: theme, viewport });
    try {
      const { page } = app;
      await app.service.createKey({ AliasName: 'alias/everyday' });
      const { KeyMetadata: tax } = await app.service.createKey({ AliasName: 'alias/tax-returns', Description: 'Tax papers' });
      await app.navigate('files');
      await page.getByTestId('file-key').selectOption({ label: 'tax-returns' });
      await app.service.disableKey({ KeyId: tax.KeyId });

      const notice = page.getByTestId('file-key-blocked');
      await notice.filter({ hasText: 'tax-returns is disabled, so nothing can be encrypted under it.' }).waitFor();
      assert.equal(await page.getByTestId('file-key').inputValue(), tax.KeyId, 'the menu still shows the chosen key');
      assert.equal(await page.locator('[data-testid="file-key"] option:checked').innerText(), 'tax-returns (disabled)');
      const input = join(app.workDir, 'tax-2025.pdf');
      writeFileSync(input, 'income: 42\n'.repeat(100));
      await app.dropFiles([input]);
      // The drop was taken and refused: give it time to have started a job if it were going to.
      await page.waitForTimeout(400);
      assert.equal(await page.getByTestId('file-job').count(), 0, 'nothing ran');
      assert.equal(existsSync(`${input}.age`), false, 'nothing was written, under any key');
      await app.screenshot(`files-disabled-key-${theme}`);

      // Keyboard only: Tab to "Enable tax-returns", Enter; then Tab to "Choose files…", Enter.
      await tabTo(app, 'file-key-enable');
      await page.keyboard.press('Enter');
      await notice.waitFor({ state: 'detached' });
      assert.equal((await app.service.describeKey({ KeyId: tax.KeyId })).KeyMetadata.KeyState, 'Enabled');
      app.dialogs.willOpen([input]);
      await tabTo(app, 'file-pick');
      await page.keyboard.press('Enter');
      await statusOf(app, 'tax-2025.pdf', 'done');
      await jobRow(app, 'tax-2025.pdf')
        .getByTestId('file-job-sentence')
        .filter({ hasText: /^Encrypted under tax-returns \(version of \d{1,2} [A-Z][a-z]{2}\) as tax-2025\.pdf\.age\.$/ })
        .waitFor();
      const inspected = await app.service.runFileJob({ JobId: crypto.randomUUID(), Operation: 'Inspect', InputPath: `${input}.age` });
      assert.equal(inspected.Inspection?.KeyId, tax.KeyId, 'encrypted under the key the person chose');
      await app.screenshot(`files-results-${theme}`);
    } finally {
      await app.close();
    }
  });
}

test('a key scheduled for deletion offers to cancel it; a deleted choice is never replaced by another key', async () => {
  const app = await env.startApp();
  try {
    const { page } = app;
    await app.service.createKey({ AliasName: 'alias/everyday' });
    const { KeyMetadata: old } = await app.service.createKey({ AliasName: 'alias/old-laptop' });
    await app.navigate('files');
    await page.getByTestId('file-key').selectOption({ label: 'old-laptop' });
    await app.service.scheduleKeyDeletion({ KeyId: old.KeyId, PendingWindowInDays: 7 });
    await page
      .getByTestId('file-key-blocked')
      .filter({ hasText: /^old-laptop is scheduled for deletion on \d{1,2} [A-Z][a-z]{2}/ })
      .waitFor();
    await page.getByTestId('file-key-cancel-deletion').click();
    // Cancelling leaves the key disabled (as in KMS): the notice now offers Enable.
    await page.getByTestId('file-key-enable').waitFor();
    assert.equal(await page.getByTestId('file-key').inputValue(), old.KeyId);
    await page.getByTestId('file-key-choose-another').click();
    assert.equal(
      await page.evaluate('document.activeElement && document.activeElement.dataset.testid'),
      'file-key',
      'Choose another key puts focus on the menu',
    );
  } finally {
    await app.close();
  }
});

test('the last key used is the default next time; options belong to their operation only', async () => {
  const app = await env.startApp();
  try {
    const { page } = app;
    await app.service.createKey({ AliasName: 'alias/everyday' });
    const { KeyMetadata: photos } = await app.service.createKey({ AliasName: 'alias/photos' });
    await app.navigate('files');
    assert.notEqual(await page.getByTestId('file-key').inputValue(), photos.KeyId, 'photos is not the first default');
    await page.getByTestId('file-key').selectOption({ label: 'photos' });
    const pic = join(app.workDir, 'beach.jpg');
    writeFileSync(pic, 'pixels');
    app.dialogs.willOpen([pic]);
    await page.getByTestId('file-pick').click();
    await statusOf(app, 'beach.jpg', 'done');

    await page.reload();
    await page.locator('body[data-ready="true"]').waitFor({ state: 'attached' });
    await app.navigate('files');
    assert.equal(await page.getByTestId('file-key').inputValue(), photos.KeyId, 'the last key used is chosen again');

    await page.getByTestId('file-operation').selectOption({ label: 'Decrypt' });
    await page.getByTestId('file-overwrite').check();
    await page.getByTestId('file-save-as').check();
    await page.getByTestId('file-operation').selectOption({ label: 'Re-encrypt to current primary' });
    assert.equal(await page.getByTestId('file-overwrite').count(), 0, 'no "Replace existing output files" for Re-encrypt');
    assert.equal(await page.getByTestId('file-save-as').count(), 0);
    await page.getByTestId('file-operation').selectOption({ label: 'Decrypt' });
    assert.equal(await page.getByTestId('file-overwrite').isChecked(), false, 'not sticky across operations');
    assert.equal(await page.getByTestId('file-save-as').isChecked(), false);
  } finally {
    await app.close();
  }
});

test('an .age file dropped to encrypt waits: Decrypt instead decrypts it, nothing becomes .age.age', async () => {
  const app = await env.startApp();
  try {
    const { page } = app;
    await app.service.createKey({ AliasName: 'alias/letters' });
    const note = join(app.workDir, 'note.txt');
    writeFileSync(note, 'see you at eight\n');
    await app.service.runFileJob({ JobId: crypto.randomUUID(), Operation: 'Encrypt', InputPath: note, KeyId: 'alias/letters' });
    writeFileSync(note, 'a different draft\n');
    const other = join(app.workDir, 'second.txt.age');
    writeFileSync(other, 'not really age');
    await app.navigate('files');
    await app.dropFiles([`${note}.age`, other]);
    await statusOf(app, 'note.txt.age', 'held');
    await statusOf(app, 'second.txt.age', 'held');
    assert.match(await jobRow(app, 'note.txt.age').getByTestId('file-job-held').innerText(), /Encrypting it again makes note\.txt\.age\.age/);
    await app.screenshot('files-age-again-light');
    await jobRow(app, 'second.txt.age').getByTestId('file-job-skip').click();
    await jobRow(app, 'second.txt.age').waitFor({ state: 'detached' });

    // The decrypted name is taken (note.txt was edited since): Keep both.
    await jobRow(app, 'note.txt.age').getByTestId('file-job-decrypt-instead').click();
    await statusOf(app, 'note.txt.age', 'failed');
    await jobRow(app, 'note.txt.age').getByTestId('file-job-clash').filter({ hasText: 'note.txt is already there.' }).waitFor();
    await app.screenshot('files-clash-light');
    await jobRow(app, 'note.txt.age').getByTestId('file-job-keep-both').click();
    await statusOf(app, 'note.txt.age', 'done');
    assert.equal(readFileSync(join(app.workDir, 'note (2).txt'), 'utf8'), 'see you at eight\n');
    assert.equal(readFileSync(note, 'utf8'), 'a different draft\n', 'keep both left the existing file alone');
    await jobRow(app, 'note.txt.age')
      .getByTestId('file-job-sentence')
      .filter({ hasText: /^Decrypted to note \(2\)\.txt; it was under letters/ })
      .waitFor();
    assert.equal(existsSync(`${note}.age.age`), false);
    assert.equal(existsSync(`${other}.age`), false, 'the skipped file was not touched');
    assert.deepEqual(app.dialogs.shown, [], 'keep both needs no dialog');

    await jobRow(app, 'note.txt.age').getByTestId('file-job-show').click();
    await page.waitForTimeout(200);
    assert.deepEqual(app.dialogs.shown, [{ kind: 'showItemInFolder', path: join(app.workDir, 'note (2).txt') }]);
  } finally {
    await app.close();
  }
});

test("decrypting onto an existing file: Replace goes through main's confirmation", async () => {
  const app = await env.startApp({ colorScheme: 'dark', viewport: { width: 900, height: 700 } });
  try {
    const { page } = app;
    await app.service.createKey({ AliasName: 'alias/letters' });
    const memo = join(app.workDir, 'memo.txt');
    writeFileSync(memo, 'the real memo\n');
    await app.service.runFileJob({ JobId: crypto.randomUUID(), Operation: 'Encrypt', InputPath: memo, KeyId: 'alias/letters' });
    writeFileSync(memo, 'a newer memo\n');
    await app.navigate('files');
    await page.getByTestId('file-operation').selectOption({ label: 'Decrypt' });
    app.dialogs.willOpen([`${memo}.age`]);
    await page.getByTestId('file-pick').click();
    await jobRow(app, 'memo.txt.age').getByTestId('file-job-clash').waitFor();
    await app.screenshot('files-clash-dark');
    app.dialogs.willConfirm(true);
    await jobRow(app, 'memo.txt.age').getByTestId('file-job-replace').click();
    await statusOf(app, 'memo.txt.age', 'done');
    assert.equal(readFileSync(memo, 'utf8'), 'the real memo\n');
    assert.equal(app.dialogs.confirmations()[0]?.message, `Replace memo.txt in ${app.workDir}?`);
  } finally {
    await app.close();
  }
});

for (const { theme, viewport } of VIEWS) {
  test(`a folder is counted before anything starts, then each file is encrypted (${theme}, ${viewport.width}px)`, async () => {
    const app = await env.startApp({ colorScheme: theme, viewport });
    try {
      const { page } = app;
      await app.service.createKey({ AliasName: 'alias/photos' });
      const root = join(app.workDir, 'holiday');
      mkdirSync(join(root, 'day-2'), { recursive: true });
      writeFileSync(join(root, 'beach.jpg'), 'sand');
      writeFileSync(join(root, 'day-2', 'hill.jpg'), 'grass');
      symlinkSync('/etc/hostname', join(root, 'a-link'));
      await app.navigate('files');
      await page.getByTestId('file-key').selectOption({ label: 'photos' });
      app.dialogs.willOpen([root]);
      await page.getByTestId('file-pick-folder').click();
      await page.getByTestId('folder-count').filter({ hasText: 'holiday: 2 files; 1 left out' }).waitFor();
      assert.equal(await page.getByTestId('file-job').count(), 0, 'nothing starts before the person says so');
      assert.equal(await page.getByTestId('folder-start').innerText(), 'Encrypt 2 files with photos');
      await app.screenshot(`files-folder-${theme}`);
      await page.keyboard.press('Enter'); // the start button has focus
      await statusOf(app, 'holiday/beach.jpg', 'done');
      await statusOf(app, 'holiday/day-2/hill.jpg', 'done');
      assert.ok(existsSync(join(root, 'beach.jpg.age')) && existsSync(join(root, 'day-2', 'hill.jpg.age')));
      assert.equal(existsSync(join(root, 'a-link.age')), false);
      await page.getByTestId('folder-ask').waitFor({ state: 'detached' });
    } finally {
      await app.close();
    }
  });
}

test('decrypting a file whose key is disabled names the key and offers to enable it and try again', async () => {
  const app = await env.startApp();
  try {
    const { page } = app;
    const { KeyMetadata: tax } = await app.service.createKey({ AliasName: 'alias/tax-returns' });
    const input = join(app.workDir, 'return.pdf');
    writeFileSync(input, 'owed: 0\n');
    await app.service.runFileJob({ JobId: crypto.randomUUID(), Operation: 'Encrypt', InputPath: input, KeyId: tax.KeyId });
    rmSync(input);
    await app.service.disableKey({ KeyId: tax.KeyId });
    await app.navigate('files');
    await page.getByTestId('file-operation').selectOption({ label: 'Decrypt' });
    app.dialogs.willOpen([`${input}.age`]);
    await page.getByTestId('file-pick').click();
    await statusOf(app, 'return.pdf.age', 'failed');
    const error = await jobRow(app, 'return.pdf.age').getByTestId('error-text').innerText();
    assert.match(error, /tax-returns is disabled/);
    assert.ok(!error.includes(tax.KeyId), 'the key is named by its alias, not its id');
    await app.screenshot('files-error-fix-light');
    await jobRow(app, 'return.pdf.age').getByTestId('file-job-enable-retry').click();
    await statusOf(app, 'return.pdf.age', 'done');
    assert.equal((await app.service.describeKey({ KeyId: tax.KeyId })).KeyMetadata.KeyState, 'Enabled');
    assert.equal(readFileSync(input, 'utf8'), 'owed: 0\n');
  } finally {
    await app.close();
  }
});

test('a folder dropped as a whole is counted too, then decrypted file by file', async () => {
  const app = await env.startApp();
  try {
    const { page } = app;
    await app.service.createKey({ AliasName: 'alias/letters' });
    const root = join(app.workDir, 'letters');
    mkdirSync(join(root, 'old'), { recursive: true });
    for (const name of ['a.txt', join('old', 'b.txt')]) {
      writeFileSync(join(root, name), `letter ${name}\n`);
      await app.service.runFileJob({ JobId: crypto.randomUUID(), Operation: 'Encrypt', InputPath: join(root, name), KeyId: 'alias/letters' });
      rmSync(join(root, name));
    }
    await app.navigate('files');
    await page.getByTestId('file-operation').selectOption({ label: 'Decrypt' });
    await app.dropFiles([root]);
    await page.getByTestId('folder-count').filter({ hasText: 'letters: 2 files.' }).waitFor();
    assert.equal(await page.getByTestId('folder-start').innerText(), 'Decrypt 2 files');
    await page.getByTestId('folder-start').click();
    await statusOf(app, 'letters/a.txt.age', 'done');
    await statusOf(app, 'letters/old/b.txt.age', 'done');
    assert.equal(readFileSync(join(root, 'old', 'b.txt'), 'utf8'), `letter ${join('old', 'b.txt')}\n`);
  } finally {
    await app.close();
  }
});
