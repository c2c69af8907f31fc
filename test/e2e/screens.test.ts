/**
 * A screenshot of every screen in light and dark, against the real service with a few keys in
 * different states, saved to test-results/screenshots/<screen>-<theme>.png for people to look at.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { E2eEnvironment, type E2eApp } from './harness.js';

const env = new E2eEnvironment();
before(() => env.setup());
after(() => env.teardown());

async function seed(app: E2eApp): Promise<string> {
  const s = app.service;
  const { KeyMetadata: payroll } = await s.createKey({
    AliasName: 'alias/payroll',
    Description: 'Payroll exports',
    EnableAutomaticRotation: true,
    RotationInterval: '90d',
  });
  await s.rotateKeyOnDemand({ KeyId: payroll.KeyId });
  await s.rotateKeyOnDemand({ KeyId: payroll.KeyId });
  await s.createKey({ AliasName: 'alias/photos', Description: 'Family photo archive', EnableAutomaticRotation: true, RotationInterval: '30d' });
  const { KeyMetadata: old } = await s.createKey({
    AliasName: 'alias/old-laptop',
    Description: 'Retired laptop backups',
    EnableAutomaticRotation: true,
    RotationInterval: '180d',
  });
  await s.disableKey({ KeyId: old.KeyId });
  await s.createKey({ AliasName: 'alias/hsm-import', Description: 'Material from the office HSM', Origin: 'EXTERNAL' });
  const { KeyMetadata: gone } = await s.createKey({ AliasName: 'alias/scratch', Description: 'Temporary experiments' });
  await s.scheduleKeyDeletion({ KeyId: gone.KeyId, PendingWindowInDays: 7 });
  await s.encrypt({ KeyId: payroll.KeyId, Plaintext: Buffer.from('hello').toString('base64') });
  return payroll.KeyId;
}

for (const theme of ['light', 'dark'] as const) {
  test(`every screen renders in the ${theme} theme (screenshots)`, async () => {
    const app = await env.startApp({ colorScheme: theme, viewport: { width: 1200, height: 820 } });
    try {
      const { page } = app;
      const payrollId = await seed(app);
      await page.getByTestId('key-row').filter({ hasText: 'scratch' }).waitFor();
      const bg = await page.evaluate('getComputedStyle(document.body).backgroundColor');
      assert.equal(String(bg) === 'rgb(246, 247, 249)', theme === 'light', `body background ${String(bg)} fits ${theme}`);
      await app.screenshot(`keys-${theme}`);

      await page.getByTestId('create-key').click();
      await page.getByRole('dialog', { name: 'Create key' }).getByLabel('Alias').fill('backups');
      await app.screenshot(`create-key-${theme}`);
      await page.keyboard.press('Escape');

      await page.getByTestId('key-row').filter({ hasText: 'payroll' }).click();
      await page.locator(`[data-testid="screen-key-detail"][data-key-id="${payrollId}"]`).waitFor();
      await page.getByTestId('version-row').nth(2).waitFor();
      await app.screenshot(`key-detail-${theme}`);
      await page.getByTestId('back-to-keys').click();

      await page.getByTestId('key-row').filter({ hasText: 'hsm-import' }).click();
      await page.getByTestId('import-material').waitFor();
      await app.screenshot(`key-detail-pending-import-${theme}`);
      await page.getByTestId('back-to-keys').click();

      await app.navigate('files');
      const file = join(app.workDir, 'report.pdf');
      writeFileSync(file, 'not really a pdf\n'.repeat(1000));
      const notAge = join(app.workDir, 'notes.txt');
      writeFileSync(notAge, 'plain text');
      app.dialogs.willOpen([file]);
      await page.getByTestId('file-pick').click();
      await page.getByTestId('file-operation').selectOption('Decrypt');
      app.dialogs.willOpen([notAge]);
      await page.getByTestId('file-pick').click();
      await page.getByTestId('file-job').nth(1).waitFor();
      await page.locator('[data-testid="file-job"][data-status="running"]').first().waitFor({ state: 'detached' });
      await app.screenshot(`files-${theme}`);

      await app.navigate('activity');
      await page.getByTestId('activity-row').first().waitFor();
      await app.screenshot(`activity-${theme}`);

      await app.navigate('settings');
      await page.getByTestId('vault-info').getByTestId('keychain-status').waitFor();
      await app.screenshot(`settings-${theme}`);
    } finally {
      await app.close();
    }
  });
}
