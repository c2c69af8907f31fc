/**
 * Electron main entry. Deliberately thin: every decision (window options, navigation, sender
 * trust, CSP, asset serving, event queueing, rotation triggers, start-up errors) lives in a plain
 * module next to this one and is tested under Node; this file only wires them to Electron.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserWindow, Notification, app, dialog, ipcMain, powerMonitor, protocol, session, shell } from 'electron';
import type { WebContents } from 'electron';
import { KmsError } from '../core/errors.js';
import { createKeytarKeychain } from '../keychain/keychain.js';
import { restoreBackup } from '../vault/backupRestore.js';
import { openVault } from '../vault/openVault.js';
import { startRotationScheduler } from '../vault/rotationScheduler.js';
import type { VaultRestorer } from './appOperations.js';
import { createBlockedService } from './blockedService.js';
import { createEventForwarder, rotationNotice } from './eventForwarder.js';
import { FileTokenRegistry } from './fileTokens.js';
import { registerVaultIpc } from './ipcHandlers.js';
import { createElectronDialogs } from './nativeDialogs.js';
import { serveRendererAsset } from './rendererProtocol.js';
import { rotationCheckIntervalMs, wireRotationTriggers } from './rotationTriggers.js';
import {
  APP_SCHEME,
  chooseEntryUrl,
  devServerCsp,
  isLoopbackDevServerUrl,
  isTrustedSenderFrame,
  permissionDecision,
  shouldAllowNavigation,
  windowOpenDecision,
  withCspHeader,
} from './securityPolicy.js';
import { describeStartupError, resolveVaultDir, userDataOverride } from './startup.js';
import { createWindowOptions } from './windowOptions.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const preloadPath = join(here, '../preload/index.cjs');
const rendererDir = join(here, '../renderer');
const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
const entryUrl = chooseEntryUrl({ isPackaged: app.isPackaged, devServerUrl });

// Must happen before `ready`: app:// behaves like an https origin ('self' in the CSP, fetch, no
// file:// privileges needed). Every renderer is sandboxed, whatever its options say.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);
app.enableSandbox();
const userData = userDataOverride(process.env);
if (userData) app.setPath('userData', userData);

let mainWindow: BrowserWindow | null = null;

function hardenContents(contents: WebContents): void {
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => windowOpenDecision());
  contents.on('will-navigate', (event, url) => {
    if (!shouldAllowNavigation(url, entryUrl)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!shouldAllowNavigation(url, entryUrl)) event.preventDefault();
  });
}

function applySessionPolicy(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, permission, callback) => callback(permissionDecision(permission)));
  ses.setPermissionCheckHandler((_contents, permission) => permissionDecision(permission));
  ses.setDevicePermissionHandler(() => false);
  protocol.handle(APP_SCHEME, async (request) => {
    const res = await serveRendererAsset(rendererDir, request.url, (p) => readFile(p));
    return new Response(typeof res.body === 'string' ? res.body : Buffer.from(res.body), {
      status: res.status,
      headers: res.headers,
    });
  });
  if (isLoopbackDevServerUrl(devServerUrl)) {
    const origin = new URL(devServerUrl).origin;
    const csp = devServerCsp(devServerUrl);
    ses.webRequest.onHeadersReceived({ urls: [`${origin}/*`] }, (details, callback) => {
      callback({ responseHeaders: withCspHeader(details.responseHeaders, csp) });
    });
  }
}

async function showStartupError(err: unknown, vaultDir: string): Promise<void> {
  const d = describeStartupError(err, vaultDir);
  console.error('[startup]', err);
  await dialog.showMessageBox({ type: 'error', title: d.title, message: d.message, detail: d.detail, buttons: ['Quit'] });
}

async function start(): Promise<void> {
  await app.whenReady();
  applySessionPolicy();

  const vaultDir = resolveVaultDir(process.env, app.getPath('userData'));
  const keychain = createKeytarKeychain();
  let service: Awaited<ReturnType<typeof openVault>> | null = null;
  let blockedBy: KmsError | null = null;
  try {
    // Catch-up runs below, once our listeners are attached, so its rotations are notified.
    service = await openVault({ dir: vaultDir, keychain, catchUp: false });
  } catch (err) {
    // A vault that fails its integrity check still gets a window: a blocking state with the
    // advice, and restore-backup. Any other failure is a start-up error dialog.
    if (err instanceof KmsError && err.__type === 'VaultIntegrityException') {
      blockedBy = err;
    } else {
      await showStartupError(err, vaultDir);
      app.exit(1);
      return;
    }
  }
  const backend = service ?? createBlockedService(blockedBy ?? new KmsError('KMSInternalException', 'The vault is not open.'));

  const iconPath = join(app.getAppPath(), 'assets', 'icon.png');
  const win = new BrowserWindow(
    createWindowOptions({ preloadPath, iconPath: existsSync(iconPath) ? iconPath : undefined, devTools: !app.isPackaged }),
  );
  mainWindow = win;
  const contents = win.webContents;

  const tokens = new FileTokenRegistry();
  const restore: VaultRestorer = async (backupPath, passphrase) => {
    const res = await restoreBackup({ dir: vaultDir, inPath: backupPath, passphrase, keychain, force: true });
    // The open service still holds the replaced vault: start again on the restored one, once the
    // answer has reached the page.
    setTimeout(() => {
      app.relaunch();
      app.quit();
    }, 2500);
    return { KeyCount: res.KeyCount, VersionCount: res.VersionCount, RecoveryPassphraseSet: res.RecoveryPassphraseSet, Restarting: true };
  };
  const disposeIpc = registerVaultIpc(ipcMain, backend, {
    isTrustedSender: (frame) =>
      !win.isDestroyed() && isTrustedSenderFrame(frame, { entryUrl, mainFrame: contents.mainFrame }),
    dialogs: createElectronDialogs(dialog, () => (win.isDestroyed() ? null : win), shell),
    tokens,
    defaultSaveDir: () => app.getPath('documents'),
    vaultDir,
    restore,
  });

  const forwarder = createEventForwarder({
    source: backend.events,
    target: {
      send: (channel, payload) => contents.send(channel, payload),
      isDestroyed: () => win.isDestroyed() || contents.isDestroyed(),
    },
  });
  // A page that reloads or navigates loses the file tokens of the page before it.
  contents.on('did-start-loading', () => {
    forwarder.markNotReady();
    tokens.revokeOwner(`contents:${contents.id}`);
  });
  contents.on('did-finish-load', () => forwarder.markReady());

  backend.events.on('rotation', (event) => {
    const notice = rotationNotice(event);
    if (notice && Notification.isSupported()) new Notification({ title: notice.title, body: notice.body }).show();
  });

  // Nothing rotates in a vault that failed its integrity check.
  const triggers = service
    ? wireRotationTriggers({
        scheduler: startRotationScheduler(service, {
          intervalMs: rotationCheckIntervalMs(process.env),
          onError: (err) => console.error('[rotation] scheduled check failed', err),
        }),
        powerMonitor,
      })
    : null;
  void triggers?.checkNow('launch');

  let closed = false;
  const shutdown = (): void => {
    if (closed) return;
    closed = true;
    triggers?.dispose();
    disposeIpc();
    forwarder.dispose();
    backend.close();
  };
  app.on('will-quit', shutdown);
  win.on('closed', () => {
    mainWindow = null;
  });
  win.once('ready-to-show', () => win.show());
  // A failed load is logged, not fatal: the window stays, and a reload can still succeed.
  await win.loadURL(entryUrl).catch((err: unknown) => console.error(`[window] could not load ${entryUrl}`, err));
}

if (!app.requestSingleInstanceLock()) {
  // Another Key Vault already runs: it gets focus (second-instance), this one leaves.
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
  // One window; closing it ends the app on every platform (nothing runs without the window).
  app.on('window-all-closed', () => app.quit());
  start().catch(async (err: unknown) => {
    await showStartupError(err, resolveVaultDir(process.env, app.getPath('userData'))).catch(() => undefined);
    app.exit(1);
  });
}
