/**
 * The inventory of age files the vault has written, rewrapped, opened or found: which key version
 * each one depends on. Pure record shape, bounds and query rules; the file reading is in
 * files/inventory.ts and the store updates in vault/inventoryOps.ts.
 */
import { ValidationException } from './errors.js';

/** At most this many files are remembered; beyond it the least recently seen are forgotten. */
export const MAX_INVENTORY_FILES = 100_000;
export const MAX_INVENTORY_PATH_LENGTH = 4096;
export const DEFAULT_LIST_FILES_LIMIT = 1000;
export const MAX_LIST_FILES_LIMIT = 10_000;

export interface FileInventoryRecord {
  /** Absolute path, also the record's key in the document's map. */
  Path: string;
  Size: number;
  KeyId: string;
  KeyVersionId: string;
  /** base64 of the header MAC: the age HMAC over every header byte, so a digest of the header. */
  HeaderDigest: string;
  LastSeenDate: string;
  /** Set by a scan that found the same header at another path (the file moved). */
  Moved?: boolean;
}

/** What a file job or scan saw. */
export type FileSighting = Omit<FileInventoryRecord, 'LastSeenDate' | 'Moved'>;

export function checkListLimit(limit: unknown): number {
  if (limit === undefined) return DEFAULT_LIST_FILES_LIMIT;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_FILES_LIMIT) {
    throw new ValidationException(`Limit must be 1 to ${MAX_LIST_FILES_LIMIT}; got ${String(limit)}.`);
  }
  return limit;
}

/** Pages are in path order; the marker is the last path of the previous page (opaque to callers). */
export function encodeMarker(path: string): string {
  return Buffer.from(path, 'utf8').toString('base64url');
}

export function decodeMarker(marker: unknown): string | undefined {
  if (marker === undefined) return undefined;
  if (typeof marker !== 'string' || marker.length === 0 || marker.length > MAX_INVENTORY_PATH_LENGTH * 2 || !/^[A-Za-z0-9_-]+$/.test(marker)) {
    throw new ValidationException('Marker is not a marker returned by list-files.');
  }
  return Buffer.from(marker, 'base64url').toString('utf8');
}

/**
 * Adds or refreshes sightings in the map. When the map would pass the bound, the records seen
 * longest ago are dropped (an inventory is a memory of files, not a promise to keep every one).
 */
export function applySightings(
  files: Record<string, FileInventoryRecord>,
  sightings: readonly FileSighting[],
  nowIso: string,
): { added: number; updated: number } {
  let added = 0;
  let updated = 0;
  for (const s of sightings) {
    const old = files[s.Path];
    if (old) updated++;
    else added++;
    files[s.Path] = { ...s, LastSeenDate: nowIso };
  }
  // Only additions can pass the bound (and listing 10,000 paths is not free).
  const paths = added > 0 ? Object.keys(files) : [];
  if (paths.length > MAX_INVENTORY_FILES) {
    paths.sort((a, b) => files[a]!.LastSeenDate.localeCompare(files[b]!.LastSeenDate));
    for (const p of paths.slice(0, paths.length - MAX_INVENTORY_FILES)) delete files[p];
  }
  return { added, updated };
}
