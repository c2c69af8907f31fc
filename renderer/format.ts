/** Small display helpers: dates, day counts, rotation intervals, base64. */
import { readRotationInterval } from '../main/core/rotationInterval.js';

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

// ---- people's words for keys ----

/** Keys the person made (the vault's own default key is not "theirs"). */
export function yourKeys<K extends { KeyManager: string }>(keys: readonly K[]): K[] {
  return keys.filter((k) => k.KeyManager !== 'VAULT');
}

const shortDate = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const shortDateYear = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/** `12 Jan`, with the year only when it is not the current one. */
export function dayMonth(iso: string | undefined, now: number = Date.now()): string | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return undefined;
  return new Date(t).getUTCFullYear() === new Date(now).getUTCFullYear() ? shortDate.format(t) : shortDateYear.format(t);
}

/** "Rotates every 30 days · next on 12 Jan", or why it does not rotate. */
export function rotationWords(
  key: { AutomaticRotation: string; RotationInterval?: string | number | undefined; NextRotationDate?: string | undefined; KeyState: string },
  now: number = Date.now(),
): string {
  if (key.AutomaticRotation === 'Suspended') {
    return key.KeyState === 'PendingDeletion' ? 'Rotation paused: deletion is scheduled' : 'Rotation paused while the key is disabled';
  }
  if (key.AutomaticRotation !== 'Enabled') return 'Does not rotate automatically';
  const every = `Rotates every ${describeInterval(key.RotationInterval)}`;
  const days = daysUntil(key.NextRotationDate, now);
  if (days === undefined) return every;
  if (days <= 0) return `${every} · due now`;
  return `${every} · next on ${dayMonth(key.NextRotationDate, now) ?? '?'}`;
}

const UUID_PATTERN = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

export interface KeyFix {
  label: 'Enable' | 'Cancel deletion' | 'Import material';
  keyId: string;
}

/**
 * A service message with every key id replaced by the key's name, and the action that fixes the
 * error when there is one ("tax-returns is disabled — Enable").
 */
export function explainKeyError(
  error: { name: string; message: string },
  keys: readonly { KeyId: string; Aliases: string[]; KeyState: string }[],
): { message: string; key?: string; fix?: KeyFix } {
  let named: { KeyId: string; Aliases: string[]; KeyState: string } | undefined;
  const message = error.message.replace(UUID_PATTERN, (id) => {
    const key = keys.find((k) => k.KeyId.toLowerCase() === id.toLowerCase());
    if (!key) return id;
    named ??= key;
    return key.Aliases[0] ? `“${keyLabel(key)}”` : id;
  });
  if (!named) return { message };
  const key = keyLabel(named);
  const fix: KeyFix['label'] | undefined =
    named.KeyState === 'Disabled'
      ? 'Enable'
      : named.KeyState === 'PendingDeletion'
        ? 'Cancel deletion'
        : named.KeyState === 'PendingImport'
          ? 'Import material'
          : undefined;
  if (fix) return { message, key, fix: { label: fix, keyId: named.KeyId } };
  return { message, key };
}
