/**
 * The Activity export: the filtered audit events as CSV or JSON, each row naming its key by alias
 * as well as by id. Pure text building; appOperations asks where to save and writes the file.
 */
import { basename, dirname } from 'node:path';
import type { AuditEntry } from '../core/api.js';
import type { ConfirmRequest } from './nativeDialogs.js';

export interface ExportedEvent {
  Time: string;
  Operation: string;
  Key: string;
  KeyId: string;
  KeyVersionId: string;
  Outcome: string;
  ErrorType: string;
  Detail: string;
}

const COLUMNS: (keyof ExportedEvent)[] = ['Time', 'Operation', 'Key', 'KeyId', 'KeyVersionId', 'Outcome', 'ErrorType', 'Detail'];

/** aliases: key id → alias names without `alias/`. */
export function exportedEvents(events: readonly AuditEntry[], aliases: ReadonlyMap<string, readonly string[]>): ExportedEvent[] {
  return events.map((e) => ({
    Time: e.Time,
    Operation: e.RotationType ? `${e.Operation} (${e.RotationType})` : e.Operation,
    Key: e.KeyId ? (aliases.get(e.KeyId) ?? []).join(' ') : '',
    KeyId: e.KeyId ?? '',
    KeyVersionId: e.KeyVersionId ?? '',
    Outcome: e.Outcome,
    ErrorType: e.ErrorType ?? '',
    Detail: e.Detail ?? '',
  }));
}

/**
 * One CSV cell (RFC 4180 quoting). A cell a spreadsheet would run as a formula (=, +, -, @, tab,
 * CR at the start: a file name can be anything) gets a leading apostrophe so it stays text.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function activityCsv(rows: readonly ExportedEvent[]): string {
  const lines = [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => csvCell(r[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

export function activityJson(rows: readonly ExportedEvent[]): string {
  return `${JSON.stringify(rows, null, 2)}\n`;
}

export function confirmReplaceExport(outPath: string): ConfirmRequest {
  return {
    title: 'Replace a file',
    message: `Replace ${basename(outPath)} in ${dirname(outPath)}?`,
    detail: 'It will be overwritten by the exported activity. Its current content cannot be brought back.',
    confirmLabel: 'Replace',
  };
}
