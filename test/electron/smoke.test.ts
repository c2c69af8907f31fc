/**
 * The packaged shape end to end: the real Electron binary, the built main/preload/renderer in
 * out/, the real vault service and OS keychain. Runs wherever an Electron binary is installed;
 * elsewhere it is reported as skipped (never passed), with the reason.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { _electron } from 'playwright-core';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SKIP_REASON = 'Electron binary not installed here (its download CDN is unreachable); run `npx electron --version` on a machine that can fetch it';

/**
 * The Electron executable, or null. `require('electron')` answers the path, but when the binary
 * was never downloaded it first tries to download it; so it is only asked when its path.txt
 * (written by a completed install) or ELECTRON_OVERRIDE_DIST_PATH says a binary should exist.
 */
function electronBinary(): string | null {
  const require = createRequire(import.meta.url);
  let pkgDir: string;
  try {
    pkgDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
  if (!existsSync(join(pkgDir, 'path.txt')) && !process.env.ELECTRON_OVERRIDE_DIST_PATH) return null;
  try {
    const path = require('electron') as unknown;
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

function ensureBuilt(): void {
  const main = join(root, JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).main as string);
  if (existsSync(main) && existsSync(join(root, 'out/preload/index.cjs')) && existsSync(join(root, 'out/renderer/index.html'))) return;
  const r = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: root,
    stdio: 'inherit',
  });
  assert.equal(r.status, 0, 'electron-vite build failed');
}

test('the app window opens on the Keys screen, and a key created there is listed', async (t) => {
  const executablePath = electronBinary();
  if (!executablePath) {
    t.skip(SKIP_REASON);
    return;
  }
  ensureBuilt();
  const home = mkdtempSync(join(tmpdir(), 'keyvault-electron-'));
  const app = await _electron.launch({
    executablePath,
    args: [root],
    cwd: root,
    env: { ...process.env, KEYVAULT_HOME: join(home, 'vault'), KEYVAULT_USER_DATA: join(home, 'user-data'), ELECTRON_RENDERER_URL: '' } as Record<
      string,
      string
    >,
    timeout: 60_000,
  });
  try {
    const page = await app.firstWindow();
    // Expressions are strings: this file compiles without the DOM library.
    await page.waitForFunction("document.body.dataset.ready === 'true'", undefined, { timeout: 30_000 });

    assert.match(page.url(), /^app:\/\/keyvault\/index\.html/);
    await page.getByTestId('screen-keys').getByRole('heading', { name: 'Keys' }).waitFor();

    // The page sees the bridge and nothing of Node or Electron.
    const globals = await page.evaluate(
      '({ vault: typeof window.vault, require: typeof window.require, process: typeof window.process, ipcRenderer: typeof window.ipcRenderer })',
    );
    assert.deepEqual(globals, { vault: 'object', require: 'undefined', process: 'undefined', ipcRenderer: 'undefined' });

    await page.getByTestId('create-key').click();
    const dialog = page.getByRole('dialog', { name: 'Create key' });
    await dialog.getByLabel('Alias').fill('smoke');
    await dialog.getByLabel('Description').fill('Created by the Electron smoke test');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await page.getByTestId('key-row').filter({ hasText: 'smoke' }).waitFor({ timeout: 15_000 });

    // And a bad request through the real IPC comes back typed.
    const err = await page.evaluate("window.vault.describeKey({ KeyId: 'alias/does-not-exist' }).then(() => null, (e) => e.__type ?? null)");
    assert.equal(err, 'NotFoundException');
  } finally {
    await app.close();
    rmSync(home, { recursive: true, force: true });
  }
});
