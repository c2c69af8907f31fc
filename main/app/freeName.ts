/**
 * "Keep both" on a name clash: the first free name in the same folder, numbered before the
 * extensions, as file managers do: report.pdf → report (2).pdf, notes.txt.age → notes (2).txt.age.
 */
import { lstat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AlreadyExistsException } from '../core/errors.js';

/** Bound on the numbers tried, so a folder full of copies ends in a clear error, not a long loop. */
export const MAX_NUMBERED_COPIES = 999;

/** The name with " (n)" inserted before its extensions (a leading dot does not start one). */
export function numberedName(name: string, n: number): string {
  const dot = name.indexOf('.', 1);
  return dot === -1 ? `${name} (${n})` : `${name.slice(0, dot)} (${n})${name.slice(dot)}`;
}

export async function freePath(path: string, taken: (p: string) => Promise<boolean> = defaultTaken): Promise<string> {
  if (!(await taken(path))) return path;
  const dir = dirname(path);
  const name = basename(path);
  for (let n = 2; n <= MAX_NUMBERED_COPIES; n++) {
    const candidate = join(dir, numberedName(name, n));
    if (!(await taken(candidate))) return candidate;
  }
  throw new AlreadyExistsException(`There are already ${MAX_NUMBERED_COPIES} copies of ${name} in that folder; choose where to save instead.`);
}

async function defaultTaken(p: string): Promise<boolean> {
  return (await lstat(p).catch(() => null)) !== null;
}
