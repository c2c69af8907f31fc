/**
 * The Electron shell's wiring without Electron: the BUILT main bundle (electron-vite, the app's
 * own config) boots under Node with `electron` resolved to a recording mock (electronMock.ts),
 * on a real vault and the real OS keychain. Asserts what main does with Electron: the app://
 * scheme registered before ready, a sandboxed context-isolated window without Node, the page URL,
 * every IPC handler, the rotation scheduler running (a due key rotates at launch and is notified),
 * native dialogs going through the port with the window as parent, file tokens, navigation locks,
 * files the OS asks us to open (argv at launch, macOS `open-file` before and after ready, the
 * `second-instance` argv) reaching the page as tokens, the tray and the desktop notifications.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../../main/core/clock.js';
import { createKeytarKeychain, keychainAccountForVault } from '../../../main/keychain/keychain.js';
import { openVault } from '../../../main/vault/openVault.js';
import { APP_ENTRY_URL } from '../../../main/app/securityPolicy.js';
import { OPERATION_NAMES, REGISTER_DROP_CHANNEL, channelFor } from '../../../preload/contract.js';
import { app, fireReady, invokeFrom, powerMonitor, shell, type MockBrowserWindow } from './electronMock.js';
import { eventChannelFor } from '../../../preload/contract.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUNDLE = join(ROOT, 'test-results', 'shell-build', 'main', 'index.js');
const PRELOAD = join(ROOT, 'test-results', 'shell-build', 'preload', 'index.cjs');

type Envelope = { ok: boolean; value?: unknown; error?: { __type: string; message: string } };

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('the built main bundle under a mock of electron', () => {
  const vaultDir = mkdtempSync(join(tmpdir(), 'keyvault-shell-vault-'));
  const userData = mkdtempSync(join(tmpdir(), 'keyvault-shell-data-'));
  const documents = mkdtempSync(join(tmpdir(), 'keyvault-shell-docs-'));
  const keychain = createKeytarKeychain();
  let vaultId = '';
  // Files the OS hands us: one in the first launch's argv, one by macOS before ready.
  const launchFile = join(documents, 'from-launch.txt.age');
  const earlyFile = join(documents, 'early-mac.txt.age');
  const secondFile = join(documents, 'second.txt.age');
  const lateFile = join(documents, 'late-mac.txt.age');
  let win: MockBrowserWindow;
  const invoke = (channel: string, ...args: unknown[]) => invokeFrom(win, channel, ...args) as Promise<Envelope>;

  before(async () => {
    const built = spawnSync('npx', ['electron-vite', 'build', '-c', 'test/integration/shell/electron.vite.shell.config.ts', '--logLevel', 'error'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(built.status, 0, `electron-vite build failed: ${built.stderr}`);
    assert.ok(existsSync(BUNDLE) && existsSync(PRELOAD));

    // A key created 40 days ago with a 30-day rotation is due: the app must rotate it at launch.
    const past = new ManualClock(Date.now() - 40 * 86_400_000);
    const prep = await openVault({ dir: vaultDir, keychain, clock: past });
    vaultId = prep.vaultId;
    await prep.createKey({ AliasName: 'alias/due', EnableAutomaticRotation: true, RotationInterval: '30d' });
    for (const file of [launchFile, earlyFile, secondFile, lateFile]) {
      const plain = file.slice(0, -4);
      writeFileSync(plain, `contents of ${plain}\n`);
      await prep.runFileJob({ JobId: crypto.randomUUID(), Operation: 'Encrypt', InputPath: plain, KeyId: 'alias/due' });
      rmSync(plain);
    }
    prep.close();
    // (No catch-up here: the due key must rotate at the app's launch.)
    // A key whose deletion, scheduled 5 days ago with the shortest window (7 days), is 2 days away.
    const fiveDaysAgo = await openVault({ dir: vaultDir, keychain, clock: new ManualClock(Date.now() - 5 * 86_400_000), catchUp: false });
    const { KeyMetadata: old } = await fiveDaysAgo.createKey({ AliasName: 'alias/old-taxes' });
    await fiveDaysAgo.scheduleKeyDeletion({ KeyId: old.KeyId, PendingWindowInDays: 7 });
    fiveDaysAgo.close();

    process.env.KEYVAULT_HOME = vaultDir;
    process.env.KEYVAULT_USER_DATA = userData;
    process.env.MOCK_ELECTRON_PATH_DOCUMENTS = documents;
    process.env.MOCK_ELECTRON_APP_PATH = ROOT;
    delete process.env.ELECTRON_RENDERER_URL;
    register(new URL('./electronLoader.mjs', import.meta.url), {
      data: { mockUrl: new URL('./electronMock.ts', import.meta.url).href },
    });
    const argv = process.argv;
    process.argv = [argv[0]!, join(ROOT, 'out', 'main', 'index.js'), '--enable-logging', launchFile];
    try {
      await import(pathToFileURL(BUNDLE).href);
    } finally {
      process.argv = argv;
    }
    // macOS reports a double-clicked file before ready when it starts the app for it.
    let prevented = false;
    app.emit('open-file', { preventDefault: () => (prevented = true) }, earlyFile);
    assert.equal(prevented, true, 'open-file is handled (Electron would otherwise try to open it itself)');
  });

  after(async () => {
    app.emit('will-quit', { preventDefault() {} });
    await keychain.deleteSecret(keychainAccountForVault(vaultId)).catch(() => false);
    for (const d of [vaultDir, userData, documents]) rmSync(d, { recursive: true, force: true });
  });

  it('registers app:// as a privileged scheme and enables the sandbox before ready, and opens no window yet', () => {
    assert.deepEqual(shell.privilegedSchemes, [{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    assert.equal(shell.sandboxEnabled, true);
    assert.equal(shell.windows.length, 0);
    assert.ok(!shell.calls.includes('app.ready'));
  });

  it('on ready opens one sandboxed, context-isolated window without Node, and loads the app:// page', async () => {
    fireReady();
    await until('the page to load', () => shell.calls.some((c) => c.startsWith('loadURL')));
    assert.equal(shell.windows.length, 1);
    win = shell.windows[0]!.window;
    const prefs = shell.windows[0]!.options.webPreferences as Record<string, unknown>;
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.nodeIntegrationInSubFrames, false);
    assert.equal(prefs.webviewTag, false);
    assert.equal(prefs.preload, PRELOAD, 'the preload is the built sandboxed bundle next to main');
    assert.ok(shell.calls.indexOf('protocol.registerSchemesAsPrivileged') < shell.calls.indexOf('app.ready'));
    assert.ok(shell.calls.includes(`loadURL ${APP_ENTRY_URL}`));
    assert.ok(shell.protocolHandlers.has('app'), 'app:// is served by main');
    assert.equal(win.shown, true, 'shown on ready-to-show');
  });

  it("registers exactly one handler per operation, plus the preload's drop channel", () => {
    assert.deepEqual([...shell.ipcHandlers.keys()].sort(), [...OPERATION_NAMES.map(channelFor), REGISTER_DROP_CHANNEL].sort());
  });

  it('starts the rotation scheduler: the due key rotates at launch and a notification says so', async () => {
    await until('the launch rotation notice', () => shell.notifications.some((n) => n.title === 'Key rotated'));
    const rotated = shell.notifications.filter((n) => n.title === 'Key rotated');
    assert.equal(rotated.length, 1);
    assert.equal(rotated[0]!.shown, true);
    assert.match(rotated[0]!.body, /“due” was rotated on schedule/, 'the notice names the key by its alias');
    assert.equal(powerMonitor.listenerCount('resume'), 1, 'a resume triggers a check');
    const res = await invoke(channelFor('listKeyRotations'), { KeyId: 'alias/due' });
    assert.equal(res.ok, true);
    assert.equal((res.value as { Rotations: unknown[] }).Rotations.length, 1);
  });

  it('notifies a deletion coming due within 3 days, and a vault never backed up in 40 days; each once', async () => {
    await until('the deletion notice', () => shell.notifications.some((n) => n.title === 'A key will be deleted soon'));
    await until('the backup reminder', () => shell.notifications.some((n) => n.title === 'Time for a backup'));
    const deletion = shell.notifications.filter((n) => n.title === 'A key will be deleted soon');
    assert.equal(deletion.length, 1);
    assert.match(deletion[0]!.body, /“old-taxes” will be deleted in 2 days/);
    assert.equal(deletion[0]!.shown, true);
    const backup = shell.notifications.find((n) => n.title === 'Time for a backup')!;
    assert.match(backup.body, /never been backed up/);
    // Another look at the vault (any change) does not say the same things again.
    const before = shell.notifications.length;
    await invoke(channelFor('createKey'), { AliasName: 'alias/another' });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(shell.notifications.length, before);
    // A click on a notice brings the window forward.
    win.focused = false;
    deletion[0]!.emit('click');
    assert.equal(win.focused, true);
  });

  it('puts a tray icon up with the next rotation, the coming deletion and Open / Rotate due keys now / Quit', async () => {
    assert.equal(shell.trays.length, 1);
    const tray = shell.trays[0]!;
    assert.equal(tray.image, join(ROOT, 'assets', 'tray.png'));
    await until('the tray to name the next rotation', () => /Next rotation: due on /.test(tray.toolTip));
    const items = tray.menu!.items;
    assert.match(String(items[0]?.label), /^Next rotation: due on \d{1,2} [A-Z][a-z]{2}/);
    assert.equal(items[0]?.enabled, false, 'information, not an action');
    assert.ok(items.some((i) => /“old-taxes” will be deleted on/.test(String(i.label))));
    assert.deepEqual(
      items.filter((i) => i.click).map((i) => i.label),
      ['Open Key Vault', 'Rotate due keys now', 'Quit Key Vault'],
    );
    win.focused = false;
    items.find((i) => i.label === 'Open Key Vault')!.click!();
    assert.equal(win.focused, true);
    win.focused = false;
    tray.emit('click');
    assert.equal(win.focused, true, 'a click on the icon opens the window too');
    // The due key rotated at launch: a check now rotates nothing, and says so with the next date.
    items.find((i) => i.label === 'Rotate due keys now')!.click!();
    await until('the nothing-due notice', () => shell.notifications.some((n) => n.title === 'No key is due for rotation'));
    assert.match(shell.notifications.find((n) => n.title === 'No key is due for rotation')!.body, /^Next rotation: due on /);
  });

  it('files the OS opened at launch (argv) and before ready (macOS open-file) reach the page as tokens, ready to inspect', async () => {
    const res = await invoke(channelFor('takeOpenedFiles'));
    assert.equal(res.ok, true, JSON.stringify(res.error));
    const { Files, Skipped } = res.value as { Files: { FileToken: string; Name: string }[]; Skipped: unknown[] };
    assert.deepEqual(
      Files.map((f) => f.Name),
      ['from-launch.txt.age', 'early-mac.txt.age'],
      'the switch in argv is not a file',
    );
    assert.deepEqual(Skipped, []);
    const inspected = await invoke(channelFor('runFileJob'), { JobId: crypto.randomUUID(), Operation: 'Inspect', FileToken: Files[0]!.FileToken });
    assert.equal(inspected.ok, true, JSON.stringify(inspected.error));
    const again = await invoke(channelFor('takeOpenedFiles'));
    assert.deepEqual((again.value as { Files: unknown[] }).Files, [], 'taken once');
  });

  it('a second launch with a file (Linux, Windows) and macOS open-file while running tell the page, which takes them', async () => {
    win.focused = false;
    const before = win.webContents.sent.length;
    // The second instance's argv: its executable, the app path (unpackaged), Chromium switches, a relative path.
    app.emit('second-instance', {}, ['/usr/bin/electron', ROOT, '--original-process-start-time=1', 'second.txt.age'], documents, {});
    assert.equal(win.focused, true, 'the running window comes forward');
    app.emit('open-file', { preventDefault() {} }, lateFile);
    const told = win.webContents.sent.slice(before).filter((m) => m.channel === eventChannelFor('filesOpened'));
    assert.deepEqual(
      told.map((m) => m.payload),
      [{ Count: 1 }, { Count: 2 }],
    );
    const res = await invoke(channelFor('takeOpenedFiles'));
    const { Files } = res.value as { Files: { FileToken: string; Name: string }[] };
    assert.deepEqual(
      Files.map((f) => f.Name),
      ['second.txt.age', 'late-mac.txt.age'],
    );
    const decrypted = await invoke(channelFor('runFileJob'), { JobId: crypto.randomUUID(), Operation: 'Decrypt', FileToken: Files[0]!.FileToken });
    assert.equal(decrypted.ok, true, JSON.stringify(decrypted.error));
    assert.equal(readFileSync(secondFile.slice(0, -4), 'utf8'), `contents of ${secondFile.slice(0, -4)}\n`);
  });

  it('a file the OS names that is gone is skipped with its reason; the others still open', async () => {
    app.emit('open-file', { preventDefault() {} }, join(documents, 'vanished.age'));
    app.emit('open-file', { preventDefault() {} }, launchFile);
    const res = await invoke(channelFor('takeOpenedFiles'));
    const { Files, Skipped } = res.value as { Files: { Name: string }[]; Skipped: { Name: string; Reason: string }[] };
    assert.deepEqual(
      Files.map((f) => f.Name),
      ['from-launch.txt.age'],
    );
    assert.equal(Skipped.length, 1);
    assert.equal(Skipped[0]!.Name, 'vanished.age');
    assert.match(Skipped[0]!.Reason, /no longer exists/);
  });

  it("refuses IPC from a frame that is not the window's app page", async () => {
    const handler = shell.ipcHandlers.get(channelFor('listKeys'))!;
    const evil = { url: 'https://evil.example/', parent: null, processId: 99, routingId: 1 };
    const res = (await handler({ senderFrame: evil, sender: win.webContents }, undefined)) as Envelope;
    assert.equal(res.error?.__type, 'AccessDeniedException');
  });

  it("export-backup goes through Electron's save dialog and message box, modal to the window; declined writes nothing", async () => {
    const target = join(documents, 'backup.age');
    shell.saveAnswers.push(target);
    shell.messageAnswers.push(0);
    const declined = await invoke(channelFor('exportBackup'), { Passphrase: 'a long and fine passphrase' });
    assert.equal(declined.error?.__type, 'CancelledException');
    assert.equal(existsSync(target), false);
    const [save, message] = shell.dialogs.slice(-2);
    assert.equal(save?.kind, 'save');
    assert.equal(save?.parent, win, 'the save dialog is modal to the app window');
    assert.equal(String(save?.options.defaultPath).startsWith(documents), true, 'it starts in the documents folder');
    assert.equal(message?.kind, 'message');
    assert.equal(message?.parent, win);
    assert.deepEqual(message?.options.buttons, ['Cancel', 'Export backup']);
    assert.equal(message?.options.cancelId, 0);
    assert.equal(message?.options.defaultId, 0, 'Enter does not export');
    assert.match(String(message?.options.message), new RegExp(`to ${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\?$`));

    shell.saveAnswers.push(target);
    shell.messageAnswers.push(1);
    const accepted = await invoke(channelFor('exportBackup'), { Passphrase: 'a long and fine passphrase' });
    assert.equal(accepted.ok, true, JSON.stringify(accepted.error));
    assert.ok(existsSync(target));
    // Remembered for the 30-day reminder.
    const status = await invoke(channelFor('getRecoveryStatus'));
    const last = (status.value as { LastBackupDate?: string }).LastBackupDate;
    assert.ok(last && Math.abs(Date.parse(last) - Date.now()) < 60_000, `LastBackupDate is now, got ${last}`);
  });

  it("files come from Electron's open dialog as tokens; a reload of the page revokes them", async () => {
    const input = join(documents, 'notes.txt');
    writeFileSync(input, 'dear diary\n');
    shell.openAnswers.push([input]);
    const picked = await invoke(channelFor('pickFiles'));
    const [handle] = (picked.value as { Files: { FileToken: string; Name: string }[] }).Files;
    assert.equal(handle?.Name, 'notes.txt');
    assert.equal(shell.dialogs.at(-1)?.parent, win);
    const JobId = crypto.randomUUID();
    const job = await invoke(channelFor('runFileJob'), { JobId, Operation: 'Encrypt', FileToken: handle!.FileToken, KeyId: 'alias/due' });
    assert.equal(job.ok, true, JSON.stringify(job.error));
    assert.ok(readFileSync(`${input}.age`).length > 0);
    // Show in folder reaches Electron's shell with the output main wrote, named by the job only.
    const shown = await invoke(channelFor('showInFolder'), { JobId });
    assert.equal(shown.ok, true, JSON.stringify(shown.error));
    assert.deepEqual(shell.shownInFolder, [`${input}.age`]);

    win.webContents.emit('did-start-loading');
    const again = await invoke(channelFor('runFileJob'), { JobId: crypto.randomUUID(), Operation: 'Inspect', FileToken: handle!.FileToken });
    assert.equal(again.error?.__type, 'NotFoundException');
  });

  it('the BUILT preload, run sandboxed over this main, turns a trusted drop into tokens and a file job; a forged drop into nothing', async () => {
    const exposed = new Map<string, unknown>();
    const dropListeners: ((event: unknown) => void)[] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
      ipcRenderer: {
        invoke: (channel: string, ...args: unknown[]) => invokeFrom(win, channel, ...args),
        on: () => undefined,
        removeListener: () => undefined,
      },
      webUtils: { getPathForFile: (file: { path?: string }) => file.path ?? '' },
    };
    const module = { exports: {} };
    vm.runInNewContext(readFileSync(PRELOAD, 'utf8'), {
      require: (name: string) => {
        if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
        return electron;
      },
      module,
      exports: module.exports,
      console,
      addEventListener: (type: string, listener: (event: unknown) => void) => {
        if (type === 'drop') dropListeners.push(listener);
      },
    });
    const vault = exposed.get('vault') as {
      listAliases(): Promise<{ Aliases: { AliasName: string }[] }>;
      takeDroppedFiles(): Promise<{ FileToken: string; Name: string }[]>;
      runFileJob(req: unknown): Promise<{ OutputPath?: string }>;
    };
    assert.ok((await vault.listAliases()).Aliases.some((a) => a.AliasName === 'alias/due'));

    const photo = join(documents, 'photo.jpg');
    writeFileSync(photo, 'jpeg bytes');
    const drop = (isTrusted: boolean) => dropListeners.forEach((l) => l({ isTrusted, dataTransfer: { files: [{ name: 'photo.jpg', path: photo }] } }));
    drop(false);
    assert.equal((await vault.takeDroppedFiles()).length, 0, 'a drop the page made up registers nothing');
    drop(true);
    const [handle] = await vault.takeDroppedFiles();
    assert.equal(handle?.Name, 'photo.jpg');
    const res = await vault.runFileJob({ JobId: crypto.randomUUID(), Operation: 'Encrypt', FileToken: handle!.FileToken, KeyId: 'alias/due' });
    assert.equal(res.OutputPath, `${photo}.age`);
    assert.ok(existsSync(`${photo}.age`));
  });

  it('locks navigation and new windows', () => {
    let prevented = false;
    win.webContents.emit('will-navigate', { preventDefault: () => (prevented = true) }, 'https://evil.example/');
    assert.equal(prevented, true);
    assert.deepEqual(win.webContents.windowOpenHandler?.({ url: 'https://evil.example/' }), { action: 'deny' });
  });

  it("restore-backup: the backup chosen in Electron's open dialog replaces the vault, then the app relaunches and quits cleanly", async () => {
    const backup = join(documents, 'backup.age');
    assert.ok(existsSync(backup), 'written by the export test above');
    await invoke(channelFor('createKey'), { AliasName: 'alias/after-backup' });
    shell.openAnswers.push([backup]);
    shell.messageAnswers.push(1);
    const res = await invoke(channelFor('restoreBackup'), { Passphrase: 'a long and fine passphrase' });
    assert.equal(res.ok, true, JSON.stringify(res.error));
    assert.equal((res.value as { Restarting: boolean }).Restarting, true);
    const [open, confirm] = shell.dialogs.slice(-2);
    assert.equal(open?.kind, 'open');
    assert.equal(open?.parent, win);
    assert.deepEqual(confirm?.options.buttons, ['Cancel', 'Replace vault']);
    assert.match(String(confirm?.options.detail), /after-backup/, 'the account names a key that will be lost');
    await until('the relaunch', () => shell.relaunched, 10_000);
    // Quitting ran the shutdown: no handler is left, the scheduler stopped.
    assert.equal(shell.ipcHandlers.size, 0);
    assert.equal(powerMonitor.listenerCount('resume'), 0);
    assert.equal(shell.trays[0]!.destroyed, true, 'the tray icon goes away');
    const restored = await openVault({ dir: vaultDir, keychain, create: false });
    try {
      const aliases = (await restored.listAliases()).Aliases.map((a) => a.AliasName);
      assert.ok(aliases.includes('alias/due') && !aliases.includes('alias/after-backup'), 'the vault is the backup now');
    } finally {
      restored.close();
    }
  });
});
