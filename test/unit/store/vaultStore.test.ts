import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlreadyExistsException, KMSInternalException, KMSInvalidStateException } from '../../../main/core/errors.js';
import { VaultStore } from '../../../main/store/vaultStore.js';
import { sealDocument } from '../../../main/crypto/documentMac.js';
import { DocumentSerializer } from '../../../main/store/documentSerializer.js';
import { VAULT_FILE_NAME } from '../../../main/store/vaultDocument.js';
import type { VaultDocument } from '../../../main/store/vaultDocument.js';
import { finished, spawnFixture } from '../../fixtures/store/childProcess.js';
import { sampleVault, sampleVersion } from '../../fixtures/store/sampleVault.js';
import { testMacKey, withTestIntegrity } from '../../support/storeIntegrity.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const parent = mkdtempSync(join(tmpdir(), 'kv-store-'));
  t.after(() => rmSync(parent, { recursive: true, force: true }));
  return join(parent, 'vault');
}

async function openWithVault(t: { after(fn: () => void): void }, doc: VaultDocument = sampleVault(2, 1)): Promise<VaultStore> {
  const store = withTestIntegrity(await VaultStore.open(tempDir(t)), doc.VaultId);
  t.after(() => store.close());
  await store.create(doc);
  return store;
}

/** The document on disk, without its MAC member. */
function onDisk(store: VaultStore): VaultDocument {
  const { DocumentMac: _mac, ...doc } = JSON.parse(readFileSync(store.file, 'utf8')) as VaultDocument & { DocumentMac?: string };
  return doc;
}

function firstKeyId(doc: VaultDocument): string {
  const id = Object.keys(doc.Keys)[0];
  assert.ok(id);
  return id;
}

test('open creates a missing vault directory readable only by its owner, without a document', async (t) => {
  const dir = join(tempDir(t), 'nested', 'vault');
  const store = await VaultStore.open(dir);
  assert.equal(store.dir, dir);
  assert.equal(store.file, join(dir, VAULT_FILE_NAME));
  assert.equal(statSync(dir).isDirectory(), true);
  if (process.platform !== 'win32') assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(store.exists(), false);
});

test('reading before a vault is created is KMSInvalidStateException', async (t) => {
  const store = await VaultStore.open(tempDir(t));
  assert.throws(() => store.read(), KMSInvalidStateException);
});

test('create writes the document durably and read returns it', async (t) => {
  const doc = sampleVault(3, 2);
  const store = await openWithVault(t, doc);
  assert.equal(store.exists(), true);
  assert.deepEqual(onDisk(store), doc);
  assert.deepEqual(store.read(), doc);
});

test('creating over an existing vault is AlreadyExistsException and keeps the original', async (t) => {
  const original = sampleVault(1, 1);
  const store = await openWithVault(t, original);
  await assert.rejects(store.create(sampleVault(1, 1)), AlreadyExistsException);
  assert.equal(onDisk(store).VaultId, original.VaultId);
});

test('create refuses an invalid document and writes nothing', async (t) => {
  const doc = sampleVault(1, 1);
  const store = withTestIntegrity(await VaultStore.open(tempDir(t)), doc.VaultId);
  doc.VaultId = 'nope';
  await assert.rejects(store.create(doc), KMSInternalException);
  assert.equal(store.exists(), false);
});

test('transact persists the change, bumps Revision and returns the result', async (t) => {
  const store = await openWithVault(t);
  const keyId = firstKeyId(store.read());
  const result = await store.transact((doc) => {
    doc.Keys[keyId]!.Description = 'changed';
    return 'done';
  });
  assert.equal(result, 'done');
  assert.equal(store.revision, 1);
  const disk = onDisk(store);
  assert.equal(disk.Revision, 1);
  assert.equal(disk.Keys[keyId]!.Description, 'changed');
});

test('a throwing transaction leaves disk and memory as they were', async (t) => {
  const store = await openWithVault(t);
  const before = structuredClone(store.read());
  const diskBefore = readFileSync(store.file, 'utf8');
  const keyId = firstKeyId(before);
  await assert.rejects(
    store.transact((doc) => {
      doc.Keys[keyId]!.Description = 'half-done';
      delete doc.Keys[keyId];
      throw new Error('boom');
    }),
    /boom/,
  );
  assert.equal(readFileSync(store.file, 'utf8'), diskBefore);
  assert.deepEqual(store.read(), before);
});

test('a transaction that would make the document invalid is refused and rolled back', async (t) => {
  const store = await openWithVault(t);
  const before = structuredClone(store.read());
  const keyId = firstKeyId(before);
  await assert.rejects(
    store.transact((doc) => {
      doc.Keys[keyId]!.PrimaryKeyVersionId = 'not-a-version';
    }),
    (err: unknown) => err instanceof KMSInternalException && err.message.includes('PrimaryKeyVersionId'),
  );
  assert.deepEqual(store.read(), before);
  assert.deepEqual(onDisk(store), before);
});

test('an asynchronous transaction callback is refused', async (t) => {
  const store = await openWithVault(t);
  const before = structuredClone(store.read());
  await assert.rejects(
    store.transact(async (doc) => {
      doc.Revision = 100;
    }),
    /must be synchronous/,
  );
  assert.deepEqual(store.read(), before);
});

test("another process's commit is seen by read()", async (t) => {
  const store = await openWithVault(t);
  const keyId = firstKeyId(store.read());
  assert.equal(store.read().Keys[keyId]!.Description.startsWith('test key'), true);
  const r = await finished(spawnFixture('storeWriter.ts', [store.dir, keyId, 'written by another process', store.read().VaultId]));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(store.read().Keys[keyId]!.Description, 'written by another process');
  assert.equal(store.revision, 1);
});

test('a commit by a second store on the same directory is seen by the first', async (t) => {
  const store = await openWithVault(t);
  const other = withTestIntegrity(await VaultStore.open(store.dir), store.read().VaultId);
  t.after(() => other.close());
  const keyId = firstKeyId(store.read());
  await other.transact((doc) => {
    doc.Keys[keyId]!.Description = 'from the other store';
  });
  assert.equal(store.read().Keys[keyId]!.Description, 'from the other store');
});

test('concurrent transactions in one process are serialized and none is lost', async (t) => {
  const store = await openWithVault(t);
  const keyId = firstKeyId(store.read());
  await Promise.all(
    Array.from({ length: 20 }, () =>
      store.transact((doc) => {
        const key = doc.Keys[keyId]!;
        const v = sampleVersion();
        key.Versions.push(v);
        key.PrimaryKeyVersionId = v.KeyVersionId;
      }),
    ),
  );
  assert.equal(store.revision, 20);
  assert.equal(onDisk(store).Keys[keyId]!.Versions.length, 21);
});

test('while a commit is being written, read() never shows what is not yet on disk', async (t) => {
  const store = await openWithVault(t, sampleVault(500, 2));
  const keyId = firstKeyId(store.read());
  let settled = false;
  const pending = store
    .transact((doc) => {
      doc.Keys[keyId]!.Description = 'not yet durable';
    })
    .finally(() => (settled = true));
  let readsDuringCommit = 0;
  while (!settled) {
    const seen = store.read().Keys[keyId]!.Description;
    if (seen === 'not yet durable') assert.equal(onDisk(store).Keys[keyId]!.Description, seen);
    readsDuringCommit++;
    await new Promise((r) => setImmediate(r));
  }
  await pending;
  assert.ok(readsDuringCommit > 1, 'the commit window was not exercised');
  assert.equal(store.read().Keys[keyId]!.Description, 'not yet durable');
});

test('a damaged vault file is reported as KMSInternalException by read()', async (t) => {
  const store = await openWithVault(t);
  writeFileSync(store.file, '{"FormatVersion":1,"Vault');
  assert.throws(() => store.read(), KMSInternalException);
});

test('replaceAll restores a document over a damaged one', async (t) => {
  const store = await openWithVault(t);
  writeFileSync(store.file, 'garbage');
  const backup = sampleVault(2, 2);
  withTestIntegrity(store, backup.VaultId);
  await store.replaceAll(backup);
  assert.deepEqual(store.read(), backup);
  assert.deepEqual(onDisk(store), backup);
});

test('replaceAll moves Revision past the document it replaces', async (t) => {
  const store = await openWithVault(t);
  for (let i = 0; i < 3; i++) await store.transact(() => undefined);
  const backup = sampleVault(1, 1);
  backup.Revision = 1;
  withTestIntegrity(store, backup.VaultId);
  await store.replaceAll(backup);
  assert.equal(store.revision, 4);
  assert.equal(store.read().VaultId, backup.VaultId);
});

test('replaceAll creates the document when none exists', async (t) => {
  const doc = sampleVault(1, 1);
  const store = withTestIntegrity(await VaultStore.open(tempDir(t)), doc.VaultId);
  t.after(() => store.close());
  await store.replaceAll(doc);
  assert.equal(existsSync(store.file), true);
  assert.equal(store.revision, 0);
});

test('read() costs about one stat when nothing changed', async (t) => {
  const store = await openWithVault(t, sampleVault(200, 3));
  const first = store.read();
  const rounds = 20_000;
  const time = (fn: () => void): number => {
    let min = Infinity;
    for (let r = 0; r < 3; r++) {
      const start = performance.now();
      for (let i = 0; i < rounds; i++) fn();
      min = Math.min(min, performance.now() - start);
    }
    return min;
  };
  const stat = time(() => statSync(store.file, { bigint: true }));
  const read = time(() => assert.equal(store.read(), first));
  // ~5 µs per read on a quiet machine (> 150,000 reads/s); the bound is relative to a bare stat.
  assert.ok(read < 3 * stat, `20,000 reads took ${read.toFixed(1)} ms, 20,000 stats ${stat.toFixed(1)} ms`);
});

test('every commit checks what it writes, in a vault of any size: a bad record, alias or file is refused and nothing is written', async (t) => {
  const store = await openWithVault(t, sampleVault(3000, 1));
  const id = firstKeyId(store.read());
  const bad: [string, (doc: VaultDocument) => void, RegExp][] = [
    ['a key', (doc) => void (doc.Keys[id]!.Description = 'x'.repeat(10_000)), /Keys\["[0-9a-f-]+"\]\.Description: is longer than/],
    [
      'an alias',
      (doc) =>
        void (doc.Aliases['alias/lost'] = { AliasName: 'alias/lost', TargetKeyId: '00000000-0000-4000-8000-000000000000', CreationDate: doc.CreationDate }),
      /Aliases\["alias\/lost"\]\.TargetKeyId/,
    ],
    [
      'a file',
      (doc) => void ((doc.Files ??= {})['/f'] = { Path: '/f', Size: -1, KeyId: id, KeyVersionId: id, HeaderDigest: 'QQ==', LastSeenDate: doc.CreationDate }),
      /Files\["\/f"\]\.Size/,
    ],
  ];
  for (const [what, edit, message] of bad) {
    await assert.rejects(store.transact(edit), (err: Error) => err instanceof KMSInternalException && message.test(err.message), what);
    assert.equal(onDisk(store).Revision, 0, `${what}: nothing written`);
    assert.equal(store.read().Revision, 0, `${what}: memory is what is on disk`);
    assert.deepEqual(
      readdirSync(store.dir).filter((f) => f.endsWith('.tmp')),
      [],
      `${what}: its temp file, written while it was checked, is gone`,
    );
  }
  // After a refused commit the store writes the next good one whole and right.
  await store.transact((doc) => {
    doc.Keys[id]!.Description = 'fine';
  });
  assert.equal(onDisk(store).Keys[id]!.Description, 'fine');
  assert.deepEqual(onDisk(store), store.read());
});

test('a file sealed in the line layout is taken record by record as written; one sealed in another layout is walked whole', async (t) => {
  const doc = sampleVault(3, 1);
  const id = firstKeyId(doc);
  doc.Keys[id]!.Description = 'x'.repeat(10_000); // a record no commit would have written
  const dir = tempDir(t);
  const seed = await VaultStore.open(dir);
  const macKey = testMacKey(doc.VaultId);
  const open = async (): Promise<VaultStore> => {
    const store = withTestIntegrity(await VaultStore.open(dir), doc.VaultId);
    t.after(() => store.close());
    return store;
  };
  writeFileSync(seed.file, sealDocument(new DocumentSerializer().serializeParts(doc), macKey));
  assert.equal((await open()).read().Keys[id]!.Description.length, 10_000, 'the MAC says Key Vault wrote these bytes: no walk');
  writeFileSync(seed.file, sealDocument([Buffer.from(JSON.stringify(doc))], macKey));
  await assert.rejects(async () => (await open()).read(), /Keys\["[0-9a-f-]+"\]\.Description: is longer than/);
  // The frame is checked either way.
  const framed = { ...doc, Revision: -1 };
  writeFileSync(seed.file, sealDocument(new DocumentSerializer().serializeParts(framed), macKey));
  await assert.rejects(async () => (await open()).read(), /Revision: expected a whole number/);
});
