import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRotationInterval, formatRotationInterval } from '../../../main/core/rotationInterval.js';
import { ValidationException } from '../../../main/core/errors.js';

test('interval strings with d, h, m and s units convert to seconds', () => {
  assert.equal(parseRotationInterval('30d'), 30 * 86_400);
  assert.equal(parseRotationInterval('168h'), 7 * 86_400);
  assert.equal(parseRotationInterval('10080m'), 7 * 86_400);
  assert.equal(parseRotationInterval('2592000s'), 30 * 86_400);
});

test('a bare number or a number of days counts days (AWS RotationPeriodInDays)', () => {
  assert.equal(parseRotationInterval(90), 90 * 86_400);
  assert.equal(parseRotationInterval('90'), 90 * 86_400);
});

test('the bounds 7 and 2560 days are accepted', () => {
  assert.equal(parseRotationInterval('7d'), 7 * 86_400);
  assert.equal(parseRotationInterval(2560), 2560 * 86_400);
});

test('intervals outside 7 to 2560 days are a ValidationException', () => {
  for (const bad of ['6d', '167h', '2561d', 6, 2561, '0d', '604799s']) {
    assert.throws(() => parseRotationInterval(bad), ValidationException, String(bad));
  }
});

test('malformed intervals are a ValidationException', () => {
  for (const bad of ['', 'd', '30x', '-30d', '3.5d', 'thirty days', 30.5]) {
    assert.throws(() => parseRotationInterval(bad), ValidationException, String(bad));
  }
});

test('intervals are reported in seconds with an s suffix', () => {
  assert.equal(formatRotationInterval(2_592_000), '2592000s');
});
