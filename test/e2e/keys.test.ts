/** Keys screens in Chromium against the real vault service. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { E2eEnvironment, type E2eApp } from './harness.js';

const env = new E2eEnvironment();
before(() => env.setup());
after(() => env.teardown());

async function createKeyThroughDialog(app: E2eApp, alias: string, description: string, interval: string | undefined): Promise<void> {
  const { page } = app;
  await page.getByTestId('create-key').click();
  const dialog = page.getByRole('dialog', { name: 'Create key' });
  await dialog.getByLabel('Alias').fill(alias);
  await dialog.getByLabel('Description').fill(description);
  const rotate = dialog.getByLabel('Rotate automatically');
  if (interval === undefined) {
    await rotate.uncheck();
  } else {
    await rotate.check();
    await dialog.getByLabel('Rotation interval').fill(interval);
  }
  await dialog.getByRole('button', { name: 'Create key' }).click();
}

test('a key created with rotation appears in the list with its schedule', async () => {
  const app = await env.startApp();
  try {
    const { page } = app;
    await createKeyThroughDialog(app, 'payroll', 'Payroll exports', '90d');
    const row = page.getByTestId('key-row').filter({ hasText: 'payroll' });
    await row.waitFor();
    assert.match(await row.innerText(), /Payroll exports/);
    assert.equal(await row.getByTestId('key-state').innerText(), 'Enabled');
    assert.equal(await row.getByTestId('key-state').count(), 1, 'one pill: the key state');

    const stored = (await app.service.listKeyDetails()).Keys.find((k) => k.Aliases.includes('alias/payroll'));
    assert.ok(stored, 'the key is in the vault');
    assert.equal(stored.RotationInterval, `${90 * 86400}s`);
    // Rotation in words, with the date the vault scheduled: "Rotates every 90 days · next on 28 Feb 2027".
    const next = new Date(stored.NextRotationDate ?? '');
    const words = await row.getByTestId('rotation-status').innerText();
    assert.match(words, /^Rotates every 90 days · next on \d{1,2} [A-Z][a-z]{2}( \d{4})?$/);
    assert.ok(words.includes(`on ${next.getUTCDate()} ${next.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' })}`), words);
    assert.ok(!(await row.innerText()).includes(stored.KeyId), 'the id is not in the row');
  } finally {
    await app.close();
  }
});

test('the search box filters the list by alias, id and description', async () => {
  const app = await env.startApp();
  try {
    const { page } = app;
    const { KeyMetadata: a } = await app.service.createKey({ AliasName: 'alias/photos', Description: 'Holiday pictures' });
    await app.service.createKey({ AliasName: 'alias/taxes', Description: 'Tax returns' });
    await page.getByTestId('nav-keys').click();
    await page.getByTestId('key-row').filter({ hasText: 'taxes' }).waitFor();

    const search = page.getByTestId('key-search');
    // The list follows the search text at lower priority (useDeferredValue): poll until it settles.
    const rowsAfter = async (text: string): Promise<string[]> => {
      await search.fill(text);
      const deadline = Date.now() + 10_000;
      let rows: string[] = [];
      while (Date.now() < deadline) {
        rows = await page.getByTestId('key-row').locator('.key-row-alias').allInnerTexts();
        if (rows.length === 1) return rows;
        await page.waitForTimeout(50);
      }
      return rows;
    };
    assert.deepEqual(await rowsAfter('holiday'), ['photos']);
    await page.getByTestId('key-count').filter({ hasText: '1 of 3 keys match' }).waitFor();
    await search.fill('');
    await page.getByTestId('key-row').filter({ hasText: 'taxes' }).waitFor();
    assert.deepEqual(await rowsAfter(a.KeyId.slice(0, 13)), ['photos']);
    await search.fill('');
    await page.getByTestId('key-row').filter({ hasText: 'photos' }).waitFor();
    await page.getByTestId('key-row').filter({ hasText: 'taxes' }).waitFor();
    assert.deepEqual(await rowsAfter('taxes'), ['taxes']);
  } finally {
    await app.close();
  }
});

test('rotate now makes version 2 the primary; disabling the key suspends rotation', async () => {
  const app = await env.startApp();
  try {
    const { page } = app;
    await createKeyThroughDialog(app, 'invoices', 'Invoice archive', '30d');
    await page.getByTestId('key-row').filter({ hasText: 'invoices' }).click();
    const detail = page.getByTestId('screen-key-detail');
    await detail.getByRole('heading', { name: 'invoices' }).waitFor();
    assert.equal(await page.getByTestId('version-row').count(), 1);
    assert.equal(await page.getByTestId('timeline-next').count(), 1, 'the next rotation is drawn');

    await page.getByTestId('rotate-now').click();
    // Rotate now asks first; "Not now" leaves the key as it was.
    await page.getByTestId('cancel-rotate').click();
    assert.equal(await page.getByTestId('rotate-confirm').count(), 0);
    assert.equal(await page.getByTestId('version-row').count(), 1);
    await page.getByTestId('rotate-now').click();
    assert.match(await page.getByTestId('rotate-confirm').innerText(), /Rotate invoices now\?/);
    await page.getByTestId('confirm-rotate').click();
    await page.locator('[data-testid="version-row"]').nth(1).waitFor();
    const primary = page.locator('[data-testid="version-row"][data-primary="true"]');
    assert.equal(await primary.count(), 1);
    assert.match(await primary.innerText(), /^2\s/);
    assert.match(await primary.innerText(), /On demand/);
    const keyId = await detail.getAttribute('data-key-id');
    const versions = (await app.service.listKeyVersions({ KeyId: keyId ?? '' })).KeyVersions;
    const stored = versions.find((v) => v.IsPrimary);
    assert.equal(versions.length, 2);
    assert.equal(await primary.getAttribute('data-version-id'), stored?.KeyVersionId);
    assert.equal(await page.getByTestId('timeline-version').count(), 2);

    await page.getByTestId('disable-key').click();
    await detail.getByTestId('rotation-status').filter({ hasText: 'Rotation paused while the key is disabled' }).waitFor();
    assert.equal(await detail.getByTestId('key-state').first().innerText(), 'Disabled');
    assert.equal(await page.getByTestId('rotate-now').isDisabled(), true);

    await page.getByTestId('back-to-keys').click();
    const row = page.getByTestId('key-row').filter({ hasText: 'invoices' });
    assert.equal(await row.getByTestId('rotation-status').getAttribute('data-rotation'), 'Suspended');
    assert.match(await row.getByTestId('rotation-status').innerText(), /paused/);
    assert.equal(await row.getByTestId('key-state').innerText(), 'Disabled');
  } finally {
    await app.close();
  }
});

test('an error from the vault is shown in plain words with the exception name', async () => {
  const app = await env.startApp();
  try {
    const { page } = app;
    await app.service.createKey({ AliasName: 'alias/taken' });
    await createKeyThroughDialog(app, 'taken', 'second one', undefined);
    const error = page.getByRole('dialog', { name: 'Create key' }).getByTestId('error-text');
    await error.waitFor();
    assert.equal(await error.getAttribute('data-error-name'), 'AlreadyExistsException');
    assert.match(await error.innerText(), /AlreadyExistsException/);
    assert.match(await error.innerText(), /already exists/i);
  } finally {
    await app.close();
  }
});

test('text encrypted in the key panel decrypts back to the same text', async () => {
  const app = await env.startApp();
  try {
    const { page } = app;
    await app.service.createKey({ AliasName: 'alias/notes' });
    await page.getByTestId('key-row').filter({ hasText: 'notes' }).click();
    await page.getByTestId('encrypt-input').fill('meet at noon ☀');
    await page.getByTestId('encrypt-button').click();
    const blob = await page.getByTestId('encrypt-output').innerText();
    assert.ok(blob.length > 40);
    await page.getByTestId('decrypt-input').fill(blob);
    await page.getByTestId('decrypt-button').click();
    assert.equal(await page.getByTestId('decrypt-output').innerText(), 'meet at noon ☀');

    await page.getByTestId('decrypt-input').fill('bm90IGEgYmxvYg==');
    await page.getByTestId('decrypt-button').click();
    const error = page.getByTestId('text-crypto').getByTestId('error-text');
    await error.waitFor();
    assert.equal(await error.getAttribute('data-error-name'), 'InvalidCiphertextException');
  } finally {
    await app.close();
  }
});

test('an error names the key by its alias and offers the fix in place', async () => {
  const app = await env.startApp();
  try {
    const { page } = app;
    const s = app.service;
    const { KeyMetadata: tax } = await s.createKey({ AliasName: 'alias/tax-returns' });
    await s.createKey({ AliasName: 'alias/notes' });
    const { CiphertextBlob } = await s.encrypt({ KeyId: tax.KeyId, Plaintext: Buffer.from('2025 return').toString('base64') });
    await s.disableKey({ KeyId: tax.KeyId });
    await page.getByTestId('key-row').filter({ hasText: 'notes' }).click();
    await page.getByTestId('decrypt-input').fill(CiphertextBlob);
    await page.getByTestId('decrypt-button').click();
    const error = page.getByTestId('text-crypto').getByTestId('error-text');
    await error.waitFor();
    assert.equal(await error.getAttribute('data-error-name'), 'DisabledException');
    const words = await error.innerText();
    assert.match(words, /“tax-returns” is disabled/);
    assert.ok(!words.includes(tax.KeyId), 'the id is replaced by the name');
    const fix = error.getByTestId('error-fix');
    assert.equal(await fix.innerText(), 'Enable tax-returns');
    await fix.click();
    await error.getByTestId('error-fixed').waitFor();
    assert.equal((await s.describeKey({ KeyId: tax.KeyId })).KeyMetadata.KeyState, 'Enabled');
    await page.getByTestId('decrypt-button').click();
    assert.equal(await page.getByTestId('decrypt-output').innerText(), '2025 return');
  } finally {
    await app.close();
  }
});

/** WCAG contrast ratio of two `rgb(...)` colours. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = (c.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
      const x = Number(v) / 255;
      return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (bl ?? 0);
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05);
}

test('"Yes, schedule deletion" stays readable on hover (light); disabled buttons look disabled (dark)', async () => {
  for (const theme of ['light', 'dark'] as const) {
    const app = await env.startApp({ colorScheme: theme });
    try {
      const { page } = app;
      const { KeyMetadata: k } = await app.service.createKey({ AliasName: 'alias/old-laptop' });
      await page.getByTestId('key-row').filter({ hasText: 'old-laptop' }).click();
      await page.getByTestId('schedule-deletion').click();
      const yes = page.getByTestId('confirm-deletion');
      await yes.hover();
      const [fg, bg] = (await yes.evaluate((el) => {
        const st = el.ownerDocument.defaultView?.getComputedStyle(el);
        return [st?.color, st?.backgroundColor];
      })) as [string, string];
      assert.ok(contrast(fg, bg) >= 4.5, `${theme}: hovered "Yes, schedule deletion" ${fg} on ${bg} has contrast ${contrast(fg, bg).toFixed(2)}`);
      await page.keyboard.press('Escape');

      const enabledStyle = await page.getByTestId('rotate-now').evaluate((el) => el.ownerDocument.defaultView?.getComputedStyle(el).backgroundColor);
      await app.service.disableKey({ KeyId: k.KeyId });
      await page.getByTestId('enable-key').waitFor();
      assert.equal(await page.getByTestId('rotate-now').isDisabled(), true);
      const disabled = (await page.getByTestId('rotate-now').evaluate((el) => {
        const st = el.ownerDocument.defaultView?.getComputedStyle(el);
        return [st?.backgroundColor, st?.borderTopStyle, st?.color];
      })) as [string, string, string];
      assert.notEqual(disabled[0], enabledStyle, `${theme}: a disabled primary button loses its fill`);
      assert.equal(disabled[1], 'dashed', `${theme}: a disabled button has a dashed edge`);
      if (theme === 'dark') await app.screenshot('key-disabled-buttons-dark');
    } finally {
      await app.close();
    }
  }
});
