/**
 * `--limit` / `--marker` for the CLI's list commands: the same pagination as the API (markers from
 * one work with the other), applied to the full list the service returns. Without `--limit` the
 * whole list is printed, with `"Truncated": false`.
 */
import { paginate, sortedBy, type PageRules } from '../core/pagination.js';
import type { FlagSpec, ParsedFlags } from './commandSpec.js';

export function pagingFlags(maxLimit: number): FlagSpec[] {
  return [
    { name: 'limit', kind: 'integer', value: 'N', help: `At most N entries, 1 to ${maxLimit} (default: all).` },
    { name: 'marker', kind: 'text', value: 'MARKER', help: 'Start after the previous page: the NextMarker it printed.' },
  ];
}

/** One page of `items` (sorted by `sortKey`) under `field`, with Truncated and NextMarker. */
export function pagedList<T>(field: string, items: readonly T[], sortKey: (item: T) => string, flags: ParsedFlags, maxLimit: number): Record<string, unknown> {
  const rules: PageRules = { maxLimit };
  const page = paginate(sortedBy(items, sortKey), sortKey, { Limit: flags.integer('limit'), Marker: flags.text('marker') }, rules);
  return { [field]: page.items, Truncated: page.Truncated, ...(page.NextMarker !== undefined ? { NextMarker: page.NextMarker } : {}) };
}
