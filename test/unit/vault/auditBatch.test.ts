/**
 * Sealed batches (format 2): several deferred entries written as plain lines and one seal. Edits,
 * deletions, reorders and insertions inside or around a batch are found; batches mix with the
 * chained single lines of format 1 (logs written before still verify); a batch torn by a crash is
 * cut whole at the next open.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEntry } from '../../../main/core/api.js';
import { CHAIN_START, ChainMac, chainLine, lastChainTag, sealBatch, verifyChain } from '../../../main/vault/auditChain.js';
import { AuditLog } from '../../../main/vault/auditLog.js';

const key = randomBytes(32);
const clean = { malformed: 0, altered: 0, unlinked: 0, unchained: 0, legacy: 0 };
const entry = (i: number): AuditEntry => ({ Time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), Operation: `Op${i}`, Outcome: 'Success' });

/** A batch of entries `from`..`from + n - 1` sealed to `prev`: its lines (the seal last) and the seal's tag. */
function batch(from: number, n: number, prev: string, k = key): { lines: string[]; tag: string } {
  const lines = Array.from({ length: n }, (_, i) => JSON.stringify(entry(from + i)));
  const seal = sealBatch(new ChainMac(k), Buffer.from(lines.map((l) => `${l}\n`).join('')), n, prev);
  return { lines: [...lines, seal.line], tag: seal.tag };
}

/** One chained line, three batches and one more chained line: 13 lines. */
function mixedLog(): string[] {
  const first = chainLine(key, entry(0), CHAIN_START);
  const a = batch(1, 3, first.tag);
  const b = batch(4, 2, a.tag);
  const c = batch(6, 4, b.tag);
  const last = chainLine(key, entry(10), c.tag);
  return [first.line, ...a.lines, ...b.lines, ...c.lines, last.line];
}

function withTempDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'kv-auditbatch-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('sealed batches and chained lines verify together, and the seal is the newest tag', () => {
  const lines = mixedLog();
  assert.deepEqual(verifyChain(lines, key, true), clean);
  assert.equal(lastChainTag(lines.slice(0, 5)), JSON.parse(lines[4]!).Mac);
});

test('an edited line inside a batch breaks its seal', () => {
  const lines = mixedLog();
  lines[5] = lines[5]!.replace('"Success"', '"Failure"');
  assert.ok(verifyChain(lines, key, true).altered > 0);
});

test('a line deleted from a batch, or a whole batch deleted, is found', () => {
  const one = mixedLog();
  one.splice(5, 1);
  const r = verifyChain(one, key, true);
  assert.ok(r.altered + r.unlinked > 0, JSON.stringify(r));
  const whole = mixedLog();
  whole.splice(5, 3); // batch b: two lines and its seal
  assert.ok(verifyChain(whole, key, true).unlinked > 0);
  const seal = mixedLog();
  seal.splice(4, 1); // batch a's seal: its lines are left uncovered
  const s = verifyChain(seal, key, true);
  assert.ok(s.unchained === 3 && s.unlinked > 0, JSON.stringify(s));
});

test('lines swapped inside a batch, or across a seal, are found', () => {
  const inside = mixedLog();
  [inside[1], inside[2]] = [inside[2]!, inside[1]!];
  assert.ok(verifyChain(inside, key, true).altered > 0);
  const across = mixedLog();
  [across[3], across[4]] = [across[4]!, across[3]!];
  const r = verifyChain(across, key, true);
  assert.ok(r.altered + r.unlinked + r.unchained > 0, JSON.stringify(r));
});

test('an entry inserted before a batch, inside it, or at the end of the log is found', () => {
  for (const at of [1, 2, 4, 13]) {
    const lines = mixedLog();
    lines.splice(at, 0, JSON.stringify(entry(99)));
    const r = verifyChain(lines, key, true);
    assert.ok(r.altered + r.unchained > 0, `inserted at ${at}: ${JSON.stringify(r)}`);
  }
});

test('a seal made under another key, or with a changed count, is an edit', () => {
  const forged = mixedLog();
  const other = batch(1, 3, JSON.parse(forged[0]!).Mac as string, randomBytes(32));
  forged.splice(1, 4, ...other.lines);
  assert.ok(verifyChain(forged, key, true).altered > 0);
  const recount = mixedLog();
  recount[4] = recount[4]!.replace('"Sealed":3', '"Sealed":2');
  assert.ok(verifyChain(recount, key, true).altered > 0);
});

test('two processes sealing to the same line (a fork) is not an error', () => {
  const first = chainLine(key, entry(0), CHAIN_START);
  const a = batch(1, 2, first.tag);
  const b = batch(3, 2, first.tag);
  const c = chainLine(key, entry(5), b.tag);
  assert.deepEqual(verifyChain([first.line, ...a.lines, ...b.lines, c.line], key, true), clean);
});

test('a tail window starting inside a batch is not an error, but a whole file must be whole', () => {
  const lines = mixedLog().slice(2);
  assert.deepEqual(verifyChain(lines, key, false), clean);
  assert.ok(verifyChain(lines, key, true).altered > 0);
});

test('AuditLog writes deferred entries as one sealed batch and single entries as chained lines', () => {
  withTempDir((dir) => {
    const file = join(dir, 'audit.log');
    const log = new AuditLog(file, key);
    log.append(entry(0));
    for (let i = 1; i <= 4; i++) log.appendCryptoSuccess(entry(i).Time, 'Encrypt', randomUUID(), randomUUID());
    log.append({ ...entry(5), Operation: 'Encrypt', Detail: 'non-ASCII text: é \u{1F511}' }, true);
    log.flush();
    log.append(entry(6), true);
    log.close();
    const lines = readFileSync(file, 'utf8').split('\n').slice(0, -1);
    assert.equal(lines.length, 1 + 5 + 1 + 1);
    assert.equal(JSON.parse(lines[6]!).Sealed, 5);
    assert.deepEqual(verifyChain(lines, key, true), clean);
    const reader = new AuditLog(file, key);
    assert.deepEqual(
      reader.read({}).map((e) => e.Operation),
      ['Op6', 'Encrypt', 'Encrypt', 'Encrypt', 'Encrypt', 'Encrypt', 'Op0'],
    );
    reader.close();
  });
});

test('a batch torn by a crash is cut whole at the next open, and the repair is chained', () => {
  withTempDir((dir) => {
    const file = join(dir, 'audit.log');
    const log = new AuditLog(file, key);
    log.append(entry(0));
    log.close();
    const kept = readFileSync(file, 'utf8');
    const torn = batch(1, 3, lastChainTag([kept.trimEnd()])!);
    appendFileSync(file, `${torn.lines.slice(0, 3).join('\n')}\n{"Sealed":3,"Pre`);
    const reopened = new AuditLog(file, key);
    reopened.open();
    reopened.flush();
    reopened.close();
    const lines = readFileSync(file, 'utf8').split('\n').slice(0, -1);
    assert.equal(lines[0], kept.trimEnd());
    assert.equal(lines.length, 2);
    assert.match(lines[1]!, /RepairAuditLog/);
    assert.deepEqual(verifyChain(lines, key, true), clean);
  });
});

test('a torn line after whole format-1 lines cuts only the torn line', () => {
  withTempDir((dir) => {
    const file = join(dir, 'audit.log');
    const first = chainLine(key, entry(0), CHAIN_START);
    const second = chainLine(key, entry(1), first.tag);
    writeFileSync(file, `${first.line}\n${second.line}\n{"Time":"2026`);
    const log = new AuditLog(file, key);
    log.open();
    log.close();
    const lines = readFileSync(file, 'utf8').split('\n').slice(0, -1);
    assert.deepEqual(lines.slice(0, 2), [first.line, second.line]);
    assert.deepEqual(verifyChain(lines, key, true), clean);
  });
});

test('a batch tag hashed in place equals HMAC-SHA256 of its bytes and tail, truncated to 128 bits', () => {
  for (let i = 0; i < 50; i++) {
    const k = randomBytes(1 + ((i * 11) % 130));
    const body = Buffer.from(`${'x'.repeat(i * 97)}é\n`);
    const tail = `{"Sealed":${i},"Prev":"-"}`;
    const expected = createHmac('sha256', k).update(body).update(tail).digest().subarray(0, 16).toString('base64url');
    assert.equal(new ChainMac(k).tagBytes(body, tail), expected);
    assert.equal(new ChainMac(k).tag(`${body.toString('utf8')}${tail}`), expected, 'the string form verifies the same batch');
  }
});

test('a tail window over full-size batches is clean wherever it starts', () => {
  const first = chainLine(key, entry(0), CHAIN_START);
  let lines = [first.line];
  let prev = first.tag;
  for (let b = 0; b < 6; b++) {
    const next = batch(1 + b * 128, 128, prev);
    lines = [...lines, ...next.lines];
    prev = next.tag;
  }
  for (const start of [1, 2, 60, 100, 129, 130, 200, 258]) {
    assert.deepEqual(verifyChain(lines.slice(start), key, false), clean, `window from line ${start}`);
  }
});

test('the open-time tail check of a log with a thousand batched lines is clean', () => {
  withTempDir((dir) => {
    const file = join(dir, 'audit.log');
    const log = new AuditLog(file, key);
    log.append(entry(0));
    for (let i = 0; i < 1000; i++) log.append({ ...entry(i), Operation: 'Rotation', KeyId: randomUUID(), KeyVersionId: randomUUID() }, true);
    log.close();
    const reopened = new AuditLog(file, key);
    assert.deepEqual(reopened.checkTail(), clean);
    reopened.close();
  });
});
