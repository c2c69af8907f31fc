/**
 * The building blocks of the vault document's validation (documentSchema.ts): where the walk is,
 * how a problem is reported, and the checks of single fields (types, UUIDs, ISO-8601 dates,
 * base64), written as plain loops where they run once per record of a 15 MB document.
 */
/** One problem in a document: where it is and what is wrong. */
export class DocumentProblem extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = 'DocumentProblem';
  }
}

const ISO_DATE_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

// Character tables for the hot checks (plain loops are 2-3x faster than the equivalent regexes).
const BASE64_CHARS = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') BASE64_CHARS[c.charCodeAt(0)] = 1;
const LOWER_HEX_CHARS = new Uint8Array(128);
for (const c of '0123456789abcdef') LOWER_HEX_CHARS[c.charCodeAt(0)] = 1;
const EQUALS = 61;
const HYPHEN = 45;

/** Standard, padded, non-empty base64. */
export function isBase64(s: string): boolean {
  const n = s.length;
  if (n === 0 || n % 4 !== 0) return false;
  let end = n;
  if (s.charCodeAt(n - 1) === EQUALS) {
    end--;
    if (s.charCodeAt(n - 2) === EQUALS) end--;
  }
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c > 127 || BASE64_CHARS[c] === 0) return false;
  }
  return true;
}

/** A lowercase UUID (8-4-4-4-12 hex digits), the form crypto.randomUUID produces. */
export function isLowerUuid(s: string): boolean {
  if (s.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== HYPHEN) return false;
    } else if (c > 127 || LOWER_HEX_CHARS[c] === 0) return false;
  }
  return true;
}

const digit = (s: string, i: number): number => s.charCodeAt(i) - 48;

/** For a string matching ISO_DATE_RE: is the day within its month (no 31 April, 29 February only in leap years)? */
export function dayExists(s: string): boolean {
  const year = digit(s, 0) * 1000 + digit(s, 1) * 100 + digit(s, 2) * 10 + digit(s, 3);
  const month = digit(s, 5) * 10 + digit(s, 6);
  const day = digit(s, 8) * 10 + digit(s, 9);
  if (day <= 28) return true;
  if (month === 2) return day === 29 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31);
}

export function isIsoDateTime(s: string): boolean {
  return ISO_DATE_RE.test(s) && dayExists(s);
}

export type Json = Record<string, unknown>;

/**
 * Where the walk is, kept as a stack of segments and only turned into text when a problem is
 * found (building a path string for each of 50,000 versions would cost more than the checks).
 */
type Segment = string | number | { key: string };
export const trail: Segment[] = [];

export function renderPath(last?: string): string {
  let out = '';
  for (const seg of last === undefined ? trail : [...trail, last]) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string') out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg.key)}]`;
  }
  return out === '' ? '(document)' : out;
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/** Reports a problem at the current place (or at its field `name`). */
export function fail(name: string | undefined, problem: string): never {
  const path = renderPath(name);
  trail.length = 0;
  throw new DocumentProblem(path, problem);
}

export function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks that the value at the current place is an object carrying only the allowed fields. */
export function object(value: unknown, allowed: ReadonlySet<string>): Json {
  if (!isPlainObject(value)) fail(undefined, `expected an object, got ${describe(value)}`);
  for (const name in value) {
    if (!allowed.has(name)) fail(name, 'is not a known field');
  }
  return value;
}

export function record(obj: Json, name: string): Json {
  const v = obj[name];
  if (!isPlainObject(v)) fail(name, `expected an object map, got ${describe(v)}`);
  return v;
}

export function array(obj: Json, name: string): unknown[] {
  const v = obj[name];
  if (!Array.isArray(v)) fail(name, `expected an array, got ${describe(v)}`);
  return v;
}

export function string(obj: Json, name: string): string {
  const v = obj[name];
  if (typeof v !== 'string') fail(name, `expected a string, got ${describe(v)}`);
  return v;
}

export function uuid(obj: Json, name: string): string {
  const v = string(obj, name);
  if (!isLowerUuid(v)) fail(name, `expected a lowercase UUID, got ${describe(v)}`);
  return v;
}

export function isoDate(obj: Json, name: string): void {
  const v = string(obj, name);
  if (!isIsoDateTime(v)) fail(name, `expected an ISO-8601 date-time, got ${describe(v)}`);
}

export function optionalIsoDate(obj: Json, name: string): void {
  if (obj[name] !== undefined) isoDate(obj, name);
}

export function base64(obj: Json, name: string): void {
  if (!isBase64(string(obj, name))) fail(name, 'expected non-empty standard base64');
}

export function oneOf(obj: Json, name: string, allowed: ReadonlySet<string>): string {
  const v = string(obj, name);
  if (!allowed.has(v)) fail(name, `expected one of ${[...allowed].join(', ')}, got ${describe(v)}`);
  return v;
}

export function integer(obj: Json, name: string, min: number): number {
  const v = obj[name];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) fail(name, `expected a whole number ≥ ${min}, got ${describe(v)}`);
  return v;
}

export function boolean(obj: Json, name: string): void {
  if (typeof obj[name] !== 'boolean') fail(name, `expected true or false, got ${describe(obj[name])}`);
}
