/**
 * File jobs: one row per file, each run on its own so one failure never stops the others. Files
 * are known only by the tokens main handed out (its open dialog, or a drop the preload saw);
 * the renderer never holds or sends a path.
 *
 * The key is the one the person chose, and stays chosen: it is never switched behind their back
 * (a disabled key blocks the drop instead). The last key used is remembered as the next default.
 */
import { create } from 'zustand';
import type { FileHandle, FileJobResult, FileOperation, TokenFileJobRequest } from '../../preload/contract';
import { toShownError, vault, type ShownError } from '../bridge';
import { looksEncrypted } from '../fileWords';
import { useUiStore } from './uiStore';

export type FileJobStatus = 'running' | 'done' | 'failed' | 'cancelled' | 'held';

export interface FileJobOptions {
  operation: FileOperation;
  /** Encrypt: the key to use. */
  keyId?: string;
  overwrite: boolean;
  armor: boolean;
  /** Encrypt/Decrypt: main asks where to save each output. */
  saveAs: boolean;
}

export interface FileJob {
  jobId: string;
  fileName: string;
  fileToken: string;
  operation: FileOperation;
  options: FileJobOptions;
  status: FileJobStatus;
  /** Why a held job waits for the person. */
  held?: 'already-encrypted';
  bytesDone: number;
  bytesTotal: number;
  result?: FileJobResult;
  error?: ShownError;
}

const LAST_KEY_STORAGE = 'keyvault.files.lastKeyId';

function rememberedKey(): string {
  try {
    return localStorage.getItem(LAST_KEY_STORAGE) ?? '';
  } catch {
    return '';
  }
}

function rememberKey(keyId: string): void {
  try {
    localStorage.setItem(LAST_KEY_STORAGE, keyId);
  } catch {
    // Storage unavailable: the choice is still kept for this session.
  }
}

/** Folders picked or dropped as a whole: counted first, started only when the person says so. */
export interface PendingFolders {
  files: FileHandle[];
  folders: { name: string; files: number; skipped: number }[];
}

export function summariseFolders(files: readonly FileHandle[]): PendingFolders['folders'] {
  const byName = new Map<string, { name: string; files: number; skipped: number }>();
  for (const f of files) if (f.Folder) byName.set(f.Folder.Name, { name: f.Folder.Name, files: f.Folder.FileCount, skipped: f.Folder.Skipped });
  return [...byName.values()];
}

interface FilesState {
  jobs: FileJob[];
  pendingFolders: PendingFolders | null;
  operation: FileOperation;
  keyId: string;
  overwrite: boolean;
  armor: boolean;
  saveAs: boolean;
  /** Creation dates of key versions, by key then version (for "version of 30 Nov"). */
  versionDates: Record<string, Record<string, string>>;
  /** Switching operation clears the options that belonged to the previous one. */
  setOperation(operation: FileOperation): void;
  setOptions(options: Partial<Pick<FilesState, 'keyId' | 'overwrite' | 'armor' | 'saveAs'>>): void;
  /** Files from a drop or a dialog: folders are counted first (pendingFolders), files start. */
  start(files: FileHandle[]): void;
  /** Starts one job per file with the current options (an `.age` file in Encrypt mode waits). */
  startNow(files: FileHandle[]): void;
  /** Main's native open dialog, then one job per chosen file. */
  pick(): Promise<void>;
  /** Main's native folder dialog; the files found wait for startFolders(). */
  pickFolder(): Promise<void>;
  /** Starts (true) or drops (false) the files of the pending folders. */
  startFolders(go: boolean): void;
  /** The person's answer for a held `.age` file. */
  resolveHeld(jobId: string, choice: 'encrypt' | 'decrypt' | 'skip'): void;
  /** The output name was taken: replace it (main confirms) or keep both (main picks a free name). */
  resolveClash(jobId: string, choice: 'replace' | 'keepBoth'): void;
  /** Runs a failed job again with the same options (after its key was enabled, say). */
  retry(jobId: string): void;
  showInFolder(jobId: string): Promise<void>;
  cancel(jobId: string): Promise<void>;
  progress(jobId: string, bytesDone: number, bytesTotal: number): void;
  clearFinished(): void;
}

export const useFilesStore = create<FilesState>()((set, get) => {
  function patch(jobId: string, change: Partial<FileJob>): void {
    set({ jobs: get().jobs.map((j) => (j.jobId === jobId ? { ...j, ...change } : j)) });
  }

  async function learnVersions(keyRef: string, versionId: string): Promise<void> {
    const keyId = keyRef.slice(keyRef.lastIndexOf('/') + 1);
    if (get().versionDates[keyId]?.[versionId]) return;
    try {
      const { KeyVersions } = await vault().listKeyVersions({ KeyId: keyId });
      const dates = Object.fromEntries(KeyVersions.map((v) => [v.KeyVersionId, v.CreationDate]));
      set({ versionDates: { ...get().versionDates, [keyId]: dates } });
    } catch {
      // The sentence then names the key without the version's date.
    }
  }

  async function run(job: FileJob, extra: Pick<TokenFileJobRequest, 'Overwrite' | 'KeepBoth'> = {}): Promise<void> {
    const o = job.options;
    const writes = o.operation === 'Encrypt' || o.operation === 'Decrypt';
    try {
      const result = await vault().runFileJob({
        JobId: job.jobId,
        Operation: o.operation,
        FileToken: job.fileToken,
        ...(o.operation === 'Encrypt' && o.keyId ? { KeyId: o.keyId } : {}),
        ...(writes && (o.overwrite || extra.Overwrite) ? { Overwrite: true } : {}),
        ...(writes && extra.KeepBoth ? { KeepBoth: true } : {}),
        ...(o.operation === 'Encrypt' && o.armor ? { Armor: true } : {}),
        ...(writes && o.saveAs && !extra.KeepBoth ? { SaveAs: true } : {}),
      });
      const current = get().jobs.find((j) => j.jobId === job.jobId);
      patch(job.jobId, {
        status: 'done',
        result,
        bytesDone: Math.max(result.BytesProcessed, current?.bytesDone ?? 0),
        bytesTotal: Math.max(result.BytesProcessed, current?.bytesTotal ?? 0),
      });
      const keyId = result.KeyId ?? result.Inspection?.KeyId;
      const versionId = result.KeyVersionId ?? result.Inspection?.KeyVersionId;
      if (keyId && versionId) void learnVersions(keyId, versionId);
    } catch (err) {
      const error = toShownError(err);
      patch(job.jobId, { status: error.name === 'CancelledException' ? 'cancelled' : 'failed', error });
    }
  }

  /** Runs a job again under a fresh id (progress events and cancel follow the new one). */
  function rerun(jobId: string, change: Partial<FileJobOptions>, extra: Pick<TokenFileJobRequest, 'Overwrite' | 'KeepBoth'> = {}): void {
    const job = get().jobs.find((j) => j.jobId === jobId);
    if (!job) return;
    const options = { ...job.options, ...change };
    const next: FileJob = { ...job, jobId: crypto.randomUUID(), operation: options.operation, options, status: 'running', bytesDone: 0, bytesTotal: 0 };
    delete next.held;
    delete next.error;
    delete next.result;
    set({ jobs: get().jobs.map((j) => (j.jobId === jobId ? next : j)) });
    void run(next, extra);
  }

  return {
    jobs: [],
    pendingFolders: null,
    operation: 'Encrypt',
    keyId: rememberedKey(),
    overwrite: false,
    armor: false,
    saveAs: false,
    versionDates: {},
    setOperation: (operation) => {
      if (operation !== get().operation) set({ operation, overwrite: false, armor: false, saveAs: false });
    },
    setOptions: (options) => set(options),
    start: (files) => {
      // A folder is never started unseen: its count is shown first.
      if (files.some((f) => f.Folder)) {
        set({ pendingFolders: { files, folders: summariseFolders(files) } });
        return;
      }
      get().startNow(files);
    },
    startFolders: (go) => {
      const pending = get().pendingFolders;
      set({ pendingFolders: null });
      if (go && pending) get().startNow(pending.files);
    },
    pickFolder: async () => {
      try {
        const { Files } = await vault().pickFolder();
        if (Files.length > 0) get().start(Files);
      } catch (err) {
        useUiStore.getState().reportError('Choose a folder', err);
      }
    },
    startNow: (files) => {
      const { operation, keyId, overwrite, armor, saveAs } = get();
      const options: FileJobOptions = { operation, keyId, overwrite, armor, saveAs };
      if (operation === 'Encrypt' && keyId) rememberKey(keyId);
      const added: FileJob[] = files.map((f) => {
        const held = operation === 'Encrypt' && looksEncrypted(f.Name);
        return {
          jobId: crypto.randomUUID(),
          fileName: f.Folder ? `${f.Folder.Name}/${f.Folder.RelativePath}` : f.Name,
          fileToken: f.FileToken,
          operation,
          options,
          status: held ? 'held' : 'running',
          ...(held ? { held: 'already-encrypted' as const } : {}),
          bytesDone: 0,
          bytesTotal: 0,
        };
      });
      set({ jobs: [...added, ...get().jobs] });
      for (const job of added) if (job.status === 'running') void run(job);
    },
    pick: async () => {
      try {
        const { Files } = await vault().pickFiles();
        if (Files.length > 0) get().start(Files);
      } catch (err) {
        useUiStore.getState().reportError('Choose files', err);
      }
    },
    resolveHeld: (jobId, choice) => {
      if (choice === 'skip') {
        set({ jobs: get().jobs.filter((j) => j.jobId !== jobId) });
      } else if (choice === 'encrypt') {
        rerun(jobId, {});
      } else {
        rerun(jobId, { operation: 'Decrypt', armor: false, saveAs: false, overwrite: false });
      }
    },
    resolveClash: (jobId, choice) => {
      rerun(jobId, { overwrite: false, saveAs: false }, choice === 'replace' ? { Overwrite: true } : { KeepBoth: true });
    },
    retry: (jobId) => rerun(jobId, {}),
    showInFolder: async (jobId) => {
      try {
        await vault().showInFolder({ JobId: jobId });
      } catch (err) {
        useUiStore.getState().reportError('Show in folder', err);
      }
    },
    cancel: async (jobId) => {
      try {
        const res = await vault().cancelFileJob({ JobId: jobId });
        if (!res.Cancelled && get().jobs.find((j) => j.jobId === jobId)?.status === 'running') {
          patch(jobId, {
            error: { name: 'CancelledException', message: 'The job could not be cancelled (it may have just finished).', plain: 'Too late to cancel.' },
          });
        }
      } catch (err) {
        patch(jobId, { error: toShownError(err) });
      }
    },
    progress: (jobId, bytesDone, bytesTotal) => {
      const job = get().jobs.find((j) => j.jobId === jobId);
      if (!job || job.status !== 'running') return;
      patch(jobId, { bytesDone, bytesTotal });
    },
    clearFinished: () => set({ jobs: get().jobs.filter((j) => j.status === 'running' || j.status === 'held') }),
  };
});
