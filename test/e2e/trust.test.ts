/**
 * The renderer has no authority (issue 9), in Chromium against the real IPC handlers and the
 * real vault: files reach main only as tokens from a real drop or main's dialog, forged tokens and
 * forged drops get nothing, export-backup and restore-backup wait for main's confirmation, and a
 * vault that fails its integrity check blocks the window with the error's advice.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createBlockedService } from '../../main/app/blockedService.js';
import { VaultIntegrityException } from '../../main/core/errors.js';
import { restoreBackup } from '../../main/vault/backupRestore.js';
import { E2eEnvironment } from './harness.js';

const env = new E2eEnvironment();
before(() => env.setup());
after(() => env.teardown());

const PASSPHRASE = 'a long and quite memorable passphrase';

test('a dropped file is encrypted next to itself; the page only ever held a token', async () => {
  const app = await env.startApp();
  try {
    await app.service.createKey({ AliasName: 'alias/taxes' });
    const input = join(app.workDir, 'tax-return-2025.pdf');
    writeFileSync(input, 'income: 42\n'.repeat(200));
    await app.navigate('files');
    await app.page.getByTestId('file-key').selectOption({ label: 'taxes' });
    await app.dropFiles([input]);
    const row = app.page.locator('[data-testid="file-job"][data-file-name="tax-return-2025.pdf"]');
    await row.and(app.page.locator('[data-status="done"]')).waitFor();
    assert.equal(await row.getByTestId('file-job-output').textContent(), `${input}.age`);
    assert.ok(readFileSync(`${input}.age`).subarray(0, 21).toString('latin1').startsWith('age-encryption.org/v1'));
    assert.deepEqual(app.dialogs.shown, [], 'a drop needs no dialog');
  } finally {
    await app.close();
  }
});

test('a forged token, a path, and a drop the page dispatched itself all get nothing', async () => {
  const app = await env.startApp();
  try {
    await app.service.createKey({ AliasName: 'alias/taxes' });
    const secret = join(app.workDir, 'shadow');
    writeFileSync(secret, 'root:$6$hash:::\n');
    await app.registerFiles([secret]);
    const outcome = await app.page.evaluate(`(async () => {
      const tryJob = (req) => window.vault.runFileJob(req).then(() => 'ran', (e) => e.__type);
      const forged = await tryJob({ JobId: crypto.randomUUID(), Operation: 'Encrypt', FileToken: 'A'.repeat(43), KeyId: 'alias/taxes' });
      const byPath = await tryJob({ JobId: crypto.randomUUID(), Operation: 'Encrypt', InputPath: ${JSON.stringify(secret)}, KeyId: 'alias/taxes' });
      const dt = new DataTransfer();
      dt.items.add(new File(['x'], 'shadow'));
      document.querySelector('[data-testid="dropzone"]') ?? document.body;
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      const fromForgedDrop = await window.vault.takeDroppedFiles();
      return { forged, byPath, fromForgedDrop: fromForgedDrop.length };
    })()`);
    assert.deepEqual(outcome, { forged: 'NotFoundException', byPath: 'ValidationException', fromForgedDrop: 0 });
    assert.equal(existsSync(`${secret}.age`), false);
  } finally {
    await app.close();
  }
});

test('decrypting onto an existing file asks main first: declined keeps it, accepted replaces it', async () => {
  const app = await env.startApp();
  try {
    const { page } = app;
    await app.service.createKey({ AliasName: 'alias/letters' });
    const letter = join(app.workDir, 'letter.txt');
    writeFileSync(letter, 'the real letter\n');
    await app.service.runFileJob({ JobId: crypto.randomUUID(), Operation: 'Encrypt', InputPath: letter, KeyId: 'alias/letters' });
    writeFileSync(letter, 'a newer draft\n');

    await app.navigate('files');
    await page.getByTestId('file-operation').selectOption({ label: 'Decrypt' });
    await page.getByTestId('file-overwrite').check();
    const newest = page.locator('[data-testid="file-job"][data-file-name="letter.txt.age"]').first();

    app.dialogs.willOpen([`${letter}.age`]).willConfirm(false);
    await page.getByTestId('file-pick').click();
    await newest.and(page.locator('[data-status="cancelled"]')).waitFor();
    assert.equal(readFileSync(letter, 'utf8'), 'a newer draft\n', 'declined: the existing file is kept');
    const asked = app.dialogs.confirmations()[0];
    assert.equal(asked?.message, `Replace letter.txt in ${app.workDir}?`);

    app.dialogs.willOpen([`${letter}.age`]).willConfirm(true);
    await page.getByTestId('file-pick').click();
    await newest.and(page.locator('[data-status="done"]')).waitFor();
    assert.equal(readFileSync(letter, 'utf8'), 'the real letter\n');
  } finally {
    await app.close();
  }
});

test('"Ask where to save": the decrypted file goes where the person chose in main\'s save dialog', async () => {
  const app = await env.startApp();
  try {
    const { page } = app;
    await app.service.createKey({ AliasName: 'alias/letters' });
    const letter = join(app.workDir, 'memo.txt');
    writeFileSync(letter, 'meet at noon\n');
    await app.service.runFileJob({ JobId: crypto.randomUUID(), Operation: 'Encrypt', InputPath: letter, KeyId: 'alias/letters' });
    const elsewhere = join(app.workDir, 'memo-copy.txt');
    await app.navigate('files');
    await page.getByTestId('file-operation').selectOption({ label: 'Decrypt' });
    await page.getByTestId('file-save-as').check();
    app.dialogs.willOpen([`${letter}.age`]).willSave(elsewhere);
    await page.getByTestId('file-pick').click();
    const row = page.locator('[data-testid="file-job"][data-file-name="memo.txt.age"]');
    await row.and(page.locator('[data-status="done"]')).waitFor();
    assert.equal(await row.getByTestId('file-job-output').textContent(), elsewhere);
    assert.equal(readFileSync(elsewhere, 'utf8'), 'meet at noon\n');
    const save = app.dialogs.shown.find((d) => d.kind === 'saveFile');
    assert.equal(save?.kind === 'saveFile' && save.defaultPath, letter, 'suggested: next to the input under the derived name');
  } finally {
    await app.close();
  }
});

test('an integrity failure noticed mid-session (here by a file job) blocks the whole window, not a row', async () => {
  let broken = false;
  const advice = 'vault.json was rolled back to an older copy. Restore the last good backup with restore-backup.';
  const app = await env.startApp({
    backend: (service) =>
      new Proxy(service, {
        get(target, prop, receiver) {
          const member: unknown = Reflect.get(target, prop, receiver);
          if (typeof member !== 'function') return member;
          return (...args: unknown[]) =>
            broken ? Promise.reject(new VaultIntegrityException(advice)) : (member as (...a: unknown[]) => unknown).apply(target, args);
        },
      }),
  });
  try {
    await app.service.createKey({ AliasName: 'alias/notes' });
    await app.navigate('files');
    const input = join(app.workDir, 'diary.txt');
    writeFileSync(input, 'dear diary\n');
    // The reload that follows createKey's change event must be over before the vault breaks,
    // or it (not the file job) is what notices the failure.
    await app.page.locator('[data-testid="file-key"] option', { hasText: 'notes' }).waitFor({ state: 'attached' });
    broken = true;
    await app.dropFiles([input]);
    await app.page.getByTestId('integrity-blocked').waitFor();
    assert.equal(await app.page.getByTestId('integrity-advice').innerText(), advice);
    assert.equal(existsSync(`${input}.age`), false);
  } finally {
    await app.close();
  }
});

for (const theme of ['light', 'dark'] as const) {
  test(`export-backup waits for main's confirmation: declined writes nothing, accepted writes where the person chose (${theme})`, async () => {
    const app = await env.startApp({ colorScheme: theme });
    try {
      const { page } = app;
      await app.service.createKey({ AliasName: 'alias/photos' });
      await app.service.createKey({ AliasName: 'alias/taxes' });
      await app.navigate('settings');
      const target = join(app.workDir, 'vault-backup.age');
      // The strength is shown as it is typed, by the estimator that judges the export: a guessable
      // passphrase keeps the button disabled, a strong one is accepted.
      await page.getByTestId('backup-passphrase').fill('password1');
      await page.getByTestId('backup-passphrase-repeat').fill('password1');
      await page.locator('[data-testid="passphrase-meter"][data-acceptable="false"]').waitFor();
      assert.match(await page.getByTestId('passphrase-meter').innerText(), /not accepted/);
      assert.equal(await page.getByTestId('backup-export').isDisabled(), true);
      await page.getByTestId('backup-passphrase').fill(PASSPHRASE);
      await page.locator('[data-testid="passphrase-meter"][data-acceptable="true"]').waitFor();
      await app.screenshot(`backup-strength-${theme}`);
      await page.getByTestId('backup-passphrase-repeat').fill(`${PASSPHRASE}!`);
      assert.match(await page.getByTestId('backup-rules').innerText(), /differ/);
      assert.equal(await page.getByTestId('backup-export').isDisabled(), true);
      await page.getByTestId('backup-passphrase-repeat').fill(PASSPHRASE);

      app.dialogs.willSave(target).willConfirm(false);
      await page.getByTestId('backup-export').click();
      await page.locator('[data-testid="backup-done"][data-outcome="cancelled"]').waitFor();
      assert.equal(existsSync(target), false, 'declined: nothing written');
      const asked = app.dialogs.confirmations()[0];
      assert.ok(asked);
      const keyCount = (await app.service.listKeys()).Keys.length;
      assert.equal(asked.message, `Write a backup of all ${keyCount} keys to ${target}?`);
      await page.getByTestId('backup').scrollIntoViewIfNeeded();
      await app.screenshot(`backup-declined-${theme}`);

      app.dialogs.willSave(target).willConfirm(true);
      await page.getByTestId('backup-export').click();
      await page.locator('[data-testid="backup-done"][data-outcome="done"]').waitFor();
      assert.ok(existsSync(target));
      assert.match(await page.getByTestId('backup-done').innerText(), new RegExp(`${keyCount} keys saved to ${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      assert.deepEqual(
        app.dialogs.shown.map((d) => d.kind),
        ['saveFile', 'confirm', 'saveFile', 'confirm'],
      );
      await app.screenshot(`backup-${theme}`);
    } finally {
      await app.close();
    }
  });

  test(`restore names what it replaces and restores the chosen backup after main's confirmation (${theme})`, async () => {
    const app = await env.startApp({
      colorScheme: theme,
      restore: async (backupPath, passphrase, { dir, keychain }) => {
        const res = await restoreBackup({ dir, inPath: backupPath, passphrase, keychain, force: true });
        return { KeyCount: res.KeyCount, VersionCount: res.VersionCount, RecoveryPassphraseSet: res.RecoveryPassphraseSet, Restarting: true };
      },
    });
    try {
      const { page } = app;
      await app.service.createKey({ AliasName: 'alias/photos' });
      const backup = join(app.workDir, 'old.age');
      await app.service.exportBackup({ OutPath: backup, Passphrase: PASSPHRASE });
      await app.service.createKey({ AliasName: 'alias/later' });
      await page.reload();
      await page.locator('body[data-ready="true"]').waitFor({ state: 'attached' });
      await app.navigate('settings');
      const before = (await app.service.listKeys()).Keys.length;
      const account = await page.getByTestId('restore-account').innerText();
      assert.match(account, new RegExp(`replaces the ${before} keys in this vault \\(`));
      assert.ok(account.includes('photos') && account.includes('later'), account);

      await page.getByTestId('restore-passphrase').fill(PASSPHRASE);
      app.dialogs.willOpen([backup]).willConfirm(false);
      await page.getByTestId('restore-start').click();
      await page.locator('[data-testid="restore-done"][data-outcome="cancelled"]').waitFor();
      const asked = app.dialogs.confirmations()[0];
      assert.ok(asked);
      assert.match(asked.detail, new RegExp(`The ${before} keys now in .* will be replaced by the keys in .*old\\.age`));
      assert.equal((await app.service.listKeys()).Keys.length, before, 'declined: the vault is unchanged');

      app.dialogs.willOpen([backup]).willConfirm(true);
      await page.getByTestId('restore-start').click();
      await page.locator('[data-testid="restore-done"][data-outcome="done"]').waitFor();
      assert.match(await page.getByTestId('restore-done').innerText(), new RegExp(`Restored ${before - 1} keys from old\\.age\\. Key Vault restarts now\\.`));
      const aliases = (await app.service.listAliases()).Aliases.map((a) => a.AliasName);
      assert.ok(aliases.includes('alias/photos') && !aliases.includes('alias/later'), 'the vault is the backup now');
      await page.getByTestId('restore').scrollIntoViewIfNeeded();
      await app.screenshot(`restore-${theme}`);
    } finally {
      await app.close();
    }
  });

  test(`a vault that fails its integrity check blocks the window with the advice (${theme})`, async () => {
    const advice =
      'vault.json was changed outside Key Vault (its MAC does not match). Nothing was written. Restore the last good copy with restore-backup; your newest backup is /home/me/Documents/keyvault-backup-2026-11-29.age.';
    const app = await env.startApp({ colorScheme: theme, backend: () => createBlockedService(new VaultIntegrityException(advice)) });
    try {
      const { page } = app;
      await page.getByTestId('integrity-blocked').waitFor();
      assert.equal(await page.getByTestId('integrity-advice').innerText(), advice);
      assert.equal(await page.getByTestId('nav-keys').count(), 0, 'no screen is reachable while blocked');
      assert.equal(await page.getByTestId('error-banner').count(), 0, 'a blocking state, not a toast');
      await app.screenshot(`integrity-blocked-${theme}`);
    } finally {
      await app.close();
    }
  });
}
