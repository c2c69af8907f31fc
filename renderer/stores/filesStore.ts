/**
 * File jobs: one row per file, each run on its own so one failure never stops the others. Files
 * are known only by the tokens main handed out (its open dialog, or a drop the preload saw);
 * the renderer never holds or sends a path.
 */
import { create } from 'zustand';
import type { FileHandle, FileJobResult, FileOperation } from '../../preload/contract';
import { toShownError, vault, type ShownError } from '../bridge';
import { useUiStore } from './uiStore';

export type FileJobStatus = 'running' | 'done' | 'failed' | 'cancelled';

export interface FileJob {
  jobId: string;
  fileName: string;
  fileToken: string;
  operation: FileOperation;
  status: FileJobStatus;
  bytesDone: number;
  bytesTotal: number;
  result?: FileJobResult;
  error?: ShownError;
}

export interface FileJobOptions {
  operation: FileOperation;
  /** Encrypt: the key to use. */
  keyId?: string;
  overwrite: boolean;
  armor: boolean;
  /** Encrypt/Decrypt: main asks where to save each output. */
  saveAs: boolean;
}

interface FilesState {
  jobs: FileJob[];
  operation: FileOperation;
  keyId: string;
  overwrite: boolean;
  armor: boolean;
  saveAs: boolean;
  setOptions(options: Partial<Pick<FilesState, 'operation' | 'keyId' | 'overwrite' | 'armor' | 'saveAs'>>): void;
  /** Starts one job per file with the current options. */
  start(files: FileHandle[]): void;
  /** Main's native open dialog, then one job per chosen file. */
  pick(): Promise<void>;
  cancel(jobId: string): Promise<void>;
  progress(jobId: string, bytesDone: number, bytesTotal: number): void;
  clearFinished(): void;
}

export const useFilesStore = create<FilesState>()((set, get) => {
  function patch(jobId: string, change: Partial<FileJob>): void {
    set({ jobs: get().jobs.map((j) => (j.jobId === jobId ? { ...j, ...change } : j)) });
  }

  async function run(job: FileJob, options: FileJobOptions): Promise<void> {
    try {
      const result = await vault().runFileJob({
        JobId: job.jobId,
        Operation: options.operation,
        FileToken: job.fileToken,
        ...(options.operation === 'Encrypt' && options.keyId ? { KeyId: options.keyId } : {}),
        ...(options.overwrite ? { Overwrite: true } : {}),
        ...(options.operation === 'Encrypt' && options.armor ? { Armor: true } : {}),
        ...((options.operation === 'Encrypt' || options.operation === 'Decrypt') && options.saveAs ? { SaveAs: true } : {}),
      });
      const current = get().jobs.find((j) => j.jobId === job.jobId);
      patch(job.jobId, {
        status: 'done',
        result,
        bytesDone: Math.max(result.BytesProcessed, current?.bytesDone ?? 0),
        bytesTotal: Math.max(result.BytesProcessed, current?.bytesTotal ?? 0),
      });
    } catch (err) {
      const error = toShownError(err);
      patch(job.jobId, { status: error.name === 'CancelledException' ? 'cancelled' : 'failed', error });
    }
  }

  return {
    jobs: [],
    operation: 'Encrypt',
    keyId: '',
    overwrite: false,
    armor: false,
    saveAs: false,
    setOptions: (options) => set(options),
    start: (files) => {
      const { operation, keyId, overwrite, armor, saveAs } = get();
      const options: FileJobOptions = { operation, keyId, overwrite, armor, saveAs };
      const added: FileJob[] = files.map((f) => ({
        jobId: crypto.randomUUID(),
        fileName: f.Name,
        fileToken: f.FileToken,
        operation,
        status: 'running',
        bytesDone: 0,
        bytesTotal: 0,
      }));
      set({ jobs: [...added, ...get().jobs] });
      for (const job of added) void run(job, options);
    },
    pick: async () => {
      try {
        const { Files } = await vault().pickFiles();
        if (Files.length > 0) get().start(Files);
      } catch (err) {
        useUiStore.getState().reportError('Choose files', err);
      }
    },
    cancel: async (jobId) => {
      try {
        const res = await vault().cancelFileJob({ JobId: jobId });
        if (!res.Cancelled && get().jobs.find((j) => j.jobId === jobId)?.status === 'running') {
          patch(jobId, { error: { name: 'CancelledException', message: 'The job could not be cancelled (it may have just finished).', plain: 'Too late to cancel.' } });
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
    clearFinished: () => set({ jobs: get().jobs.filter((j) => j.status === 'running') }),
  };
});
