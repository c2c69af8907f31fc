/**
 * A stand-in for the `electron` module with exactly the API main/app/index.ts uses (app,
 * BrowserWindow, protocol, session, ipcMain, dialog, Notification, powerMonitor, Tray, Menu), so the BUILT main
 * bundle boots under Node. Everything the app does through it is recorded in `shell`; the test
 * fires `ready`, scripts dialog answers and invokes IPC as the window would.
 */
import { EventEmitter } from 'node:events';

type Listener = (...args: unknown[]) => void;

export interface RecordedWindow {
  options: Record<string, unknown>;
  window: MockBrowserWindow;
}

export interface ShellRecord {
  /** Order of notable calls, e.g. 'protocol.registerSchemesAsPrivileged', 'app.ready'. */
  calls: string[];
  privilegedSchemes: unknown[];
  protocolHandlers: Map<string, (request: { url: string }) => Promise<unknown>>;
  windows: RecordedWindow[];
  ipcHandlers: Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>;
  dialogs: { kind: 'open' | 'save' | 'message'; parent: unknown; options: Record<string, unknown> }[];
  notifications: MockNotification[];
  trays: MockTray[];
  exitCode: number | undefined;
  relaunched: boolean;
  sandboxEnabled: boolean;
  /** Scripted answers: the next dialog of each kind returns these. */
  openAnswers: string[][];
  saveAnswers: (string | null)[];
  messageAnswers: number[];
  /** electron's shell.showItemInFolder (the app imports `shell`, which resolves to this record). */
  showItemInFolder(fullPath: string): void;
  shownInFolder: string[];
}

export const shell: ShellRecord = {
  calls: [],
  privilegedSchemes: [],
  protocolHandlers: new Map(),
  windows: [],
  ipcHandlers: new Map(),
  dialogs: [],
  notifications: [],
  trays: [],
  exitCode: undefined,
  relaunched: false,
  sandboxEnabled: false,
  openAnswers: [],
  saveAnswers: [],
  messageAnswers: [],
  showItemInFolder(fullPath: string): void {
    shell.calls.push('shell.showItemInFolder');
    shell.shownInFolder.push(fullPath);
  },
  shownInFolder: [],
};

let isReady = false;
let resolveReady: () => void = () => undefined;
const readyPromise = new Promise<void>((ok) => {
  resolveReady = ok;
});
const paths = new Map<string, string>();

class MockApp extends EventEmitter {
  readonly isPackaged = false;
  enableSandbox(): void {
    shell.sandboxEnabled = true;
    shell.calls.push('app.enableSandbox');
  }
  setPath(name: string, value: string): void {
    paths.set(name, value);
  }
  getPath(name: string): string {
    const p = paths.get(name) ?? process.env[`MOCK_ELECTRON_PATH_${name.toUpperCase()}`];
    if (!p) throw new Error(`electron mock: no path for "${name}"`);
    return p;
  }
  getAppPath(): string {
    return process.env.MOCK_ELECTRON_APP_PATH ?? process.cwd();
  }
  isReady(): boolean {
    return isReady;
  }
  whenReady(): Promise<void> {
    return readyPromise;
  }
  requestSingleInstanceLock(): boolean {
    return true;
  }
  quit(): void {
    shell.calls.push('app.quit');
    this.emit('will-quit', { preventDefault() {} });
  }
  exit(code = 0): void {
    shell.calls.push(`app.exit(${code})`);
    shell.exitCode = code;
  }
  relaunch(): void {
    shell.relaunched = true;
  }
}
export const app = new MockApp();

/** Test control: Electron is ready now. */
export function fireReady(): void {
  isReady = true;
  shell.calls.push('app.ready');
  resolveReady();
  app.emit('ready');
}

export const protocol = {
  registerSchemesAsPrivileged(schemes: unknown[]): void {
    if (isReady) throw new Error('protocol.registerSchemesAsPrivileged must be called before the app is ready');
    shell.calls.push('protocol.registerSchemesAsPrivileged');
    shell.privilegedSchemes.push(...schemes);
  },
  handle(scheme: string, handler: (request: { url: string }) => Promise<unknown>): void {
    if (!isReady) throw new Error('protocol.handle must be called after the app is ready');
    shell.protocolHandlers.set(scheme, handler);
  },
};

const noop = (): void => undefined;
export const session = {
  defaultSession: {
    setPermissionRequestHandler: noop,
    setPermissionCheckHandler: noop,
    setDevicePermissionHandler: noop,
    webRequest: { onHeadersReceived: noop },
  },
};

let nextContentsId = 1;

export interface MockFrame {
  url: string;
  parent: MockFrame | null;
  processId: number;
  routingId: number;
}

export class MockWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  readonly mainFrame: MockFrame = { url: '', parent: null, processId: 40 + this.id, routingId: 1 };
  readonly sent: { channel: string; payload: unknown }[] = [];
  loading = false;
  windowOpenHandler: ((details: unknown) => unknown) | undefined;
  private destroyed = false;
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isLoading(): boolean {
    return this.loading;
  }
  setWindowOpenHandler(handler: (details: unknown) => unknown): void {
    this.windowOpenHandler = handler;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

export class MockBrowserWindow extends EventEmitter {
  readonly webContents = new MockWebContents();
  shown = false;
  focused = false;
  private destroyed = false;
  constructor(options: Record<string, unknown>) {
    super();
    if (!isReady) throw new Error('BrowserWindow cannot be created before the app is ready');
    shell.windows.push({ options, window: this });
    app.emit('web-contents-created', {}, this.webContents);
  }
  async loadURL(url: string): Promise<void> {
    shell.calls.push(`loadURL ${url}`);
    this.webContents.loading = true;
    this.webContents.emit('did-start-loading');
    this.webContents.mainFrame.url = url;
    this.webContents.loading = false;
    this.webContents.emit('did-finish-load');
    this.emit('ready-to-show');
  }
  show(): void {
    this.shown = true;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  focus(): void {
    this.focused = true;
  }
  close(): void {
    this.destroyed = true;
    this.webContents.destroy();
    this.emit('closed');
  }
}
export { MockBrowserWindow as BrowserWindow };

export const ipcMain = {
  handle(channel: string, handler: (event: unknown, ...args: unknown[]) => Promise<unknown>): void {
    if (shell.ipcHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    shell.ipcHandlers.set(channel, handler);
  },
  removeHandler(channel: string): void {
    shell.ipcHandlers.delete(channel);
  },
};

/** Test control: what ipcRenderer.invoke from this window's main frame would get back. */
export function invokeFrom(win: MockBrowserWindow, channel: string, ...args: unknown[]): Promise<unknown> {
  const handler = shell.ipcHandlers.get(channel);
  if (!handler) throw new Error(`No handler for ${channel}`);
  return handler({ senderFrame: win.webContents.mainFrame, sender: win.webContents }, ...args);
}

/** Electron accepts (window, options) or (options); the app must always pass its window. */
function split(args: unknown[]): { parent: unknown; options: Record<string, unknown> } {
  return args.length >= 2
    ? { parent: args[0], options: args[1] as Record<string, unknown> }
    : { parent: undefined, options: args[0] as Record<string, unknown> };
}

export const dialog = {
  async showOpenDialog(...args: unknown[]): Promise<{ canceled: boolean; filePaths: string[] }> {
    shell.dialogs.push({ kind: 'open', ...split(args) });
    const filePaths = shell.openAnswers.shift() ?? [];
    return { canceled: filePaths.length === 0, filePaths };
  },
  async showSaveDialog(...args: unknown[]): Promise<{ canceled: boolean; filePath?: string }> {
    shell.dialogs.push({ kind: 'save', ...split(args) });
    const filePath = shell.saveAnswers.shift() ?? null;
    return filePath ? { canceled: false, filePath } : { canceled: true };
  },
  async showMessageBox(...args: unknown[]): Promise<{ response: number }> {
    shell.dialogs.push({ kind: 'message', ...split(args) });
    return { response: shell.messageAnswers.shift() ?? 0 };
  },
};

export class MockNotification extends EventEmitter {
  readonly title: string;
  readonly body: string;
  shown = false;
  static isSupported(): boolean {
    return true;
  }
  constructor(options: { title: string; body: string }) {
    super();
    this.title = options.title;
    this.body = options.body;
    shell.notifications.push(this);
  }
  show(): void {
    this.shown = true;
  }
}
export { MockNotification as Notification };

export interface MockMenuItem {
  id?: string;
  label?: string;
  type?: string;
  enabled?: boolean;
  click?: () => void;
}

export class MockMenu {
  constructor(readonly items: MockMenuItem[]) {}
  static buildFromTemplate(template: MockMenuItem[]): MockMenu {
    if (!isReady) throw new Error('Menu.buildFromTemplate before the app is ready');
    return new MockMenu(template);
  }
}
export { MockMenu as Menu };

export class MockTray extends EventEmitter {
  toolTip = '';
  menu: MockMenu | null = null;
  destroyed = false;
  constructor(readonly image: string) {
    super();
    if (!isReady) throw new Error('A Tray cannot be created before the app is ready');
    shell.trays.push(this);
  }
  setToolTip(text: string): void {
    this.toolTip = text;
  }
  setContextMenu(menu: MockMenu): void {
    this.menu = menu;
  }
  destroy(): void {
    this.destroyed = true;
  }
}
export { MockTray as Tray };

class MockPowerMonitor extends EventEmitter {}
export const powerMonitor = new MockPowerMonitor();

export type { Listener };
export type WebContents = MockWebContents;
