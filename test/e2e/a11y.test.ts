/**
 * Names and roles on every screen, light and dark (issue 11): the checker in a11yCheck.ts runs on
 * the keys list, the create-key dialog, a key's detail, Files (with an opened file and a job),
 * Activity, Settings and the integrity-blocked window. The checker is first shown to find each
 * kind of problem on a page built to have them, so a clean result means something.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createBlockedService } from '../../main/app/blockedService.js';
import { OpenedFilesInbox } from '../../main/app/openWith.js';
import { VaultIntegrityException } from '../../main/core/errors.js';
import { eventChannelFor } from '../../preload/contract.js';
import { auditNamesAndRoles, type AuditFinding } from './a11yCheck.js';
import { E2eEnvironment, type E2eApp } from './harness.js';

const env = new E2eEnvironment();
before(() => env.setup());
after(() => env.teardown());

const show = (where: string, findings: AuditFinding[]): string[] => findings.map((f) => `${where}: [${f.rule}] ${f.element} — ${f.detail}`);

test('the checker finds each kind of problem on a page made to have them', async () => {
  const app = await env.startApp();
  try {
    await app.page.evaluate(`document.body.innerHTML = \`
      <div><h1>One</h1><h3>Skipped a level</h3><h1>Two</h1>
      <button></button><button aria-label="Fine"></button><a href="#x"><img src="" alt=""></a>
      <input id="dup"><span id="dup"></span><input placeholder="only a placeholder">
      <label for="nowhere">Lost label</label><label>Wrapped <select></select></label>
      <div role="button" aria-labelledby="missing"></div></div>\`;`);
    const findings = await auditNamesAndRoles(app.page);
    const rules = (rule: AuditFinding['rule']) => findings.filter((f) => f.rule === rule);
    assert.equal(rules('name').length, 5, show('fixture', rules('name')).join('\n'));
    assert.ok(rules('name').every((f) => !f.element.includes('Fine') && !f.element.includes('Wrapped')));
    assert.deepEqual(
      rules('duplicate-id').map((f) => f.element),
      ['#dup'],
    );
    assert.deepEqual(
      rules('idref')
        .map((f) => f.detail)
        .sort(),
      ['aria-labelledby points at missing #missing', 'for points at missing #nowhere'],
    );
    assert.deepEqual(
      rules('landmarks')
        .map((f) => f.detail)
        .sort(),
      ['0 main landmarks (expected exactly one)', 'no navigation landmark'],
    );
    assert.deepEqual(
      rules('heading-order')
        .map((f) => f.detail)
        .sort(),
      ['2 h1 headings (expected one)', 'h3 follows h1'],
    );
  } finally {
    await app.close();
  }
});

async function seed(app: E2eApp): Promise<void> {
  const s = app.service;
  const { KeyMetadata: taxes } = await s.createKey({
    AliasName: 'alias/tax-returns',
    Description: 'Tax papers',
    EnableAutomaticRotation: true,
    RotationInterval: '30d',
  });
  await s.rotateKeyOnDemand({ KeyId: taxes.KeyId });
  const { KeyMetadata: old } = await s.createKey({ AliasName: 'alias/old-laptop', Description: 'Retired laptop' });
  await s.disableKey({ KeyId: old.KeyId });
  const { KeyMetadata: gone } = await s.createKey({ AliasName: 'alias/scratch' });
  await s.scheduleKeyDeletion({ KeyId: gone.KeyId, PendingWindowInDays: 7 });
  await s.createKey({ AliasName: 'alias/hsm-import', Origin: 'EXTERNAL' });
}

// Light at the large size, dark at the small one (where the layout may hide or fold parts).
const RUNS = [
  { colorScheme: 'light', viewport: { width: 1280, height: 800 } },
  { colorScheme: 'dark', viewport: { width: 900, height: 700 } },
] as const;

for (const { colorScheme, viewport } of RUNS) {
  test(`(${colorScheme}, ${viewport.width}x${viewport.height}) every screen: named controls, landmarks, unique ids, headings in order`, async () => {
    const inbox = new OpenedFilesInbox();
    const app = await env.startApp({ colorScheme, viewport, openedFiles: inbox });
    const problems: string[] = [];
    const audit = async (where: string): Promise<void> => {
      problems.push(...show(where, await auditNamesAndRoles(app.page)));
    };
    try {
      const { page } = app;
      await seed(app);
      await page.reload();
      await page.getByTestId('key-row').filter({ hasText: 'scratch' }).waitFor();
      await audit('keys');

      await page.getByTestId('create-key').click();
      await page.getByTestId('create-key-dialog').waitFor();
      await audit('create-key dialog');
      await page.keyboard.press('Escape');
      if (await page.getByTestId('create-key-dialog').isVisible())
        await page
          .getByTestId('create-key-dialog')
          .getByRole('button', { name: /cancel/i })
          .click();

      await page.getByTestId('key-row').filter({ hasText: 'tax-returns' }).click();
      await page.getByTestId('screen-key-detail').waitFor();
      await page.getByTestId('version-row').nth(1).waitFor();
      await audit('key detail');
      await page.getByTestId('key-row').count();
      await page.getByTestId('back-to-keys').click();
      await page.getByTestId('key-row').filter({ hasText: 'hsm-import' }).click();
      await page.getByTestId('import-material').waitFor();
      await audit('key detail (pending import)');
      await page.getByTestId('back-to-keys').click();

      const plain = join(app.workDir, 'letter.txt');
      writeFileSync(plain, 'dear tax office\n');
      await app.service.runFileJob({ JobId: crypto.randomUUID(), Operation: 'Encrypt', InputPath: plain, KeyId: 'alias/tax-returns' });
      rmSync(plain);
      inbox.add([`${plain}.age`]);
      await page.evaluate(`window.__vaultTest.dispatch(${JSON.stringify(eventChannelFor('filesOpened'))}, { Count: 1 })`);
      await page.getByTestId('opened-file').waitFor();
      await audit('files (opened file)');
      await page.getByRole('button', { name: 'Inspect letter.txt.age' }).click();
      await page.getByTestId('file-job').and(page.locator('[data-status="done"]')).waitFor();
      await audit('files (job done)');

      await app.navigate('activity');
      await page.getByTestId('activity-row').first().waitFor();
      await audit('activity');

      await app.navigate('settings');
      await page.getByTestId('vault-info').waitFor();
      await audit('settings');
      await app.screenshot(`a11y-settings-${colorScheme}`);
    } finally {
      await app.close();
    }
    assert.deepEqual(problems, [], problems.join('\n'));
  });

  test(`(${colorScheme}) the integrity-blocked window: named controls, one main, headings in order`, async () => {
    const app = await env.startApp({
      colorScheme,
      backend: () => createBlockedService(new VaultIntegrityException('vault.json was rolled back to an older copy. Restore the last good backup.')),
    });
    try {
      await app.page.getByTestId('integrity-blocked').waitFor();
      // The blocked window offers nothing to navigate to: only restore.
      const problems = show('integrity blocked', await auditNamesAndRoles(app.page, { expectNavigation: false }));
      await app.screenshot(`a11y-blocked-${colorScheme}`);
      assert.deepEqual(problems, [], problems.join('\n'));
    } finally {
      await app.close();
    }
  });
}
