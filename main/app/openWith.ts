/**
 * Files the operating system asks Key Vault to open: a double-click on an `.age` file or "Open
 * with" (electron-builder's fileAssociations). macOS says so with `open-file` (possibly before the
 * app is ready); Linux and Windows start the app with the paths in argv, or, when it already runs,
 * hand that argv to the running instance as `second-instance`. All of them land in one inbox; the
 * page takes them as file tokens (`takeOpenedFiles`), so it still never holds a path.
 */
import { isAbsolute, resolve } from 'node:path';
import type { FileHandle } from '../../preload/contract.js';
import { KmsError } from '../core/errors.js';
import type { FileTokenRegistry } from './fileTokens.js';

/** Bound on paths waiting for the page, so a flood of launches cannot grow main's memory. */
export const MAX_PENDING_OPENED_FILES = 256;

/**
 * The file paths in a launch's argv. The executable (and, unpackaged, the app's entry script) come
 * first and are skipped; so is every switch (`--foo`, `-psn_…` from old macOS Finders), which
 * also keeps Chromium's own switches out. Relative paths are taken from the launch's directory.
 */
export function filePathsFromArgv(argv: readonly string[], opts: { isPackaged: boolean; cwd: string }): string[] {
  const skip = opts.isPackaged ? 1 : 2;
  const out: string[] = [];
  let switchesEnded = false;
  for (const arg of argv.slice(skip)) {
    if (!switchesEnded && arg === '--') {
      switchesEnded = true;
      continue;
    }
    if (!switchesEnded && arg.startsWith('-')) continue;
    if (arg.length === 0 || arg.includes('\0')) continue;
    // A URL (a dev server, a deep link) is not a file to open.
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(arg)) continue;
    out.push(isAbsolute(arg) ? resolve(arg) : resolve(opts.cwd, arg));
  }
  return out;
}

export interface OpenedFileSkipped {
  Name: string;
  Reason: string;
}

/** Paths the OS asked us to open, waiting for the page to take them. */
export class OpenedFilesInbox {
  private pending: string[] = [];
  private readonly listeners = new Set<(count: number) => void>();

  /** Adds paths (duplicates of waiting ones are ignored) and tells the listeners. */
  add(paths: readonly string[]): void {
    let added = 0;
    for (const p of paths) {
      if (this.pending.includes(p)) continue;
      if (this.pending.length >= MAX_PENDING_OPENED_FILES) break;
      this.pending.push(p);
      added++;
    }
    if (added > 0) for (const l of this.listeners) l(this.pending.length);
  }

  /** Everything waiting; the inbox is empty afterwards. */
  take(): string[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  get size(): number {
    return this.pending.length;
  }

  /** Called with the number waiting whenever files arrive; returns an unsubscribe. */
  onArrive(listener: (count: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/**
 * Tokens for everything waiting in the inbox, issued to this window. One file that is gone, a
 * link or a folder is skipped with its reason; it never keeps the others from opening.
 */
export async function takeOpenedFiles(
  inbox: Pick<OpenedFilesInbox, 'take'>,
  tokens: Pick<FileTokenRegistry, 'issue'>,
  owner: string,
): Promise<{ Files: FileHandle[]; Skipped: OpenedFileSkipped[] }> {
  const Files: FileHandle[] = [];
  const Skipped: OpenedFileSkipped[] = [];
  for (const path of inbox.take()) {
    try {
      Files.push(...(await tokens.issue(owner, [path])));
    } catch (err) {
      if (!(err instanceof KmsError)) throw err;
      Skipped.push({ Name: path.split(/[\\/]/).pop() ?? path, Reason: err.message });
    }
  }
  return { Files, Skipped };
}
