/**
 * Retiring key versions and the file inventory (issue 12): the known-file counts of the open key's
 * versions, the version actions, "Bring N files up to date" with its progress (filesProgress
 * events) and cancellation, and the Files screen's inventory with its filters and folder scan.
 * Folders are asked for by main; the page sends ids only.
 */
import { create } from 'zustand';
import type { InventoryFileEntry } from '../../preload/contract';
import { vault } from '../bridge';
import { countByVersion, reEncryptResultText, scanResultText } from '../retireWords';
import { useKeyDetailStore } from './keyDetailStore';
import { useUiStore } from './uiStore';

export type VersionAction = 'disable' | 'enable' | 'schedule' | 'cancel';

export interface InventoryFilters {
  keyId?: string;
  staleOnly: boolean;
  missingOnly: boolean;
}

/** Rows asked for per page of the inventory. */
const PAGE = 200;
/** Rows read per call while counting a key's files (list-files allows up to 10,000). */
const COUNT_PAGE = 10_000;

interface Run {
  jobId: string;
  keyId: string;
  done: number;
  total: number;
  cancelling: boolean;
}

interface RetireState {
  /** Known files (not missing) per version id of `countsFor`. */
  countsFor: string | undefined;
  fileCounts: Record<string, number>;
  busy: string | undefined;
  run: Run | undefined;
  /** The last "Bring up to date" result, per key, in a sentence. */
  lastRun: { keyId: string; text: string } | undefined;
  loadCounts(keyId: string): Promise<void>;
  versionAction(keyId: string, versionId: string, action: VersionAction, days?: number, force?: boolean): Promise<void>;
  bringUpToDate(keyId: string, keyName: string): Promise<void>;
  cancelRun(): Promise<void>;
  progress(jobId: string, done: number, total: number): void;

  inventory: InventoryFileEntry[];
  inventoryLoaded: boolean;
  nextMarker: string | undefined;
  filters: InventoryFilters;
  scanText: string | undefined;
  loadInventory(filters?: InventoryFilters): Promise<void>;
  moreInventory(): Promise<void>;
  scanFolder(): Promise<void>;
}

const ACTION_WORDS: Record<VersionAction, string> = {
  disable: 'Disable version',
  enable: 'Enable version',
  schedule: 'Schedule destruction',
  cancel: 'Cancel destruction',
};

const isCancel = (err: unknown): boolean => (err as { __type?: unknown } | null)?.__type === 'CancelledException';

export const useRetireStore = create<RetireState>()((set, get) => ({
  countsFor: undefined,
  fileCounts: {},
  busy: undefined,
  run: undefined,
  lastRun: undefined,
  inventory: [],
  inventoryLoaded: false,
  nextMarker: undefined,
  filters: { staleOnly: false, missingOnly: false },
  scanText: undefined,

  loadCounts: async (keyId) => {
    if (get().countsFor !== keyId) set({ countsFor: keyId, fileCounts: {} });
    const files: InventoryFileEntry[] = [];
    let Marker: string | undefined;
    try {
      do {
        const page = await vault().listFiles({ KeyId: keyId, Limit: COUNT_PAGE, ...(Marker ? { Marker } : {}) });
        files.push(...page.Files);
        Marker = page.Truncated ? page.NextMarker : undefined;
      } while (Marker);
    } catch (err) {
      useUiStore.getState().reportError('Count the files on each version', err);
      return;
    }
    if (get().countsFor === keyId) set({ fileCounts: countByVersion(files) });
  },

  versionAction: async (keyId, versionId, action, days, force) => {
    if (get().busy) return;
    set({ busy: action });
    try {
      const ref = { KeyId: keyId, KeyVersionId: versionId };
      if (action === 'disable') await vault().disableKeyVersion(ref);
      else if (action === 'enable') await vault().enableKeyVersion(ref);
      else if (action === 'cancel') await vault().cancelKeyVersionDestruction(ref);
      // Main asks the person natively before anything is scheduled.
      else
        await vault().scheduleKeyVersionDestruction({
          ...ref,
          ...(days !== undefined ? { PendingWindowInDays: days } : {}),
          ...(force ? { Force: true } : {}),
        });
    } catch (err) {
      if (!isCancel(err)) useUiStore.getState().reportError(ACTION_WORDS[action], err);
    } finally {
      set({ busy: undefined });
    }
    await Promise.all([useKeyDetailStore.getState().refresh(), get().loadCounts(keyId)]);
  },

  bringUpToDate: async (keyId, keyName) => {
    if (get().run) return;
    const jobId = crypto.randomUUID();
    set({ run: { jobId, keyId, done: 0, total: 0, cancelling: false }, lastRun: undefined });
    try {
      const result = await vault().reEncryptFiles({ JobId: jobId, KeyId: keyId });
      set({ lastRun: { keyId, text: reEncryptResultText(result, keyName) } });
    } catch (err) {
      useUiStore.getState().reportError(`Bring the files of ${keyName} up to date`, err);
    } finally {
      set({ run: undefined });
    }
    await Promise.all([useKeyDetailStore.getState().refresh(), get().loadCounts(keyId)]);
  },

  cancelRun: async () => {
    const run = get().run;
    if (!run || run.cancelling) return;
    set({ run: { ...run, cancelling: true } });
    try {
      await vault().cancelFileJob({ JobId: run.jobId });
    } catch (err) {
      useUiStore.getState().reportError('Stop bringing files up to date', err);
    }
  },

  progress: (jobId, done, total) => {
    const run = get().run;
    if (run && run.jobId === jobId) set({ run: { ...run, done, total } });
  },

  loadInventory: async (filters) => {
    const f = filters ?? get().filters;
    set({ filters: f });
    try {
      const page = await vault().listFiles({ Limit: PAGE, ...(f.keyId ? { KeyId: f.keyId } : {}), ...(f.staleOnly ? { Stale: true } : {}) });
      if (get().filters !== f) return; // the filters changed meanwhile
      set({ inventory: page.Files, inventoryLoaded: true, nextMarker: page.Truncated ? page.NextMarker : undefined });
    } catch (err) {
      useUiStore.getState().reportError('Load the known files', err);
    }
  },

  moreInventory: async () => {
    const { filters: f, nextMarker } = get();
    if (!nextMarker) return;
    try {
      const page = await vault().listFiles({
        Limit: PAGE,
        Marker: nextMarker,
        ...(f.keyId ? { KeyId: f.keyId } : {}),
        ...(f.staleOnly ? { Stale: true } : {}),
      });
      if (get().filters !== f) return;
      set({ inventory: [...get().inventory, ...page.Files], nextMarker: page.Truncated ? page.NextMarker : undefined });
    } catch (err) {
      useUiStore.getState().reportError('Load more known files', err);
    }
  },

  scanFolder: async () => {
    if (get().busy) return;
    set({ busy: 'scan', scanText: undefined });
    try {
      const result = await vault().scanFiles();
      set({ scanText: scanResultText(result) });
    } catch (err) {
      if (!isCancel(err)) useUiStore.getState().reportError('Scan a folder', err);
    } finally {
      set({ busy: undefined });
    }
    await get().loadInventory();
  },
}));
