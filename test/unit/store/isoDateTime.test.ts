/** Stored date-times: the regex-free check of toISOString()'s form accepts exactly what the regex accepts of that form. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isCanonicalIsoDateTime, isIsoDateTime } from '../../../main/store/isoDateTime.js';

const REGEX = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

test('every toISOString() date is canonical and valid', () => {
  fc.assert(
    fc.property(fc.date({ min: new Date(Date.UTC(0, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true }), (d) => {
      const s = d.toISOString();
      assert.ok(isCanonicalIsoDateTime(s), s);
      assert.ok(isIsoDateTime(s), s);
    }),
    { numRuns: 2000 },
  );
});

test('a canonical date with any one character changed passes the fast check only if the regex matches it', () => {
  const chars = '0123456789-:.TZz+ /a\u0660';
  fc.assert(
    fc.property(fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(Date.UTC(9999, 0, 1)) }), fc.nat(23), fc.nat(chars.length - 1), (d, at, c) => {
      const s = d.toISOString();
      const edited = s.slice(0, at) + chars[c] + s.slice(at + 1);
      if (isCanonicalIsoDateTime(edited)) assert.ok(REGEX.test(edited), edited);
      else if (REGEX.test(edited) && edited.length === 24 && edited.endsWith('Z')) assert.fail(`${edited} matches the regex but not the fast check`);
    }),
    { numRuns: 5000 },
  );
});

test('other forms still go to the regex, and impossible days are refused', () => {
  for (const s of ['2026-01-31T10:00:00Z', '2026-01-31T10:00:00.123456789+02:00', '2026-01-31T23:59:59-05:30']) assert.ok(isIsoDateTime(s), s);
  for (const s of ['2026-02-29T00:00:00.000Z', '2026-04-31T00:00:00.000Z', '2026-13-01T00:00:00.000Z', '2026-01-01T24:00:00.000Z', '2026-01-01 00:00:00.000Z'])
    assert.equal(isIsoDateTime(s), false, s);
  assert.ok(isIsoDateTime('2024-02-29T00:00:00.000Z'));
});
