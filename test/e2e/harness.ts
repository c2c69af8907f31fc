/**
 * The renderer in headless Chromium with `window.vault` backed by the REAL vault service.
 *
 * - The vault is opened in a fresh temp directory with the real OS keychain (a private keyring
 *   when run through scripts/run-tests.mjs).
 * - `window.vault` is built in the page by the real preload code (pageBridge.ts, bundled here
 *   with esbuild); its `ipcRenderer.invoke` is a Playwright binding into the REAL IPC layer of
 *   main/app: the same handlers Electron registers (schema validation, file tokens, main's
 *   dialogs and confirmations, typed error envelopes, the forbidden-field check), registered on
 *   a stand-in for ipcMain. Only the sender check is waived (the page is served from 127.0.0.1,
 *   not the app:// scheme); it has its own unit tests.
 * - Native dialogs go through a ScriptedDialogs port (`app.dialogs`): a test scripts what the
 *   person picks or answers, and reads back every dialog main showed.
 * - Every response and event that reaches the page is recorded; when a test closes its app, all of
 *   them are scanned for every key version's real material (base64 and hex) and the test fails if
 *   any appears: key material never crosses the bridge.
 * - Drops: `app.dropFiles(paths)` performs a REAL drag-and-drop of files from disk through the
 *   DevTools protocol (Input.dispatchDragEvent), so the page receives a trusted `drop` event, as
 *   in Electron. The path of each dropped File comes from `app.registerFiles` (a browser cannot
 *   tell it), standing in for webUtils.getPathForFile; two files with the same base name cannot be
 *   used in one test.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { EVENT_NAMES, eventChannelFor, type IpcResult } from '../../preload/contract.js';
import { registerVaultIpc, type IpcHandlerLike, type VaultServiceLike } from '../../main/app/ipcHandlers.js';
import type { VaultRestorer } from '../../main/app/appOperations.js';
import type { OpenedFilesInbox } from '../../main/app/openWith.js';
import { ScriptedDialogs } from '../../main/app/scriptedDialogs.js';
import { openKeyMaterial } from '../../main/crypto/sealing.js';
import { createKeytarKeychain, keychainAccountForVault } from '../../main/keychain/keychain.js';
import type { Keychain } from '../../main/keychain/keychain.js';
import type { Clock } from '../../main/core/clock.js';
import { openVault } from '../../main/vault/openVault.js';
import type { VaultService } from '../../main/vault/vaultService.js';
import { assertRendererBuilt, launchChromium, REPO_ROOT, startRendererServer, type RendererServer } from './browser.js';

export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-results', 'screenshots');

let pageBridgeSource: string | undefined;
/** Browser-side source of `window.vault`: the real preload modules, bundled for the page. */
export function bridgeInitScript(): string {
  pageBridgeSource ??= buildSync({
    entryPoints: [fileURLToPath(new URL('./pageBridge.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    logLevel: 'silent',
  }).outputFiles[0]!.text;
  return pageBridgeSource;
}

export interface E2eApp {
  page: Page;
  service: VaultService;
  /** The vault directory (temp). */
  dir: string;
  /** A scratch directory for the test's files. */
  workDir: string;
  /** Native dialogs main shows: script the answers, read what was shown. */
  dialogs: ScriptedDialogs;
  /** Tells the page which path each of these files' names maps to (see the header comment). */
  registerFiles(paths: string[]): Promise<void>;
  /** A real (trusted) drag-and-drop of these files from disk onto the element with this test id. */
  dropFiles(paths: string[], testId?: string): Promise<void>;
  /** Opens a screen from the sidebar. */
  navigate(screen: 'keys' | 'files' | 'activity' | 'settings'): Promise<void>;
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export interface StartOptions {
  colorScheme?: 'light' | 'dark';
  viewport?: { width: number; height: number };
  /** The vault's clock (default: the system clock); a ManualClock lets a test move the date. */
  clock?: Clock;
  /** Put this in front of the service instead (e.g. createBlockedService for a failed integrity check). */
  backend?: (service: VaultService) => VaultServiceLike;
  /**
   * The shell's restore step. Afterwards the harness reopens the vault (as the app does by
   * restarting), so `app.service` and the closing material scan see the restored vault.
   */
  restore?: (backupPath: string, passphrase: string, target: { dir: string; keychain: Keychain }) => ReturnType<VaultRestorer>;
  /** Files "the OS opened the app with" (main/app/openWith.ts); the test adds paths to it. */
  openedFiles?: OpenedFilesInbox;
}

/** Shared per test file: one browser and one server; each `startApp` gets its own vault and page. */
export class E2eEnvironment {
  private browser: Browser | undefined;
  private server: RendererServer | undefined;
  private readonly keychain: Keychain = createKeytarKeychain({ service: 'Key Vault (e2e tests)' });

  async setup(): Promise<void> {
    assertRendererBuilt();
    this.server = await startRendererServer();
    this.browser = await launchChromium();
  }

  async teardown(): Promise<void> {
    await this.browser?.close();
    await this.server?.close();
  }

  async startApp(opts: StartOptions = {}): Promise<E2eApp> {
    if (!this.browser || !this.server) throw new Error('E2eEnvironment.setup() was not called');
    const dir = mkdtempSync(join(tmpdir(), 'keyvault-e2e-vault-'));
    const workDir = mkdtempSync(join(tmpdir(), 'keyvault-e2e-files-'));
    const clock = opts.clock ? { clock: opts.clock } : {};
    let service = await openVault({ dir, keychain: this.keychain, ...clock });
    const vaultId = service.vaultId;
    const keychain = this.keychain;
    const restore = opts.restore;
    const restorer: VaultRestorer | undefined = restore
      ? async (backupPath, passphrase) => {
          const res = await restore(backupPath, passphrase, { dir, keychain });
          const stale = service;
          service = await openVault({ dir, keychain, create: false, ...clock });
          stale.close();
          return res;
        }
      : undefined;
    const context: BrowserContext = await this.browser.newContext({
      viewport: opts.viewport ?? { width: 1200, height: 800 },
      colorScheme: opts.colorScheme ?? 'light',
      reducedMotion: 'reduce',
    });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));

    const handlers = new Map<string, IpcHandlerLike>();
    const dialogs = new ScriptedDialogs();
    const disposeIpc = registerVaultIpc(
      { handle: (channel, handler) => void handlers.set(channel, handler), removeHandler: (channel) => void handlers.delete(channel) },
      opts.backend ? opts.backend(service) : service,
      {
        isTrustedSender: () => true,
        log: () => undefined,
        dialogs,
        defaultSaveDir: () => workDir,
        vaultDir: dir,
        ...(restorer ? { restore: restorer } : {}),
        ...(opts.openedFiles ? { openedFiles: opts.openedFiles } : {}),
      },
    );
    const crossed: unknown[] = [];
    await page.exposeBinding('__vaultInvoke', async (_source, channel: unknown, args: unknown) => {
      const handler = handlers.get(String(channel));
      const result: IpcResult<unknown> = handler
        ? ((await handler({ senderFrame: null, sender: { id: 1 } }, ...(Array.isArray(args) ? args : []))) as IpcResult<unknown>)
        : { ok: false, error: { __type: 'UnsupportedOperationException', message: `No handler for ${String(channel)}.` } };
      crossed.push(result);
      return result;
    });
    await page.addInitScript(bridgeInitScript());

    const offs = EVENT_NAMES.map((event) => {
      const forward = (payload: unknown) => {
        crossed.push(payload);
        const expr = `window.__vaultTest && window.__vaultTest.dispatch(${JSON.stringify(eventChannelFor(event))}, ${JSON.stringify(payload)})`;
        page.evaluate(expr).catch(() => {
          // The page may be closing; a lost event then does not matter.
        });
      };
      service.events.on(event, forward);
      return () => service.events.off(event, forward);
    });

    await page.goto(this.server.url);
    // The app's CSP forbids eval, so waits use locators rather than waitForFunction(string).
    await page.locator('body[data-ready="true"]').waitFor({ state: 'attached' });

    const registerFiles = async (paths: string[]): Promise<void> => {
      const entries = paths.map((p) => [basename(p), p]);
      await page.evaluate(`window.__vaultTest.registerFiles(${JSON.stringify(entries)})`);
    };
    return {
      page,
      get service() {
        return service;
      },
      dir,
      workDir,
      dialogs,
      registerFiles,
      dropFiles: async (paths, testId = 'dropzone') => {
        await registerFiles(paths);
        const box = await page.getByTestId(testId).boundingBox();
        if (!box) throw new Error(`Nothing to drop on: ${testId} is not visible.`);
        const x = box.x + box.width / 2;
        const y = box.y + box.height / 2;
        const cdp = await context.newCDPSession(page);
        const data = { items: [], files: paths, dragOperationsMask: 1 };
        for (const type of ['dragEnter', 'dragOver', 'drop'] as const) {
          await cdp.send('Input.dispatchDragEvent', { type, x, y, data });
        }
        await cdp.detach();
      },
      navigate: async (screen) => {
        await page.getByTestId(`nav-${screen}`).click();
        await page.getByTestId(`screen-${screen}`).waitFor();
      },
      screenshot: async (name) => {
        mkdirSync(SCREENSHOT_DIR, { recursive: true });
        const path = join(SCREENSHOT_DIR, `${name}.png`);
        await page.screenshot({ path });
        return path;
      },
      close: async () => {
        offs.forEach((off) => off());
        disposeIpc();
        await context.close();
        const leaked = findKeyMaterial(service, crossed);
        service.close();
        await this.keychain.deleteSecret(keychainAccountForVault(vaultId)).catch(() => false);
        rmSync(dir, { recursive: true, force: true });
        rmSync(workDir, { recursive: true, force: true });
        if (pageErrors.length > 0) throw new Error(`Uncaught errors in the page: ${pageErrors.join('; ')}`);
        if (leaked) throw new Error(`Key material crossed the bridge: ${leaked}`);
        if (crossed.length === 0) throw new Error('No response crossed the bridge: the material scan checked nothing.');
      },
    };
  }
}

/**
 * Looks for the real material of every key version in the vault (base64 and hex) in everything
 * that crossed the bridge. Returns a description of the first find, or null.
 */
export function findKeyMaterial(service: VaultService, crossed: unknown[]): string | null {
  const doc = service.store.read();
  const text = JSON.stringify(crossed);
  for (const key of Object.values(doc.Keys)) {
    for (const v of key.Versions) {
      if (v.SealedMaterial === undefined) continue;
      const material = openKeyMaterial(service.sealKey, doc.VaultId, key.KeyId, v.KeyVersionId, v.SealedMaterial);
      for (const form of [material.toString('base64'), material.toString('hex')]) {
        if (text.includes(form)) return `key ${key.KeyId} version ${v.KeyVersionId}`;
      }
    }
  }
  return null;
}
