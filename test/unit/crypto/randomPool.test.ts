/** The random pool hands out each byte once, across refills, and keeps no copy of what it handed out. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBuffer, randomInto } from '../../../main/crypto/randomPool.js';

test('draws of every size, across refills, are distinct and fill exactly their range', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 3000; i++) {
    const n = 1 + (i % 97);
    const out = Buffer.alloc(n + 8, 0xaa);
    randomInto(out, 4, n);
    assert.deepEqual([...out.subarray(0, 4), ...out.subarray(4 + n)], Array(8).fill(0xaa), 'nothing outside the range is touched');
    if (n >= 12) {
      const hex = out.subarray(4, 4 + n).toString('hex');
      assert.ok(!seen.has(hex), 'no draw repeats');
      seen.add(hex);
    }
  }
  const big = randomBuffer(10_000); // larger than the pool
  assert.equal(big.length, 10_000);
  assert.ok(new Set(big).size > 200, 'a long draw looks random');
});
