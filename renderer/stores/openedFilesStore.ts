/**
 * Files the operating system asked Key Vault to open (double-click on an `.age` file, "Open
 * with"). Main keeps the paths; the page takes tokens for them when main says some arrived, and at
 * its first load. They wait on the Files screen until the person chooses what to do with each.
 */
import { create } from 'zustand';
import type { FileHandle, FileOperation, TakeOpenedFilesResponse } from '../../preload/contract';
import { vault } from '../bridge';
import { useFilesStore } from './filesStore';
import { useUiStore } from './uiStore';

interface OpenedFilesState {
  files: FileHandle[];
  skipped: TakeOpenedFilesResponse['Skipped'];
  /** Takes what main holds; when anything came, the Files screen opens. */
  take(): Promise<void>;
  /** Runs one opened file through a file job (with the Files screen's other options) and clears it. */
  run(file: FileHandle, operation: FileOperation): void;
  dismiss(fileToken: string): void;
  dismissSkipped(): void;
}

/** Decrypt and Inspect for an `.age` file; Encrypt for anything else. */
export function operationsFor(name: string): FileOperation[] {
  return /\.age$/i.test(name) ? ['Decrypt', 'Inspect'] : ['Encrypt'];
}

export const useOpenedFilesStore = create<OpenedFilesState>()((set, get) => ({
  files: [],
  skipped: [],
  take: async () => {
    try {
      const { Files, Skipped } = await vault().takeOpenedFiles();
      if (Files.length === 0 && Skipped.length === 0) return;
      set({ files: [...get().files, ...Files], skipped: [...get().skipped, ...Skipped] });
      useUiStore.getState().navigate('files');
    } catch (err) {
      useUiStore.getState().reportError('Open files', err);
    }
  },
  run: (file, operation) => {
    const files = useFilesStore.getState();
    files.setOperation(operation);
    files.start([file]);
    get().dismiss(file.FileToken);
  },
  dismiss: (fileToken) => set({ files: get().files.filter((f) => f.FileToken !== fileToken) }),
  dismissSkipped: () => set({ skipped: [] }),
}));
