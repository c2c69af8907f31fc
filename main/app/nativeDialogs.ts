/**
 * Every native dialog main shows goes through this port, so the decisions that depend on a person
 * (which file, where to save, whether to go ahead) are made in main and can be scripted in tests.
 * The renderer never chooses a path and can never skip a confirmation: it only asks main to ask.
 */

export interface FileFilter {
  name: string;
  extensions: string[];
}

export interface OpenFilesRequest {
  title: string;
  /** Several files at once (the Files screen) or exactly one (a backup to restore). */
  multiple: boolean;
  /** Choose folders instead of files (the Files screen's "Choose a folder…"). */
  folders?: boolean;
  filters?: FileFilter[];
}

export interface SaveFileRequest {
  title: string;
  /** Suggested absolute path (directory and file name). */
  defaultPath: string;
  filters?: FileFilter[];
}

export interface ConfirmRequest {
  title: string;
  /** One sentence naming what will happen. */
  message: string;
  /** The consequences, in plain words. */
  detail: string;
  /** The label of the button that goes ahead (the other one is always "Cancel"). */
  confirmLabel: string;
}

export interface DialogPort {
  /** Absolute paths the person picked; empty when they cancelled. */
  openFiles(req: OpenFilesRequest): Promise<string[]>;
  /** The absolute path the person chose; null when they cancelled. */
  saveFile(req: SaveFileRequest): Promise<string | null>;
  /** True only when the person pressed the confirm button. */
  confirm(req: ConfirmRequest): Promise<boolean>;
  /** Opens the system file manager with this file selected (a path main holds, never the page's). */
  showItemInFolder?(path: string): void;
}

/** The part of Electron's `shell` module used here. */
export interface ElectronShellLike {
  showItemInFolder(fullPath: string): void;
}

/** The part of Electron's `dialog` module used here (structural, so this file loads without Electron). */
export interface ElectronDialogLike {
  showOpenDialog(
    window: unknown,
    options: { title: string; properties: string[]; filters?: FileFilter[] },
  ): Promise<{ canceled: boolean; filePaths: string[] }>;
  showSaveDialog(
    window: unknown,
    options: { title: string; defaultPath: string; filters?: FileFilter[]; properties: string[] },
  ): Promise<{ canceled: boolean; filePath?: string }>;
  showMessageBox(
    window: unknown,
    options: {
      type: 'warning';
      title: string;
      message: string;
      detail: string;
      buttons: string[];
      defaultId: number;
      cancelId: number;
      noLink: boolean;
    },
  ): Promise<{ response: number }>;
}

/**
 * The Electron implementation. Dialogs are modal to the app window when there is one. Cancel is
 * the default button of a confirmation, so Enter pressed out of habit does not go ahead.
 */
export function createElectronDialogs(dialog: ElectronDialogLike, parentWindow: () => unknown, shell?: ElectronShellLike): DialogPort {
  return {
    ...(shell ? { showItemInFolder: (path: string) => shell.showItemInFolder(path) } : {}),
    async openFiles(req) {
      const properties = [req.folders === true ? 'openDirectory' : 'openFile', ...(req.multiple ? ['multiSelections'] : [])];
      const res = await dialog.showOpenDialog(parentWindow(), { title: req.title, properties, ...(req.filters ? { filters: req.filters } : {}) });
      return res.canceled ? [] : res.filePaths;
    },
    async saveFile(req) {
      const res = await dialog.showSaveDialog(parentWindow(), {
        title: req.title,
        defaultPath: req.defaultPath,
        ...(req.filters ? { filters: req.filters } : {}),
        // Replacing a file is confirmed by main itself, in words that say what replaces it.
        properties: ['createDirectory'],
      });
      return res.canceled || !res.filePath ? null : res.filePath;
    },
    async confirm(req) {
      const res = await dialog.showMessageBox(parentWindow(), {
        type: 'warning',
        title: req.title,
        message: req.message,
        detail: req.detail,
        buttons: ['Cancel', req.confirmLabel],
        defaultId: 0,
        cancelId: 0,
        noLink: true,
      });
      return res.response === 1;
    },
  };
}
