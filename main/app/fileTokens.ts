/**
 * Opaque handles for files a person chose (native open dialog) or dropped (seen by the preload).
 * The renderer only ever holds these tokens; main keeps the path. A token is 256 random bits,
 * belongs to the window it was issued to, and expires, so a page can neither guess one, reuse one
 * from another window, nor keep one forever.
 */
import { randomBytes } from 'node:crypto';
import { lstat, readdir } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';
import type { FileHandle, FolderSummary } from '../../preload/contract.js';
import { NotFoundException, ValidationException } from '../core/errors.js';

export const DEFAULT_TOKEN_TTL_MS = 30 * 60 * 1000;
/** Bound on live tokens per window, so a flood of drops cannot grow main's memory without end. */
export const MAX_TOKENS_PER_OWNER = 4096;

/** Bounds on a folder expanded into files: how many files in all, how deep below the folder. */
export const MAX_FOLDER_FILES = 1000;
export const MAX_FOLDER_DEPTH = 16;

interface Entry {
  owner: string;
  path: string;
  expiresAt: number;
}

export interface FileTokenRegistryOptions {
  ttlMs?: number;
  now?: () => number;
}

export const UNKNOWN_TOKEN_MESSAGE = 'The app no longer knows this file (the handle is unknown or expired): choose or drop it again.';

export class FileTokenRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(opts: FileTokenRegistryOptions = {}) {
    this.ttlMs = opts.ttlMs ?? DEFAULT_TOKEN_TTL_MS;
    this.now = opts.now ?? Date.now;
  }

  /**
   * Issues a token for each path, after checking it names a regular file (not a directory, a
   * device or a symbolic link: a link could be re-pointed after the person chose it).
   */
  async issue(owner: string, paths: readonly string[]): Promise<FileHandle[]> {
    this.sweep();
    const live = [...this.entries.values()].filter((e) => e.owner === owner).length;
    if (live + paths.length > MAX_TOKENS_PER_OWNER) {
      throw new ValidationException(`Too many files at once (at most ${MAX_TOKENS_PER_OWNER}); finish or clear some jobs first.`);
    }
    const out: FileHandle[] = [];
    for (const given of paths) {
      if (!isAbsolute(given)) throw new ValidationException('A chosen file must have an absolute path.');
      const path = resolve(given);
      const info = await lstat(path).catch(() => null);
      if (!info) throw new NotFoundException(`${basename(path)} no longer exists.`);
      if (info.isSymbolicLink()) throw new ValidationException(`${basename(path)} is a link; choose the file it points to.`);
      if (!info.isFile()) throw new ValidationException(`${basename(path)} is not a regular file.`);
      const token = randomBytes(32).toString('base64url');
      this.entries.set(token, { owner, path, expiresAt: this.now() + this.ttlMs });
      out.push({ FileToken: token, Name: basename(path), Size: info.size });
    }
    return out;
  }

  /**
   * Like issue(), but a folder is expanded into the regular files below it, recursively, without
   * following links; links, devices, sockets and folders nested deeper than MAX_FOLDER_DEPTH are
   * skipped and counted. More than MAX_FOLDER_FILES files in all is refused, before any token.
   */
  async issueExpanding(owner: string, paths: readonly string[]): Promise<FileHandle[]> {
    const plain: string[] = [];
    const fromFolders: { path: string; folder: Omit<FolderSummary, 'FileCount' | 'Skipped'>; summary: { files: number; skipped: number } }[] = [];
    for (const given of paths) {
      if (!isAbsolute(given)) throw new ValidationException('A chosen file must have an absolute path.');
      const path = resolve(given);
      const info = await lstat(path).catch(() => null);
      if (!info?.isDirectory()) {
        plain.push(path); // issue() gives the precise refusal for anything that is not a file
        continue;
      }
      const summary = { files: 0, skipped: 0 };
      const found: string[] = [];
      await walkFolder(path, 0, found, summary, () => plain.length + fromFolders.length + found.length);
      for (const file of found) {
        fromFolders.push({
          path: file,
          folder: {
            Name: basename(path),
            RelativePath: file
              .slice(path.length + 1)
              .split('\\')
              .join('/'),
          },
          summary,
        });
      }
    }
    const issued = await this.issue(owner, [...plain, ...fromFolders.map((f) => f.path)]);
    return issued.map((handle, i) => {
      const f = i < plain.length ? undefined : fromFolders[i - plain.length];
      return f ? { ...handle, Folder: { ...f.folder, FileCount: f.summary.files, Skipped: f.summary.skipped } } : handle;
    });
  }

  /** The path behind a token issued to this owner; NotFoundException for anything else. */
  resolve(owner: string, token: string): string {
    const entry = this.entries.get(token);
    if (!entry || entry.owner !== owner) throw new NotFoundException(UNKNOWN_TOKEN_MESSAGE);
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(token);
      throw new NotFoundException(UNKNOWN_TOKEN_MESSAGE);
    }
    return entry.path;
  }

  /** Forget every token of a window (it closed or navigated). */
  revokeOwner(owner: string): void {
    for (const [token, entry] of this.entries) if (entry.owner === owner) this.entries.delete(token);
  }

  get size(): number {
    return this.entries.size;
  }

  private sweep(): void {
    const now = this.now();
    for (const [token, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(token);
  }
}

/** Collects the regular files below `dir` (sorted, depth-first), counting what it leaves out. */
async function walkFolder(dir: string, depth: number, out: string[], summary: { files: number; skipped: number }, total: () => number): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => null);
  if (!entries) {
    summary.skipped += 1; // unreadable folder
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (depth + 1 > MAX_FOLDER_DEPTH) summary.skipped += 1;
      else await walkFolder(path, depth + 1, out, summary, total);
    } else if (entry.isFile()) {
      if (total() + 1 > MAX_FOLDER_FILES) {
        throw new ValidationException(`Too many files: a folder is taken up to ${MAX_FOLDER_FILES} files at once; choose a smaller folder.`);
      }
      out.push(path);
      summary.files += 1;
    } else {
      summary.skipped += 1; // a link (never followed), a device, a socket, a FIFO
    }
  }
}
