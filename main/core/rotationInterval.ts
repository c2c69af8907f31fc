import { DAY_MS } from './clock.js';
import { ValidationException } from './errors.js';

export const MIN_ROTATION_DAYS = 7;
export const MAX_ROTATION_DAYS = 2560;
export const DEFAULT_ROTATION_DAYS = 365;
export const DEFAULT_ROTATION_SECONDS = DEFAULT_ROTATION_DAYS * 86_400;

const UNIT_SECONDS: Record<string, number> = { d: 86_400, h: 3_600, m: 60, s: 1 };

/**
 * Reads a rotation interval without checking its range: a string `Nd`, `Nh`, `Nm` or `Ns` (the
 * Alibaba form) or a whole number of days (the AWS form). Undefined when unreadable. The
 * renderer's forms use this for display and early feedback.
 */
export function readRotationInterval(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isInteger(input) ? input * 86_400 : undefined;
  const text = input.trim();
  const m = /^([0-9]{1,12})([dhms])$/.exec(text);
  if (m) return Number(m[1]) * (UNIT_SECONDS[m[2]!] ?? 0);
  if (/^[0-9]{1,6}$/.test(text)) return Number(text) * 86_400;
  return undefined;
}

/** Parses a rotation interval (as readRotationInterval) and checks it lies within 7 to 2560 days. */
export function parseRotationInterval(input: string | number): number {
  if (typeof input === 'number' && !Number.isInteger(input)) {
    throw new ValidationException(`RotationPeriodInDays must be a whole number of days, got ${input}.`);
  }
  const seconds = readRotationInterval(input);
  if (seconds === undefined) {
    throw new ValidationException(`RotationInterval "${String(input)}" is not valid: use a number with a unit (d, h, m or s), such as 30d or 720h.`);
  }
  validateRotationSeconds(seconds);
  return seconds;
}

export function validateRotationSeconds(seconds: number): void {
  if (seconds < MIN_ROTATION_DAYS * 86_400 || seconds > MAX_ROTATION_DAYS * 86_400) {
    throw new ValidationException(`The rotation interval must be between ${MIN_ROTATION_DAYS} and ${MAX_ROTATION_DAYS} days; got ${formatDays(seconds)} days.`);
  }
}

function formatDays(seconds: number): string {
  const days = seconds / 86_400;
  return Number.isInteger(days) ? String(days) : days.toFixed(3);
}

/** The Alibaba wire form of an interval: seconds with an `s` suffix, e.g. "2592000s". */
export function formatRotationInterval(seconds: number): string {
  return `${seconds}s`;
}

export function intervalMs(seconds: number): number {
  return seconds * 1000;
}

export function intervalDays(seconds: number): number {
  return (seconds * 1000) / DAY_MS;
}
