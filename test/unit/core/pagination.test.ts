/** Limit/Marker pagination: pages cover the list once, markers survive edits, bad input is typed. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeMarker, encodeMarker, paginate } from '../../../main/core/pagination.js';

const id = (s: string) => s;
const rules = { maxLimit: 1000 };

test('walking the pages with any limit yields every item once, in order', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 40 }), fc.integer({ min: 1, max: 12 }), (raw, limit) => {
      const items = [...raw].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const seen: string[] = [];
      let marker: string | undefined;
      for (;;) {
        const page = paginate(items, id, { Limit: limit, Marker: marker }, rules);
        assert.ok(page.items.length <= limit);
        seen.push(...page.items);
        if (!page.Truncated) break;
        marker = page.NextMarker;
      }
      assert.deepEqual(seen, items);
    }),
  );
});

test('a marker resumes after its item even when items before it were removed or added', () => {
  const first = paginate(['a', 'b', 'c', 'd'], id, { Limit: 2 }, rules);
  assert.deepEqual(first.items, ['a', 'b']);
  const next = paginate(['aa', 'c', 'd'], id, { Limit: 2, Marker: first.NextMarker }, rules);
  assert.deepEqual(next.items, ['c', 'd']);
  assert.equal(next.Truncated, false);
});

test('without a limit and without a default the whole list is one page', () => {
  assert.deepEqual(paginate(['x', 'y'], id, {}, rules), { items: ['x', 'y'], Truncated: false });
});

test('markers not made by encodeMarker are InvalidMarkerException', () => {
  for (const bad of ['', 'not base64!', Buffer.from('other:thing').toString('base64url'), 'a'.repeat(2000), `${encodeMarker('k')}=`]) {
    assert.throws(() => decodeMarker(bad), { name: 'InvalidMarkerException' }, bad);
  }
  assert.equal(decodeMarker(encodeMarker('key/ü')), 'key/ü');
});

test('a limit outside 1..max or not a whole number is ValidationException', () => {
  for (const Limit of [0, -1, 1.5, 1001]) assert.throws(() => paginate([], id, { Limit }, rules), { name: 'ValidationException' });
});
