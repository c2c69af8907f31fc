import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIsoDateTime } from '../../../main/store/isoDateTime.js';

// The rule as the regex alone states it (plus real days), the reference for the fast path.
const REFERENCE_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
function reference(s: string): boolean {
  if (!REFERENCE_RE.test(s)) return false;
  const date = new Date(`${s.slice(0, 10)}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === s.slice(0, 10);
}

test('the canonical form is judged as the regex judges it, for random near-canonical strings', () => {
  let seed = 7;
  const next = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const base = '2024-02-29T23:59:59.999Z';
  const alphabet = '0123456789-T:.Z+ x';
  for (let i = 0; i < 200_000; i++) {
    const chars = [...base];
    for (let n = 1 + Math.floor(next() * 3); n > 0; n--) chars[Math.floor(next() * chars.length)] = alphabet[Math.floor(next() * alphabet.length)]!;
    const s = chars.join('');
    assert.equal(isIsoDateTime(s), reference(s), s);
  }
});

test('valid and invalid examples', () => {
  for (const ok of ['2026-01-01T00:00:00.000Z', '2024-02-29T12:00:00.000Z', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00.123456789+02:00'])
    assert.ok(isIsoDateTime(ok), ok);
  for (const bad of [
    '2025-02-29T12:00:00.000Z',
    '2026-13-01T00:00:00.000Z',
    '2026-04-31T00:00:00.000Z',
    '2026-01-01T24:00:00.000Z',
    '2026-01-01T00:60:00.000Z',
    '2026-01-01 00:00:00.000Z',
    '२०२६-01-01T00:00:00.000Z',
  ])
    assert.ok(!isIsoDateTime(bad), bad);
});
