/**
 * The words of retiring key versions (issue 12): version states, file counts, the results of
 * "Bring up to date" and of a folder scan. Pure, so unit tests read them.
 */
import type { AppReEncryptFilesResponse, AppScanFilesResponse, InventoryFileEntry, KeyVersionEntry } from '../preload/contract';
import { versionDateText } from './fileWords';

export type VersionState = KeyVersionEntry['KeyVersionState'];

const plural = (n: number, word: string, many = `${word}s`): string => `${n.toLocaleString('en-GB')} ${n === 1 ? word : many}`;

export const filesText = (n: number): string => plural(n, 'file');

/** What a version's state means for the person, with its date where it has one. */
export function versionStateText(v: Pick<KeyVersionEntry, 'KeyVersionState' | 'DestructionDate' | 'DestroyedDate'>, now: Date = new Date()): string {
  switch (v.KeyVersionState) {
    case 'Enabled':
      return 'In use';
    case 'Disabled':
      return 'Disabled: cannot open files';
    case 'PendingDestruction':
      return v.DestructionDate ? `Destroyed on ${versionDateText(v.DestructionDate, now)} unless cancelled` : 'Destruction scheduled';
    case 'Destroyed':
      return v.DestroyedDate ? `Destroyed on ${versionDateText(v.DestroyedDate, now)}` : 'Destroyed';
  }
}

/** The label of the "Bring N files up to date" button. */
export function bringUpToDateText(stale: number): string {
  return stale === 0 ? 'All known files are up to date' : `Bring ${filesText(stale)} up to date`;
}

/** Files on older versions than the primary one, from the per-version counts. */
export function staleCount(versions: readonly Pick<KeyVersionEntry, 'KeyVersionId' | 'IsPrimary'>[], counts: Readonly<Record<string, number>>): number {
  return versions.filter((v) => !v.IsPrimary).reduce((n, v) => n + (counts[v.KeyVersionId] ?? 0), 0);
}

/** Known files per version, leaving out the ones no longer where the vault saw them. */
export function countByVersion(files: readonly Pick<InventoryFileEntry, 'KeyVersionId' | 'Status'>[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of files) if (f.Status !== 'Missing') counts[f.KeyVersionId] = (counts[f.KeyVersionId] ?? 0) + 1;
  return counts;
}

/** One sentence for a finished (or cancelled) "Bring up to date". */
export function reEncryptResultText(r: AppReEncryptFilesResponse, keyName: string): string {
  const parts: string[] = [];
  if (r.ReEncrypted > 0) parts.push(`${filesText(r.ReEncrypted)} now on the current version of ${keyName}`);
  if (r.AlreadyCurrent > 0) parts.push(`${plural(r.AlreadyCurrent, 'was', 'were')} already up to date`);
  if (r.Missing > 0) parts.push(`${plural(r.Missing, 'file was', 'files were')} not found where they used to be`);
  if (r.Failed.length > 0) parts.push(`${plural(r.Failed.length, 'file')} could not be rewrapped`);
  const where = r.FolderName ? ` in ${r.FolderName}` : '';
  const head = r.Cancelled ? `Stopped${where}: ` : parts.length === 0 ? `Nothing to do${where}: ` : `Done${where}: `;
  const body = parts.length === 0 ? (r.Cancelled ? 'no file was changed' : 'no known file is on an older version') : parts.join(', ');
  const tail = r.Cancelled ? '. The other files are as they were; run it again to carry on.' : '.';
  return `${head}${body}${tail}`;
}

/** One sentence for a folder scan (Scanned counts the age files found, this vault's or not). */
export function scanResultText(r: AppScanFilesResponse): string {
  if (r.Scanned === 0) return `Scanned ${r.FolderName}: it holds no encrypted (age) files.`;
  if (r.Found === 0) {
    const what = r.Scanned === 1 ? 'its one encrypted file is not' : `none of its ${plural(r.Scanned, 'encrypted file')} is`;
    return `Scanned ${r.FolderName}: ${what} from this vault.`;
  }
  const news = [r.Added > 0 ? `${r.Added.toLocaleString('en-GB')} new` : '', r.Updated > 0 ? `${r.Updated.toLocaleString('en-GB')} updated` : '']
    .filter(Boolean)
    .join(', ');
  const of =
    r.Found === r.Scanned
      ? r.Found === 1
        ? 'its encrypted file is'
        : `all ${plural(r.Found, 'encrypted file')} are`
      : `${r.Found.toLocaleString('en-GB')} of ${plural(r.Scanned, 'encrypted file')} ${r.Found === 1 ? 'is' : 'are'}`;
  return `Scanned ${r.FolderName}: ${of} from this vault${news ? ` (${news})` : ' (all already known)'}.`;
}

/** An inventory row's status in words. */
export function inventoryStatusText(s: InventoryFileEntry['Status']): string {
  return s === 'Present' ? 'Present' : s === 'Missing' ? 'Missing (moved or deleted)' : 'Changed since last seen';
}
