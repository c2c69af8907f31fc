import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FileInventoryRecord } from '../../../main/core/fileInventory.js';
import type { KeyRecord } from '../../../main/core/keyModel.js';
import { DocumentSerializer } from '../../../main/store/documentSerializer.js';
import type { VaultDocument } from '../../../main/store/vaultDocument.js';

function key(id: string, description = ''): KeyRecord {
  return {
    KeyId: id,
    Description: description,
    KeyState: 'Enabled',
    Origin: 'VAULT',
    KeyManager: 'CUSTOMER',
    CreationDate: '2026-01-01T00:00:00.000Z',
    Rotation: { Enabled: false, IntervalSeconds: 31_536_000 },
    Versions: [],
  };
}

function doc(): VaultDocument {
  return {
    FormatVersion: 1,
    VaultId: 'v',
    CreationDate: '2026-01-01T00:00:00.000Z',
    Revision: 0,
    RootKeyCheck: 'x',
    Keys: { a: key('a'), b: key('b'), c: key('c') },
    Aliases: {},
    RecoveryRecipients: [],
    Secrets: [],
  };
}

const same = (s: DocumentSerializer, d: VaultDocument) => assert.deepEqual(JSON.parse(s.serialize(d).toString()), JSON.parse(JSON.stringify(d)));

test('the serialized document equals JSON.stringify of it', () => {
  const s = new DocumentSerializer();
  same(s, doc());
});

test('a key changed through the map inside a transaction is serialized afresh', () => {
  const s = new DocumentSerializer();
  const d = doc();
  s.serialize(d);
  s.observe(d, (x) => {
    x.Keys['b']!.Description = 'changed';
  });
  assert.equal(JSON.parse(s.serialize(d).toString()).Keys.b.Description, 'changed');
});

test('keys changed while enumerating the map are serialized afresh', () => {
  const s = new DocumentSerializer();
  const d = doc();
  s.serialize(d);
  s.observe(d, (x) => {
    for (const k of Object.values(x.Keys)) k.Description = `all ${k.KeyId}`;
  });
  same(s, d);
  assert.equal(JSON.parse(s.serialize(d).toString()).Keys.c.Description, 'all c');
});

test('added and deleted keys are reflected', () => {
  const s = new DocumentSerializer();
  const d = doc();
  s.serialize(d);
  s.observe(d, (x) => {
    x.Keys['d'] = key('d', 'new');
    delete x.Keys['a'];
  });
  const out = JSON.parse(s.serialize(d).toString());
  assert.deepEqual(Object.keys(out.Keys).sort(), ['b', 'c', 'd']);
  assert.equal(out.Keys.d.Description, 'new');
});

test('a record replaced by a new object is serialized afresh even without the proxy', () => {
  const s = new DocumentSerializer();
  const d = doc();
  s.serialize(d);
  d.Keys['a'] = key('a', 'replaced');
  assert.equal(JSON.parse(s.serialize(d).toString()).Keys.a.Description, 'replaced');
});

test('the map is the plain object again after a transaction, also when it throws', () => {
  const s = new DocumentSerializer();
  const d = doc();
  const plain = d.Keys;
  s.observe(d, () => undefined);
  assert.equal(d.Keys, plain);
  assert.throws(() =>
    s.observe(d, () => {
      throw new Error('boom');
    }),
  );
  assert.equal(d.Keys, plain);
});

test('fields outside Keys are always serialized fresh', () => {
  const s = new DocumentSerializer();
  const d = doc();
  s.serialize(d);
  d.RecoveryRecipients.push('age1xyz');
  d.Revision = 7;
  const out = JSON.parse(s.serialize(d).toString());
  assert.deepEqual(out.RecoveryRecipients, ['age1xyz']);
  assert.equal(out.Revision, 7);
});

function fileRecord(path: string, size = 10): FileInventoryRecord {
  return { Path: path, Size: size, KeyId: 'a', KeyVersionId: 'v1', HeaderDigest: 'd', LastSeenDate: '2026-01-01T00:00:00.000Z' };
}

test('the file inventory follows added, replaced and deleted records between commits', () => {
  const s = new DocumentSerializer();
  const d = doc();
  d.Files = { '/x': fileRecord('/x'), '/y': fileRecord('/y') };
  same(s, d);
  s.observe(d, (x) => {
    x.Files!['/x'] = fileRecord('/x', 99);
    x.Files!['/z'] = fileRecord('/z');
    delete x.Files!['/y'];
  });
  same(s, d);
  assert.deepEqual(Object.keys(JSON.parse(s.serialize(d).toString()).Files), ['/x', '/z']);
  assert.equal(JSON.parse(s.serialize(d).toString()).Files['/x'].Size, 99);
  delete d.Files;
  same(s, d);
  assert.equal('Files' in JSON.parse(s.serialize(d).toString()), false);
});

test('a cached file record cannot be edited in place, so its cached bytes cannot go stale', () => {
  const s = new DocumentSerializer();
  const d = doc();
  d.Files = { '/x': fileRecord('/x') };
  s.serialize(d);
  assert.throws(() => {
    d.Files!['/x']!.Size = 1;
  }, TypeError);
  assert.equal(JSON.parse(s.serialize(d).toString()).Files['/x'].Size, 10);
});

test('an unchanged inventory is reused whole, and a reordered one is not', () => {
  const s = new DocumentSerializer();
  const d = doc();
  const x = fileRecord('/x');
  d.Files = { '/x': x, '/y': fileRecord('/y') };
  const first = s.serialize(d).toString();
  d.Revision = 1;
  same(s, d);
  assert.equal(JSON.parse(s.serialize(d).toString()).Revision, 1);
  assert.notEqual(first, s.serialize(d).toString());
  s.observe(d, (doc) => {
    delete doc.Files!['/x'];
    doc.Files!['/x'] = x;
  });
  assert.deepEqual(Object.keys(JSON.parse(s.serialize(d).toString()).Files), ['/y', '/x']);
  s.observe(d, (doc) => delete doc.Files!['/y']);
  assert.deepEqual(Object.keys(JSON.parse(s.serialize(d).toString()).Files), ['/x']);
});

test('a transaction that only reads the inventory keeps its section and its count', () => {
  const s = new DocumentSerializer();
  const d = doc();
  d.Files = { '/x': fileRecord('/x'), '/y': fileRecord('/y'), '/z': fileRecord('/z') };
  s.serialize(d);
  const files = d.Files;
  s.observe(d, (x) => {
    assert.equal(Object.keys(x.Files!).length, 3);
    x.Revision = 2;
  });
  assert.equal(d.Files, files, 'the plain map is back after the transaction');
  assert.equal(s.countFilesAtMost(d.Files, 10), 3);
  assert.equal(s.countFilesAtMost(d.Files, 1), 2);
  same(s, d);
});

test('an inventory changed in a transaction, or replaced by a new map, is serialized afresh', () => {
  const s = new DocumentSerializer();
  const d = doc();
  d.Files = { '/x': fileRecord('/x') };
  s.serialize(d);
  s.observe(d, (x) => Object.assign(x.Files!, { '/y': fileRecord('/y', 5) }));
  assert.equal(s.countFilesAtMost(d.Files, 10), 2);
  same(s, d);
  d.Files = { '/w': fileRecord('/w') };
  assert.equal(s.countFilesAtMost(d.Files, 10), 1);
  same(s, d);
  s.observe(d, (x) => {
    x.Files = { '/v': fileRecord('/v') };
  });
  assert.deepEqual(Object.keys(JSON.parse(s.serialize(d).toString()).Files), ['/v']);
});

test('records replaced in a transaction are re-encoded in their places; an add or delete rebuilds', () => {
  const s = new DocumentSerializer();
  const d = doc();
  d.Files = { '/a': fileRecord('/a'), '/b': fileRecord('/b'), '/c': fileRecord('/c') };
  s.serialize(d);
  s.observe(d, (x) => {
    x.Files!['/b'] = fileRecord('/b', 7);
    x.Files!['/c'] = x.Files!['/c']!; // the same record stored again
  });
  same(s, d);
  assert.deepEqual(Object.keys(JSON.parse(s.serialize(d).toString()).Files), ['/a', '/b', '/c']);
  assert.equal(JSON.parse(s.serialize(d).toString()).Files['/b'].Size, 7);
  assert.throws(() => {
    d.Files!['/b']!.Size = 1;
  }, TypeError);
  // Same encoded length (written over the old bytes), then two in a row of the same and another length.
  s.observe(d, (x) => {
    x.Files!['/c'] = fileRecord('/c', 11);
  });
  same(s, d);
  s.observe(d, (x) => {
    x.Files!['/a'] = fileRecord('/a', 12);
    x.Files!['/c'] = fileRecord('/c', 123);
  });
  same(s, d);
  s.observe(d, (x) => {
    x.Files!['/c'] = fileRecord('/c', 321);
    x.Files!['/b'] = fileRecord('/b', 8);
  });
  same(s, d);
  s.observe(d, (x) => {
    x.Files!['/a'] = fileRecord('/a', 3);
    delete x.Files!['/a'];
    x.Files!['/a'] = fileRecord('/a', 4);
  });
  same(s, d);
  assert.deepEqual(Object.keys(JSON.parse(s.serialize(d).toString()).Files), ['/b', '/c', '/a']);
  assert.equal(s.countFilesAtMost(d.Files, 10), 3);
});

test('random replacements, additions and deletions in transactions always serialize as JSON.stringify does', () => {
  const s = new DocumentSerializer();
  const d = doc();
  d.Files = {};
  for (let i = 0; i < 20; i++) d.Files[`/f${i}`] = fileRecord(`/f${i}`, i);
  s.serialize(d);
  let seed = 7;
  const next = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
  for (let round = 0; round < 300; round++) {
    s.observe(d, (x) => {
      for (let k = 0, n = 1 + next(3); k < n; k++) {
        const path = `/f${next(25)}`;
        const op = next(10);
        if (op === 0) delete x.Files![path];
        else x.Files![path] = fileRecord(path, next(op < 8 ? 100 : 100_000));
      }
    });
    const out = JSON.parse(s.serialize(d).toString());
    assert.deepEqual(out.Files, JSON.parse(JSON.stringify(d.Files)), `round ${round}`);
    assert.deepEqual(Object.keys(out.Files), Object.keys(d.Files), `round ${round}: order`);
    assert.equal(s.countFilesAtMost(d.Files, 100), Object.keys(d.Files).length);
  }
});
