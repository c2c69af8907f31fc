/**
 * Limit/Marker pagination over a full list, the KMS way: a page answers `Truncated` and, when more
 * follows, an opaque `NextMarker`. The marker names the sort key of the last item returned (not an
 * offset), so a page boundary stays right when items are added or removed between calls.
 *
 * Pure: the callers (API and CLI) apply it to the complete, sorted lists the vault service returns.
 */
import { InvalidMarkerException, ValidationException } from './errors.js';

export interface PageRequest {
  Limit?: number;
  Marker?: string;
}

export interface Page<T> {
  items: T[];
  Truncated: boolean;
  NextMarker?: string;
}

export interface PageRules {
  /** Used when no Limit is given; undefined means "everything" (the CLI's default). */
  defaultLimit?: number;
  maxLimit: number;
}

const MARKER_PREFIX = 'kv1:';
const MAX_MARKER_LENGTH = 1024;

export function encodeMarker(sortKey: string): string {
  return Buffer.from(MARKER_PREFIX + sortKey, 'utf8').toString('base64url');
}

/** The sort key a marker carries; InvalidMarkerException for anything this module did not make. */
export function decodeMarker(marker: unknown): string {
  if (typeof marker !== 'string' || marker.length === 0 || marker.length > MAX_MARKER_LENGTH || !/^[A-Za-z0-9_-]+$/.test(marker)) {
    throw new InvalidMarkerException('The marker is not one this endpoint returned.');
  }
  const text = Buffer.from(marker, 'base64url').toString('utf8');
  if (!text.startsWith(MARKER_PREFIX) || encodeMarker(text.slice(MARKER_PREFIX.length)) !== marker) {
    throw new InvalidMarkerException('The marker is not one this endpoint returned.');
  }
  return text.slice(MARKER_PREFIX.length);
}

/** Checks Limit against the operation's range (ValidationException, with the range, otherwise). */
export function checkLimit(limit: unknown, rules: PageRules): number | undefined {
  if (limit === undefined || limit === null) return rules.defaultLimit;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > rules.maxLimit) {
    throw new ValidationException(`Limit must be a whole number from 1 to ${rules.maxLimit}; got ${String(limit)}.`);
  }
  return limit;
}

/**
 * One page of `items`, which must be in ascending order of `sortKey` (unique keys). Items after the
 * marker's key are returned, at most Limit of them.
 */
export function paginate<T>(items: readonly T[], sortKey: (item: T) => string, req: PageRequest, rules: PageRules): Page<T> {
  const limit = checkLimit(req.Limit, rules);
  let start = 0;
  if (req.Marker !== undefined && req.Marker !== null) {
    const after = decodeMarker(req.Marker);
    start = items.findIndex((item) => sortKey(item) > after);
    if (start < 0) start = items.length;
  }
  const end = limit === undefined ? items.length : Math.min(items.length, start + limit);
  const page = items.slice(start, end);
  if (end >= items.length) return { items: page, Truncated: false };
  return { items: page, Truncated: true, NextMarker: encodeMarker(sortKey(items[end - 1]!)) };
}

/** Sorts a copy of `items` by `sortKey` (code-unit order, the order `paginate` resumes in). */
export function sortedBy<T>(items: readonly T[], sortKey: (item: T) => string): T[] {
  return [...items].sort((a, b) => {
    const ka = sortKey(a);
    const kb = sortKey(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}
