/** The audit log's keyed hash chain: edits, deletions, reorders and insertions are found; forks are not errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import type { AuditEntry } from '../../../main/core/api.js';
import { CHAIN_START, ChainMac, chainLine, entryOfLine, lastChainTag, verifyChain } from '../../../main/vault/auditChain.js';

const key = randomBytes(32);
const entry = (i: number): AuditEntry => ({ Time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), Operation: `Op${i}`, Outcome: 'Success' });

function chain(n: number, k = key): string[] {
  const lines: string[] = [];
  let prev = CHAIN_START;
  for (let i = 0; i < n; i++) {
    const c = chainLine(k, entry(i), prev);
    lines.push(c.line);
    prev = c.tag;
  }
  return lines;
}

const clean = { malformed: 0, altered: 0, unlinked: 0, unchained: 0, legacy: 0 };

test('an untouched chain verifies, and its lines read back as the entries written', () => {
  const lines = chain(10);
  assert.deepEqual(verifyChain(lines, key, true), clean);
  assert.deepEqual(entryOfLine(lines[3]!), entry(3));
  assert.equal(lastChainTag(lines), JSON.parse(lines[9]!).Mac);
});

test('an edited line is found (its MAC no longer matches)', () => {
  const lines = chain(10);
  lines[4] = lines[4]!.replace('"Op4"', '"Op9"');
  assert.equal(verifyChain(lines, key, true).altered, 1);
});

test('a deleted line is found (the next line points at nothing before it)', () => {
  const lines = chain(10);
  lines.splice(4, 1);
  assert.equal(verifyChain(lines, key, true).unlinked, 1);
});

test('two lines swapped are found', () => {
  const lines = chain(10);
  [lines[4], lines[5]] = [lines[5]!, lines[4]!];
  assert.ok(verifyChain(lines, key, true).unlinked >= 1);
});

test('an inserted line without a chain is found, and one chained under another key is an edit', () => {
  const lines = chain(10);
  lines.splice(5, 0, JSON.stringify(entry(99)));
  assert.equal(verifyChain(lines, key, true).unchained, 1);
  const forged = chainLine(randomBytes(32), entry(98), JSON.parse(lines[6]!).Mac as string).line;
  lines.splice(7, 0, forged);
  assert.equal(verifyChain(lines, key, true).altered, 1);
});

test('two processes chaining to the same line (a fork) is not an error', () => {
  const lines = chain(5);
  const head = lastChainTag(lines)!;
  const a = chainLine(key, entry(10), head);
  const b = chainLine(key, entry(11), head);
  const c = chainLine(key, entry(12), b.tag);
  assert.deepEqual(verifyChain([...lines, a.line, b.line, c.line], key, true), clean);
});

test('lines from before the chain are legacy (a warning), not tampering', () => {
  const lines = [JSON.stringify(entry(0)), JSON.stringify(entry(1)), ...chain(3)];
  assert.deepEqual(verifyChain(lines, key, true), { ...clean, legacy: 2 });
});

test('a tail window may start in the middle of the chain', () => {
  const lines = chain(20).slice(8);
  assert.deepEqual(verifyChain(lines, key, false), clean);
  assert.ok(verifyChain(lines, key, true).unlinked > 0, 'but not when it claims to be the whole file');
});

test('ChainMac gives the tags of HMAC-SHA256 truncated to 128 bits, for any key length and any text', () => {
  for (let i = 0; i < 400; i++) {
    const key = randomBytes(1 + ((i * 7) % 130)); // short keys, 64-byte blocks, and keys hashed first
    const mac = new ChainMac(key);
    for (const body of [`{"n":${i}}`, `{"d":"${'é'.repeat(i % 40)}${'x'.repeat(i * 5)}"}`, '{"t":"\u{1F511} key"}']) {
      const expected = createHmac('sha256', key).update(body).digest().subarray(0, 16).toString('base64url');
      assert.equal(mac.tag(body), expected, `key of ${key.length} bytes, body of ${body.length} chars`);
    }
  }
});
