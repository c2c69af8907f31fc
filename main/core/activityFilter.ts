/**
 * Which audit events a person sees by default: the ones that changed something. Reads (opening a
 * screen calls DescribeKey, ListKeys, ...) are logged too but hidden unless asked for, so the
 * Activity screen and its export are not flooded by them. Pure: the renderer and main share it.
 */
import type { AuditEntry } from './api.js';

/** Operations that only look: named Describe…, List…, Get…, or a file Inspect. */
export function isReadOperation(operation: string): boolean {
  return /^(Describe|List|Get)[A-Z]/.test(operation) || operation === 'InspectFile';
}

export interface ActivityFilter {
  KeyId?: string;
  Outcome?: 'Success' | 'Failure';
  IncludeReads?: boolean;
}

export function filterActivity(events: readonly AuditEntry[], filter: ActivityFilter): AuditEntry[] {
  return events.filter(
    (e) =>
      (filter.IncludeReads === true || !isReadOperation(e.Operation)) &&
      (!filter.KeyId || e.KeyId === filter.KeyId) &&
      (!filter.Outcome || e.Outcome === filter.Outcome),
  );
}
