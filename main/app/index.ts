/**
 * Electron main entry. Deliberately thin: every decision (window options, navigation, sender
 * trust, CSP, asset serving, event queueing, rotation triggers, start-up errors) lives in a plain
 * module next to this one and is tested under Node; this file only wires them to Electron.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrowserWindow, Menu, Notification, Tray, app, dialog, ipcMain, powerMonitor, protocol, session, shell } from 'electron';
import type { WebContents } from 'electron';
import { KmsError } from '../core/errors.js';
import { createKeytarKeychain } from '../keychain/keychain.js';
import { restoreBackup } from '../vault/backupRestore.js';
import { openVault } from '../vault/openVault.js';
import { startRotationScheduler } from '../vault/rotationScheduler.js';
import type { VaultRestorer } from './appOperations.js';
import { createBlockedService } from './blockedService.js';
import { appCliCommand, attachApiEndpoint } from './apiEndpoint.js';
import { eventChannelFor } from '../../preload/contract.js';
import { createEventForwarder } from './eventForwarder.js';
import { FileTokenRegistry } from './fileTokens.js';
import { registerVaultIpc } from './ipcHandlers.js';
import { createElectronDialogs } from './nativeDialogs.js';
import { createDesktopNotifier, type DesktopNotice } from './notifications.js';
import { OpenedFilesInbox, filePathsFromArgv } from './openWith.js';
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
import { createAppTray, rotateDueKeysNow, type TrayMenuItem } from './tray.js';
import { createWindowOptions } from './windowOptions.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const preloadPath = join(here, '../preload/index.cjs');
const rendererDir = join(here, '../renderer');
const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
const entryUrl = chooseEntryUrl({ isPackaged: app.isPackaged, devServerUrl });

// Must happen before `ready`: app:// behaves like an https origin ('self' in the CSP, fetch, no
// file:// privileges needed). Every renderer is sandboxed, whatever its options say.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
app.enableSandbox();
const userData = userDataOverride(process.env);
if (userData) app.setPath('userData', userData);

let mainWindow: BrowserWindow | null = null;
/** Files the OS asked us to open; filled from argv, `open-file` (macOS) and `second-instance`. */
const openedFiles = new OpenedFilesInbox();
/** How often the tray menu and the deletion/backup reminders look at the vault again. */
const DESKTOP_REFRESH_MS = 10 * 60_000;

function showWindow(): void {
  if (!mainWindow || mainWindow.isDestroyed()) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

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
    service = await openVault({ dir: vaultDir, keychain, catchUp: false, settleInBackground: true });
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
  const win = new BrowserWindow(createWindowOptions({ preloadPath, iconPath: existsSync(iconPath) ? iconPath : undefined, devTools: !app.isPackaged }));
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
  // The AWS-compatible endpoint runs only over an open vault (not in the blocked state).
  const apiEndpoint = service ? attachApiEndpoint(service, { cliCommand: appCliCommand(process.execPath, app.getAppPath()) }) : null;
  void apiEndpoint?.controller.resume();
  const disposeIpc = registerVaultIpc(ipcMain, apiEndpoint?.ipcService ?? backend, {
    openedFiles,
    isTrustedSender: (frame) => !win.isDestroyed() && isTrustedSenderFrame(frame, { entryUrl, mainFrame: contents.mainFrame }),
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

  // Files opened by the OS while the page runs: it takes them as tokens when told (at its first
  // load it asks by itself, so nothing is lost while it loads).
  const stopOpenWith = openedFiles.onArrive((count) => {
    if (!win.isDestroyed() && !contents.isDestroyed() && !contents.isLoading()) contents.send(eventChannelFor('filesOpened'), { Count: count });
  });

  const showNotice = (notice: Pick<DesktopNotice, 'title' | 'body'>): void => {
    if (!Notification.isSupported()) return;
    const n = new Notification({ title: notice.title, body: notice.body, ...(existsSync(iconPath) ? { icon: iconPath } : {}) });
    n.on('click', showWindow);
    n.show();
  };
  const notifier = createDesktopNotifier({ vault: backend, show: showNotice });
  backend.events.on('rotation', (event) => {
    notifier.rotated(event).catch((err: unknown) => console.error('[notify] rotation notice failed', err));
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
  const trayIcon = join(app.getAppPath(), 'assets', 'tray.png');
  const tray = existsSync(trayIcon)
    ? createAppTray({
        tray: new Tray(trayIcon),
        buildMenu: (template: TrayMenuItem[]) => Menu.buildFromTemplate(template),
        vault: backend,
        actions: {
          open: showWindow,
          checkRotations: () => {
            if (!triggers) return;
            rotateDueKeysNow({ check: () => triggers.checkNow('tray'), events: backend.events, vault: backend, show: showNotice }).catch((err: unknown) =>
              console.error('[tray] rotate due keys failed', err),
            );
          },
          quit: () => app.quit(),
        },
      })
    : null;
  const lookAgain = (): void => {
    void tray?.refresh();
    // A blocked vault has nothing to remind of; its window says what is wrong.
    if (service) notifier.check().catch((err: unknown) => console.error('[notify] reminder check failed', err));
  };
  backend.events.on('vaultChanged', lookAgain);
  backend.events.on('rotation', lookAgain);
  const desktopTimer = setInterval(lookAgain, DESKTOP_REFRESH_MS);
  desktopTimer.unref();
  // Catch-up at launch first, so the tray and the reminders see the rotated keys.
  void (triggers ? triggers.checkNow('launch') : Promise.resolve()).then(lookAgain);

  let closed = false;
  const shutdown = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(desktopTimer);
    backend.events.off('vaultChanged', lookAgain);
    backend.events.off('rotation', lookAgain);
    stopOpenWith();
    tray?.dispose();
    triggers?.dispose();
    disposeIpc();
    forwarder.dispose();
    void apiEndpoint?.controller.close();
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
  // At first launch (Linux, Windows) the files to open are in our own argv.
  openedFiles.add(filePathsFromArgv(process.argv, { isPackaged: app.isPackaged, cwd: process.cwd() }));
  // macOS: a double-clicked file, possibly before ready (then the page takes it at its first load).
  app.on('open-file', (event, path) => {
    event.preventDefault();
    openedFiles.add([path]);
    showWindow();
  });
  // Another launch (a double-click while we run) hands us its argv and leaves; we get the focus.
  app.on('second-instance', (_event, argv, workingDirectory) => {
    openedFiles.add(filePathsFromArgv(argv, { isPackaged: app.isPackaged, cwd: workingDirectory }));
    showWindow();
  });
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
  // One window; closing it ends the app on every platform (nothing runs without the window).
  app.on('window-all-closed', () => app.quit());
  start().catch(async (err: unknown) => {
    await showStartupError(err, resolveVaultDir(process.env, app.getPath('userData'))).catch(() => undefined);
    app.exit(1);
  });
}
