/**
 * The preload's own view of drops. It listens for `drop` on the window (capture phase, so before
 * the page's handlers), and only for a drop the browser itself produced (`isTrusted`: a page
 * script cannot forge one) it reads the files' paths (webUtils.getPathForFile) and registers them
 * with main, which answers with tokens. The page's drop handler then takes those tokens; it never
 * sees a path, and a drop it dispatched itself yields nothing.
 */
import type { FileHandle } from './contract.js';

export interface DropEventLike {
  readonly isTrusted: boolean;
  readonly dataTransfer: { readonly files: ArrayLike<File> } | null;
}

export interface DropCapture {
  onDrop(event: DropEventLike): void;
  /** Tokens of the latest trusted drop, once; empty when there is none. */
  take(): Promise<FileHandle[]>;
}

export function createDropCapture(getPath: (file: File) => string, register: (paths: string[]) => Promise<FileHandle[]>): DropCapture {
  let pending: Promise<FileHandle[]> | null = null;
  return {
    onDrop(event) {
      pending = null;
      if (!event.isTrusted || !event.dataTransfer) return;
      const paths: string[] = [];
      for (const file of Array.from(event.dataTransfer.files)) {
        let path = '';
        try {
          path = getPath(file);
        } catch {
          path = '';
        }
        // A File made in the page (not from disk) has no path: it is skipped, not guessed.
        if (path !== '') paths.push(path);
      }
      if (paths.length > 0) {
        const registering = register(paths);
        // Taken or not, a failed registration must not surface as an unhandled rejection.
        registering.catch(() => undefined);
        pending = registering;
      }
    },
    take() {
      const p = pending ?? Promise.resolve([]);
      pending = null;
      return p;
    },
  };
}
