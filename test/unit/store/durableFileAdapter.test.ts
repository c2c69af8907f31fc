import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KMSInternalException } from '../../../main/core/errors.js';
import { parseVaultDocument } from '../../../main/store/documentSchema.js';
import { DurableFileAdapter, readJsonFileSync } from '../../../main/store/durableFileAdapter.js';
import type { VaultDocument } from '../../../main/store/vaultDocument.js';
import { sampleVault } from '../../fixtures/store/sampleVault.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kv-adapter-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function vaultAdapter(file: string): DurableFileAdapter<VaultDocument> {
  return new DurableFileAdapter<VaultDocument>(file, parseVaultDocument);
}

/** A pid that cannot belong to a running process (above Linux's pid_max). */
const DEAD_PID = 2 ** 30;

test('a written document reads back equal', async (t) => {
  const file = join(tempDir(t), 'vault.json');
  const doc = sampleVault(3, 2);
  const adapter = vaultAdapter(file);
  await adapter.write(doc);
  assert.deepEqual(await vaultAdapter(file).read(), doc);
  adapter.close();
});

test('reading a file that does not exist gives null', async (t) => {
  const adapter = vaultAdapter(join(tempDir(t), 'vault.json'));
  assert.equal(await adapter.read(), null);
  assert.equal(adapter.readSync(), null);
});

test('a write replaces the file whole and leaves no temp file behind', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'vault.json');
  const adapter = vaultAdapter(file);
  await adapter.write(sampleVault(50, 3));
  const second = sampleVault(2, 1);
  await adapter.write(second);
  assert.deepEqual(readdirSync(dir), ['vault.json']);
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), second);
  adapter.close();
});

test('the file is written as compact JSON readable only by its owner', async (t) => {
  const file = join(tempDir(t), 'vault.json');
  const adapter = vaultAdapter(file);
  const doc = sampleVault(1, 1);
  await adapter.write(doc);
  assert.equal(readFileSync(file, 'utf8'), JSON.stringify(doc));
  if (process.platform !== 'win32') {
    const { statSync } = await import('node:fs');
    assert.equal(statSync(file).mode & 0o777, 0o600);
  }
  adapter.close();
});

test("a crashed writer's leftover temp file is ignored on read", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'vault.json');
  const doc = sampleVault(1, 1);
  await vaultAdapter(file).write(doc);
  writeFileSync(join(dir, `.vault.json.${DEAD_PID}.abcdef.tmp`), '{"FormatVersion": 1, "half-writ');
  assert.deepEqual(await vaultAdapter(file).read(), doc);
});

test("a crashed writer's leftover temp file is removed by the next successful write", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'vault.json');
  writeFileSync(join(dir, `.vault.json.${DEAD_PID}.abcdef.tmp`), 'garbage');
  const adapter = vaultAdapter(file);
  await adapter.write(sampleVault(1, 1));
  assert.deepEqual(readdirSync(dir), ['vault.json']);
  adapter.close();
});

test('a temp file of a writer that is still running is left alone', async (t) => {
  const dir = tempDir(t);
  const live = `.vault.json.${process.ppid}.abcdef.tmp`;
  writeFileSync(join(dir, live), 'in progress');
  const adapter = vaultAdapter(join(dir, 'vault.json'));
  await adapter.write(sampleVault(1, 1));
  assert.deepEqual(readdirSync(dir).sort(), [live, 'vault.json'].sort());
  adapter.close();
});

test('a truncated file gives KMSInternalException naming the file', async (t) => {
  const file = join(tempDir(t), 'vault.json');
  const text = JSON.stringify(sampleVault(2, 2));
  writeFileSync(file, text.slice(0, text.length / 2));
  await assert.rejects(vaultAdapter(file).read(), (err: unknown) => {
    assert.ok(err instanceof KMSInternalException);
    assert.match(err.message, /vault\.json/);
    assert.match(err.message, /not valid JSON/);
    return true;
  });
});

test('an empty file gives KMSInternalException', async (t) => {
  const file = join(tempDir(t), 'vault.json');
  writeFileSync(file, '');
  assert.throws(
    () => vaultAdapter(file).readSync(),
    (err: unknown) => err instanceof KMSInternalException && /is empty/.test(err.message),
  );
});

test('binary garbage gives KMSInternalException', async (t) => {
  const file = join(tempDir(t), 'vault.json');
  writeFileSync(file, Buffer.from([0xff, 0x00, 0x13, 0x37, 0xc3]));
  await assert.rejects(vaultAdapter(file).read(), KMSInternalException);
});

test('a file violating the schema gives KMSInternalException naming the problem', async (t) => {
  const file = join(tempDir(t), 'vault.json');
  const doc = sampleVault(1, 1);
  const keyId = Object.keys(doc.Keys)[0]!;
  (doc.Keys[keyId] as unknown as Record<string, unknown>).KeyState = 'Exploded';
  writeFileSync(file, JSON.stringify(doc));
  await assert.rejects(vaultAdapter(file).read(), (err: unknown) => {
    assert.ok(err instanceof KMSInternalException);
    assert.ok(err.message.includes(file));
    assert.ok(err.message.includes(`Keys["${keyId}"].KeyState`), err.message);
    return true;
  });
});

test('isCurrent turns false when another writer replaces the file, even with identical size', async (t) => {
  const file = join(tempDir(t), 'vault.json');
  const doc = sampleVault(1, 1);
  const mine = vaultAdapter(file);
  await mine.write(doc);
  assert.equal(mine.isCurrent(), true);
  const other = vaultAdapter(file);
  doc.Revision = 1; // same length as 0
  await other.write(doc);
  assert.equal(mine.isCurrent(), false);
  mine.close();
  other.close();
});

test('readJsonFileSync returns the data with the signature of the content read', async (t) => {
  const file = join(tempDir(t), 'vault.json');
  const adapter = vaultAdapter(file);
  const doc = sampleVault(1, 1);
  await adapter.write(doc);
  const loaded = readJsonFileSync(file, parseVaultDocument);
  assert.deepEqual(loaded?.data, doc);
  assert.deepEqual(loaded?.signature, adapter.signature);
  adapter.close();
});
