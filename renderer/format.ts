/** Small display helpers: dates, day counts, rotation intervals, base64. */
import { readRotationInterval } from '../main/core/rotationInterval';

const DAY_MS = 86_400_000;

/** Seconds in an interval string (`90d`, `720h`, `7776000s`) or a number of days; undefined if unreadable. */
export function intervalSeconds(interval: string | number | undefined): number | undefined {
  return interval === undefined ? undefined : readRotationInterval(interval);
}

/** `7776000s` → `90 days`. */
export function describeInterval(interval: string | number | undefined): string {
  const seconds = intervalSeconds(interval);
  if (seconds === undefined) return interval === undefined ? '—' : String(interval);
  const days = seconds / 86_400;
  if (Number.isInteger(days)) return days === 1 ? '1 day' : `${days} days`;
  const hours = seconds / 3_600;
  if (Number.isInteger(hours)) return `${hours} hours`;
  return `${seconds} seconds`;
}

/** The interval as the short form the editor shows (`90d`). */
export function intervalInputValue(interval: string | number | undefined): string {
  const seconds = intervalSeconds(interval);
  if (seconds === undefined) return '365d';
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds % 3_600 === 0) return `${seconds / 3_600}h`;
  return `${seconds}s`;
}

export function daysUntil(iso: string | undefined, now: number = Date.now()): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return undefined;
  return Math.ceil((t - now) / DAY_MS);
}

export function nextRotationText(iso: string | undefined, now: number = Date.now()): string {
  const days = daysUntil(iso, now);
  if (days === undefined) return 'no rotation scheduled';
  if (days <= 0) return 'rotation due now';
  return days === 1 ? 'next rotation in 1 day' : `next rotation in ${days} days`;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDate(iso: string | undefined): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : dateFormat.format(t);
}

export function formatDateTime(iso: string | undefined): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : dateTimeFormat.format(t);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  return `${(n / (1024 * 1024 * 1024)).toFixed(2)} GB`;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

export function base64ToBytes(b64: string): Uint8Array {
  const binary = atob(b64);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function textToBase64(text: string): string {
  return bytesToBase64(new TextEncoder().encode(text));
}

export function base64ToText(b64: string): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(base64ToBytes(b64));
}

/** The alias without the `alias/` prefix, or the short key id. */
export function keyLabel(key: { KeyId: string; Aliases: string[] }): string {
  const alias = key.Aliases[0];
  return alias ? alias.replace(/^alias\//, '') : key.KeyId;
}
