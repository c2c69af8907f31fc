/**
 * ISO-8601 date-times as the vault document stores them: any offset form is accepted, and the
 * day must exist in its month.
 */
const ISO_DATE_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

const digit = (s: string, i: number): number => s.charCodeAt(i) - 48;

/** For a string matching ISO_DATE_RE: is the day within its month (no 31 April, 29 February only in leap years)? */
function dayExists(s: string): boolean {
  const year = digit(s, 0) * 1000 + digit(s, 1) * 100 + digit(s, 2) * 10 + digit(s, 3);
  const month = digit(s, 5) * 10 + digit(s, 6);
  const day = digit(s, 8) * 10 + digit(s, 9);
  if (day <= 28) return true;
  if (month === 2) return day === 29 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31);
}

/** A two-digit field at `i` within `max`, e.g. a month (1-12) or a minute (0-59). */
function twoDigits(s: string, i: number, min: number, max: number): boolean {
  const a = digit(s, i);
  const b = digit(s, i + 1);
  if (a < 0 || a > 9 || b < 0 || b > 9) return false;
  const v = a * 10 + b;
  return v >= min && v <= max;
}

/**
 * The form toISOString() writes (`YYYY-MM-DDTHH:MM:SS.sssZ`, every date Key Vault stores), checked
 * without the regex: a 10,000-key vault has ~60,000 dates to check at every load. Whatever passes
 * here also matches ISO_DATE_RE; other forms go to the regex.
 */
const PLAIN_DIGITS = [0, 1, 2, 3, 20, 21, 22];

export function isCanonicalIsoDateTime(s: string): boolean {
  if (s.length !== 24 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84) return false;
  if (s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 46 || s.charCodeAt(23) !== 90) return false;
  for (const i of PLAIN_DIGITS) if (!(digit(s, i) >= 0 && digit(s, i) <= 9)) return false;
  return twoDigits(s, 5, 1, 12) && twoDigits(s, 8, 1, 31) && twoDigits(s, 11, 0, 23) && twoDigits(s, 14, 0, 59) && twoDigits(s, 17, 0, 59);
}

export function isIsoDateTime(s: string): boolean {
  return (isCanonicalIsoDateTime(s) || ISO_DATE_RE.test(s)) && dayExists(s);
}
