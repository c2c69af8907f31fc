/** Files screen in Chromium against the real vault service and real files on disk. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { FileOperation } from '../../preload/contract.js';
import { E2eEnvironment, type E2eApp } from './harness.js';

const env = new E2eEnvironment();
before(() => env.setup());
after(() => env.teardown());

const OPERATION_LABEL: Record<FileOperation, string> = {
  Encrypt: 'Encrypt',
  Decrypt: 'Decrypt',
  ReEncrypt: 'Re-encrypt to current primary',
  Inspect: 'Inspect',
};

async function chooseOperation(app: E2eApp, op: FileOperation, keyAlias?: string): Promise<void> {
  await app.page.getByTestId('file-operation').selectOption({ label: OPERATION_LABEL[op] });
  if (keyAlias) await app.page.getByTestId('file-key').selectOption({ label: keyAlias });
}

/** Picks files in main's (scripted) native open dialog. */
async function pickFiles(app: E2eApp, paths: string[]): Promise<void> {
  app.dialogs.willOpen(paths);
  await app.page.getByTestId('file-pick').click();
}

/** A real drag-and-drop of the files onto the drop zone (see the harness). */
async function dropFiles(app: E2eApp, paths: string[]): Promise<void> {
  await app.dropFiles(paths);
}

/** The newest job row for this file name (of this operation, where several jobs share the name). */
function jobRow(app: E2eApp, fileName: string, operation?: string) {
  const op = operation ? `[data-operation="${operation}"]` : '';
  return app.page.locator(`[data-testid="file-job"][data-file-name="${fileName}"]${op}`).first();
}

/** Waits until the newest job for this file name has stopped running; returns its status. */
async function finished(app: E2eApp, fileName: string, operation?: string): Promise<string> {
  await jobRow(app, fileName, operation).and(app.page.locator(':not([data-status="running"])')).waitFor();
  return (await jobRow(app, fileName, operation).getAttribute('data-status')) ?? '';
}

test('two dropped files run independently: the good one is decrypted, the bad one shows a clear error', async () => {
  const app = await env.startApp();
  try {
    const { KeyMetadata: key } = await app.service.createKey({ AliasName: 'alias/letters' });
    const letter = join(app.workDir, 'letter.txt');
    writeFileSync(letter, 'Dear vault,\nplease keep this safe.\n');
    await app.service.runFileJob({ JobId: 'prep-1', Operation: 'Encrypt', InputPath: letter, KeyId: key.KeyId });
    rmSync(letter);
    const notAge = join(app.workDir, 'shopping.txt');
    writeFileSync(notAge, 'milk, bread, coffee\n');

    await app.navigate('files');
    await chooseOperation(app, 'Decrypt');
    await dropFiles(app, [`${letter}.age`, notAge]);

    assert.equal(await finished(app, 'letter.txt.age'), 'done');
    assert.equal(await finished(app, 'shopping.txt'), 'failed');
    assert.equal(await jobRow(app, 'letter.txt.age').getByTestId('file-job-output').textContent(), letter);
    assert.equal(readFileSync(letter, 'utf8'), 'Dear vault,\nplease keep this safe.\n');
    const error = jobRow(app, 'shopping.txt').getByTestId('error-text');
    const name = await error.getAttribute('data-error-name');
    assert.ok(name && name.endsWith('Exception'), `an exception name is shown (got ${name})`);
    assert.match(await error.innerText(), new RegExp(name));
  } finally {
    await app.close();
  }
});

test('a file encrypted before a rotation is re-encrypted to the new primary and still decrypts', async () => {
  const app = await env.startApp();
  try {
    const { page } = app;
    const { KeyMetadata: key } = await app.service.createKey({ AliasName: 'alias/archive' });
    const original = join(app.workDir, 'ledger.csv');
    const content = 'date,amount\n2026-01-01,42\n'.repeat(500);
    writeFileSync(original, content);

    await app.navigate('files');
    await chooseOperation(app, 'Encrypt', 'archive');
    await pickFiles(app, [original]);
    assert.equal(await finished(app, 'ledger.csv'), 'done');
    const firstVersion = (await jobRow(app, 'ledger.csv').getByTestId('file-job-version').textContent()) ?? '';
    assert.match(firstVersion, new RegExp(key.PrimaryKeyVersion ?? 'missing'));
    assert.ok(existsSync(`${original}.age`));

    const rotated = await app.service.rotateKeyOnDemand({ KeyId: key.KeyId });
    await page.getByTestId('file-operation').selectOption({ label: 'Inspect' });
    await pickFiles(app, [`${original}.age`]);
    assert.equal(await finished(app, 'ledger.csv.age', 'Inspect'), 'done');
    // The version's date arrives a moment after the result: wait for the whole sentence.
    await jobRow(app, 'ledger.csv.age', 'Inspect')
      .getByTestId('file-job-sentence')
      .filter({ hasText: /^Encrypted under archive \(version of .+\), an older version\.$/ })
      .waitFor();

    await chooseOperation(app, 'ReEncrypt');
    await pickFiles(app, [`${original}.age`]);
    const reencrypted = jobRow(app, 'ledger.csv.age', 'ReEncrypt');
    assert.equal(await finished(app, 'ledger.csv.age', 'ReEncrypt'), 'done');
    assert.equal(await reencrypted.getAttribute('data-operation'), 'ReEncrypt');
    assert.match((await reencrypted.getByTestId('file-job-version').textContent()) ?? '', new RegExp(rotated.KeyVersionId));
    await reencrypted
      .getByTestId('file-job-sentence')
      .filter({ hasText: /^Re-encrypted under archive \(version of .+\), the current version\.$/ })
      .waitFor();
    assert.doesNotMatch(await reencrypted.innerText(), /ReEncrypt|Processed|recipients|keyvault\.local/, 'no raw operation names, byte counts or stanza types');
    const output = (await reencrypted.getByTestId('file-job-output').textContent()) ?? '';

    rmSync(original);
    await chooseOperation(app, 'Decrypt');
    await pickFiles(app, [output]);
    // The re-encrypt row has the same file name: wait for the Decrypt row itself.
    const decryptRow = jobRow(app, basename(output), 'Decrypt');
    assert.equal(await finished(app, basename(output), 'Decrypt'), 'done');
    const decryptedPath = (await decryptRow.getByTestId('file-job-output').textContent()) ?? '';
    assert.equal(readFileSync(decryptedPath, 'utf8'), content);
  } finally {
    await app.close();
  }
});
