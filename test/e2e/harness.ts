/**
 * The renderer in headless Chromium with `window.vault` backed by the REAL vault service.
 *
 * - The vault is opened in a fresh temp directory with the real OS keychain (a private keyring
 *   when run through scripts/run-tests.mjs).
 * - `__vaultCall(op, req)` is a Playwright binding into the REAL IPC layer of main/app: the same
 *   handlers Electron registers (schema validation, typed error envelopes, the forbidden-field
 *   check), registered on a stand-in for ipcMain. Only the sender check is waived (the page is
 *   served from 127.0.0.1, not the app:// scheme); it has its own unit tests.
 * - Every response and event that reaches the page is recorded; when a test closes its app, all of
 *   them are scanned for every key version's real material (base64 and hex) and the test fails if
 *   any appears: key material never crosses the bridge.
 * - An init script builds `window.vault` from OPERATION_NAMES around that binding (errors are
 *   rethrown as Error objects carrying `__type`), plus `on()` for events, which Node pushes into
 *   the page as the service emits them.
 * - `getPathForFile(file)`: a browser page cannot learn a File's path on disk (Electron's
 *   webUtils.getPathForFile can). Tests pick real files with `page.setInputFiles(paths)` and, before
 *   that, `app.registerFiles(paths)` tells the page which path each file NAME came from; the bridge
 *   looks the name up. So two files with the same base name cannot be used in one test. This is a
 *   test stand-in only; it is the one part of the bridge that is not the real thing.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { channelFor, EVENT_NAMES, OPERATION_NAMES, type IpcResult } from '../../preload/contract.js';
import { registerVaultIpc, type IpcHandlerLike } from '../../main/app/ipcHandlers.js';
import { openKeyMaterial } from '../../main/crypto/sealing.js';
import { createKeytarKeychain, keychainAccountForVault } from '../../main/keychain/keychain.js';
import type { Keychain } from '../../main/keychain/keychain.js';
import { openVault } from '../../main/vault/openVault.js';
import type { VaultService } from '../../main/vault/vaultService.js';
import { assertRendererBuilt, launchChromium, REPO_ROOT, startRendererServer, type RendererServer } from './browser.js';

export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-results', 'screenshots');

/** Browser-side source of `window.vault` (a string: it runs in the page, not in Node). */
export function bridgeInitScript(): string {
  return `(() => {
  const operations = ${JSON.stringify(OPERATION_NAMES)};
  const events = ${JSON.stringify(EVENT_NAMES)};
  const listeners = new Map(events.map((e) => [e, new Set()]));
  const pathsByName = new Map();
  const bridge = {};
  for (const op of operations) {
    bridge[op] = async (req) => {
      const result = await window.__vaultCall(op, req === undefined ? null : req);
      if (result.ok) return result.value;
      const err = new Error(result.error.message);
      err.name = result.error.__type;
      err.__type = result.error.__type;
      throw err;
    };
  }
  bridge.on = (event, listener) => {
    const set = listeners.get(event);
    if (!set) throw new Error('Unknown vault event: ' + event);
    set.add(listener);
    return () => set.delete(listener);
  };
  bridge.getPathForFile = (file) => pathsByName.get(file.name) ?? '';
  Object.defineProperty(window, 'vault', { value: Object.freeze(bridge) });
  Object.defineProperty(window, '__vaultTest', {
    value: Object.freeze({
      dispatch(event, payload) {
        for (const listener of listeners.get(event) ?? []) {
          try { listener(payload); } catch (err) { console.error(err); }
        }
      },
      registerFiles(entries) {
        for (const [name, path] of entries) pathsByName.set(name, path);
      },
    }),
  });
})();`;
}

type ServiceMethod = (req?: unknown) => Promise<unknown>;

/** Runs one operation on the service and wraps the outcome like the IPC handlers do. */
export async function callService(service: VaultService, op: string, req: unknown): Promise<IpcResult<unknown>> {
  const method = (OPERATION_NAMES as readonly string[]).includes(op)
    ? (service as unknown as Record<string, ServiceMethod | undefined>)[op]
    : undefined;
  if (typeof method !== 'function') {
    return { ok: false, error: { __type: 'UnsupportedOperationException', message: `The vault service has no operation "${op}".` } };
  }
  try {
    const value = await method.call(service, req === null ? undefined : req);
    return { ok: true, value };
  } catch (err) {
    const typed = err as { __type?: unknown; message?: unknown };
    return {
      ok: false,
      error: {
        __type: typeof typed?.__type === 'string' ? typed.__type : 'KMSInternalException',
        message: typeof typed?.message === 'string' ? typed.message : String(err),
      },
    };
  }
}

export interface E2eApp {
  page: Page;
  service: VaultService;
  /** The vault directory (temp). */
  dir: string;
  /** A scratch directory for the test's files. */
  workDir: string;
  /** Tells the page which path each of these files' names maps to (see the header comment). */
  registerFiles(paths: string[]): Promise<void>;
  /** Opens a screen from the sidebar. */
  navigate(screen: 'keys' | 'files' | 'activity' | 'settings'): Promise<void>;
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export interface StartOptions {
  colorScheme?: 'light' | 'dark';
  viewport?: { width: number; height: number };
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
    const service = await openVault({ dir, keychain: this.keychain });
    const vaultId = service.vaultId;
    const context: BrowserContext = await this.browser.newContext({
      viewport: opts.viewport ?? { width: 1200, height: 800 },
      colorScheme: opts.colorScheme ?? 'light',
      reducedMotion: 'reduce',
    });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));

    const handlers = new Map<string, IpcHandlerLike>();
    const disposeIpc = registerVaultIpc(
      { handle: (channel, handler) => void handlers.set(channel, handler), removeHandler: (channel) => void handlers.delete(channel) },
      service,
      { isTrustedSender: () => true, log: () => undefined },
    );
    const crossed: unknown[] = [];
    await page.exposeBinding('__vaultCall', async (_source, op: unknown, req: unknown) => {
      const handler = handlers.get(channelFor(String(op) as (typeof OPERATION_NAMES)[number]));
      const result = handler
        ? ((await handler({ senderFrame: null }, ...(req === null || req === undefined ? [] : [req]))) as IpcResult<unknown>)
        : await callService(service, String(op), req);
      crossed.push(result);
      return result;
    });
    await page.addInitScript(bridgeInitScript());

    const offs = EVENT_NAMES.map((event) => {
      const forward = (payload: unknown) => {
        crossed.push(payload);
        const expr = `window.__vaultTest && window.__vaultTest.dispatch(${JSON.stringify(event)}, ${JSON.stringify(payload)})`;
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

    return {
      page,
      service,
      dir,
      workDir,
      registerFiles: async (paths) => {
        const entries = paths.map((p) => [basename(p), p]);
        await page.evaluate(`window.__vaultTest.registerFiles(${JSON.stringify(entries)})`);
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
