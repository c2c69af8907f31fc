import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { KeyRecord } from '../../../main/core/keyModel.js';
import { DocumentSerializer } from '../../../main/store/documentSerializer.js';
import { LoadedKeyEntries } from '../../../main/store/loadedKeyEntries.js';
import type { VaultDocument } from '../../../main/store/vaultDocument.js';

// Deterministic pseudo-random numbers, so a failure can be replayed.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PIECES = ['a', 'Z', ' ', '"', '\\', '\n', '\t', '\u0001', 'é', '€', '😀', '\u2028', '/', '<', '}', ',"', ':{', '\ud800'];

function text(r: () => number, max: number): string {
  let s = '';
  const n = Math.floor(r() * max);
  for (let i = 0; i < n; i++) s += r() < 0.6 ? 'k' : PIECES[Math.floor(r() * PIECES.length)]!;
  return s;
}

function key(r: () => number, id: string = randomUUID()): KeyRecord {
  const k: KeyRecord = {
    KeyId: id,
    Description: text(r, r() < 0.5 ? 3 : 30),
    KeyState: 'Enabled',
    Origin: 'VAULT',
    KeyManager: 'CUSTOMER',
    CreationDate: '2026-01-01T00:00:00.000Z',
    Rotation: { Enabled: r() < 0.5, IntervalSeconds: 1 + Math.floor(r() * 1e9) },
    Versions: [],
  };
  for (let v = 0; v < 1 + Math.floor(r() * 3); v++) {
    k.Versions.push({ KeyVersionId: randomUUID(), CreationDate: '2026-01-02T00:00:00.000Z', RotationType: 'INITIAL', SealedMaterial: 'QUJD' });
  }
  k.PrimaryKeyVersionId = k.Versions[0]!.KeyVersionId;
  if (r() < 0.3) k.Tags = [{ TagKey: text(r, 8) || 't', TagValue: text(r, 8) }];
  return k;
}

function vault(r: () => number, n: number): VaultDocument {
  const d: VaultDocument = {
    FormatVersion: 1,
    VaultId: randomUUID(),
    CreationDate: '2026-01-01T00:00:00.000Z',
    Revision: 3,
    RootKeyCheck: 'x',
    Aliases: {},
    RecoveryRecipients: [],
    Secrets: [],
    Keys: {},
  };
  for (let i = 0; i < n; i++) {
    const k = key(r);
    d.Keys[k.KeyId] = k;
  }
  return d;
}

/** The file the serializer writes for `d` (before the MAC member). */
function written(d: VaultDocument): Buffer {
  return new DocumentSerializer().serialize(d);
}

/** Loads `file` as the store does after its MAC verified, and seeds a serializer with it. */
function load(file: Buffer): { doc: VaultDocument; serializer: DocumentSerializer } {
  const doc = JSON.parse(file.toString('utf8')) as VaultDocument;
  const serializer = new DocumentSerializer();
  serializer.seed(file);
  return { doc, serializer };
}

/** The serializer's layout is JSON.stringify's plus line breaks, which compact JSON never holds anywhere else. */
function assertWrittenAs(out: Buffer, doc: VaultDocument): void {
  const text = out.toString('utf8');
  assert.equal(text.replaceAll('\n', ''), JSON.stringify(doc));
  const ids = Object.keys(doc.Keys);
  const lines = text.split('\n');
  if (ids.length === 0) return assert.equal(lines.length, 1);
  assert.equal(lines.length, ids.length + 2, 'one line per key, between the head and the closing brace');
  ids.forEach((id, i) => assert.equal(lines[i + 1], `${JSON.stringify(id)}:${JSON.stringify(doc.Keys[id])}${i < ids.length - 1 ? ',' : ''}`));
}

test('the serializer writes each key on a line of its own, and nothing else differs from JSON.stringify', () => {
  const r = rng(6);
  for (let round = 0; round < 30; round++) {
    const d = vault(r, Math.floor(r() * 12));
    assertWrittenAs(written(d), d);
  }
});

test('every untouched entry is taken from the file: exactly `"<id>":` + JSON.stringify(record), as a view into it', () => {
  const r = rng(1);
  for (let round = 0; round < 30; round++) {
    const file = written(vault(r, 20));
    const doc = JSON.parse(file.toString('utf8')) as VaultDocument;
    const entries = LoadedKeyEntries.of(file)!;
    for (const id in doc.Keys) {
      const got = entries.entry(id);
      assert.ok(got, 'an unchanged key is found');
      assert.equal(got.buffer, file.buffer, 'a view, not a copy');
      assert.deepEqual(got, Buffer.from(`${JSON.stringify(id)}:${JSON.stringify(doc.Keys[id])}`));
    }
  }
});

test('after random changes, the first commit of a loaded file is the document, in the same layout', () => {
  const r = rng(2);
  for (let round = 0; round < 40; round++) {
    const { doc, serializer } = load(written(vault(r, 15)));
    const ids = Object.keys(doc.Keys);
    serializer.observe(doc, (d) => {
      for (const id of ids) {
        const p = r();
        if (p < 0.15) d.Keys[id]!.Description = text(r, 10);
        else if (p < 0.25) delete d.Keys[id];
        else if (p < 0.3) d.Keys[id] = key(r, id);
        else if (p < 0.35)
          d.Keys[id]!.Versions.push({
            KeyVersionId: randomUUID(),
            CreationDate: '2026-02-01T00:00:00.000Z',
            RotationType: 'AUTOMATIC',
            SealedMaterial: 'REVG',
          });
      }
      if (r() < 0.5) {
        const k = key(r);
        d.Keys[k.KeyId] = k;
      }
    });
    assertWrittenAs(serializer.serialize(doc), doc);
  }
});

test('a key deleted and made again moves to the end of the map and is encoded afresh there', () => {
  const d = vault(rng(7), 5);
  const { doc, serializer } = load(written(d));
  const ids = Object.keys(doc.Keys);
  serializer.observe(doc, (x) => {
    const again = x.Keys[ids[1]!]!;
    delete x.Keys[ids[1]!];
    x.Keys[ids[1]!] = { ...again, Description: 'made again' };
  });
  assert.deepEqual(Object.keys(doc.Keys), [ids[0], ids[2], ids[3], ids[4], ids[1]]);
  assertWrittenAs(serializer.serialize(doc), doc);
});

test('a file in another layout (one line, as older versions wrote it, or indented) is not used', () => {
  const d = vault(rng(3), 6);
  for (const variant of [JSON.stringify(d), JSON.stringify(d, null, 2)]) {
    assert.equal(LoadedKeyEntries.of(Buffer.from(variant)), null);
    const { doc, serializer } = load(Buffer.from(variant));
    assertWrittenAs(serializer.serialize(doc), doc);
  }
});

test('an entry is found by its line, never by its id inside another entry', () => {
  const d = vault(rng(4), 4);
  const ids = Object.keys(d.Keys);
  // The next key's head written inside a description and as a tag key of the key before it.
  d.Keys[ids[0]!]!.Description = `"${ids[1]}":{`;
  d.Keys[ids[0]!]!.Tags = [{ TagKey: `${ids[2]}`, TagValue: `\n"${ids[2]}":` }];
  const file = written(d);
  const { doc, serializer } = load(file);
  serializer.observe(doc, (x) => {
    x.Keys[ids[0]!]!.Description = 'changed';
  });
  assertWrittenAs(serializer.serialize(doc), doc);
});

test('byte positions stay right past multi-byte characters and changed keys', () => {
  const r = rng(5);
  const d = vault(r, 10);
  for (const id in d.Keys) d.Keys[id]!.Description = `é😀€\u2028 ${id.slice(0, 4)}`;
  const { doc, serializer } = load(written(d));
  const ids = Object.keys(doc.Keys);
  serializer.observe(doc, (x) => {
    x.Keys[ids[2]!]!.Description = 'changed ü';
    x.Keys[ids[5]!]!.Description = 'changed 😀😀';
  });
  assertWrittenAs(serializer.serialize(doc), doc);
});

test('untouched neighbours go out as one view of the loaded file: a few parts, not one per key', () => {
  const d = vault(rng(8), 40);
  const file = written(d);
  const { doc, serializer } = load(file);
  const ids = Object.keys(doc.Keys);
  serializer.observe(doc, (x) => {
    x.Keys[ids[10]!]!.Description = 'changed';
    x.Keys[ids[30]!]!.Description = 'changed too';
  });
  const parts = serializer.serializeParts(doc);
  assertWrittenAs(Buffer.concat(parts), doc);
  const views = parts.filter((p) => p.buffer === file.buffer);
  assert.equal(views.length, 3, 'keys 0-9, 11-29 and 31-39');
  for (const v of views) assert.ok(v.byteOffset >= file.byteOffset && v.byteOffset + v.length <= file.byteOffset + file.length);
  // The next commit reuses the same views (cached per key) and joins them the same way.
  serializer.observe(doc, (x) => {
    x.Keys[ids[20]!]!.Description = 'and this one';
  });
  const next = serializer.serializeParts(doc);
  assertWrittenAs(Buffer.concat(next), doc);
  assert.equal(next.filter((p) => p.buffer === file.buffer).length, 4);
});

test('a first commit that deleted no key sends the lines of the file between changed keys whole, and later commits stay right', () => {
  const r = rng(9);
  for (let round = 0; round < 40; round++) {
    const file = written(vault(r, 12));
    const { doc, serializer } = load(file);
    const ids = Object.keys(doc.Keys);
    const change = (x: VaultDocument): void => {
      for (const id of Object.keys(x.Keys)) {
        const p = r();
        if (p < 0.2) x.Keys[id]!.Description = text(r, 10);
        else if (p < 0.25) x.Keys[id] = key(r, id);
      }
      if (r() < 0.4) {
        const k = key(r);
        x.Keys[k.KeyId] = k;
      }
    };
    serializer.observe(doc, (x) => {
      for (const id of ids) if (r() < 0.2) x.Keys[id]!.Description = text(r, 10);
      if (r() < 0.4) {
        const k = key(r);
        x.Keys[k.KeyId] = k;
      }
    });
    const first = serializer.serializeParts(doc);
    assertWrittenAs(Buffer.concat(first), doc);
    // Views of the file are maximal runs: never two of them side by side.
    first.forEach((p, i) => assert.ok(!(p.buffer === file.buffer && first[i + 2]?.buffer === file.buffer && first[i + 1]!.length === 2)));
    for (let commit = 0; commit < 3; commit++) {
      serializer.observe(doc, (x) => {
        if (commit === 1 && r() < 0.5) delete x.Keys[Object.keys(x.Keys)[0]!];
        change(x);
      });
      assertWrittenAs(serializer.serialize(doc), doc);
    }
  }
});

test('a first commit finds each changed line after the last one; a deleted or re-made key makes it look up every key', () => {
  const d = vault(rng(10), 6);
  const ids = Object.keys(d.Keys);
  for (const edit of [
    (x: VaultDocument) => delete x.Keys[ids[2]!],
    (x: VaultDocument) => {
      const k = x.Keys[ids[1]!]!;
      delete x.Keys[ids[1]!];
      x.Keys[ids[1]!] = k;
    },
    (x: VaultDocument) => {
      x.Keys[ids[0]!]!.Description = 'first';
      x.Keys[ids[5]!]!.Description = 'last';
    },
  ]) {
    const { doc, serializer } = load(written(d));
    serializer.observe(doc, edit);
    assertWrittenAs(serializer.serialize(doc), doc);
  }
});

test('splice: the lines between changed keys as views, the ids of the changed and the added to encode, null out of order', () => {
  const d = vault(rng(11), 5);
  const file = written(d);
  const doc = JSON.parse(file.toString('utf8')) as VaultDocument;
  const ids = Object.keys(doc.Keys);
  const extra = key(rng(12));
  doc.Keys[extra.KeyId] = extra;
  const out = LoadedKeyEntries.of(file)!.splice(doc.Keys, new Set([ids[1]!, ids[4]!]), new Set([extra.KeyId]))!;
  const line = (i: number) => `${JSON.stringify(ids[i])}:${JSON.stringify(doc.Keys[ids[i]!])}`;
  assert.deepEqual(
    out.map((p) => p.toString()),
    [line(0), ids[1], `${line(2)},\n${line(3)}`, ids[4], extra.KeyId],
  );
  const views = [out[0], out[2]].map((p) => (Buffer.isBuffer(p) ? p.buffer : undefined));
  assert.ok(
    views.every((b) => b === file.buffer),
    'views of the file, not copies',
  );
  // A key the map lists before a loaded one cannot have been appended: the caller looks each key up.
  const reordered = { [extra.KeyId]: extra, ...JSON.parse(file.toString('utf8')).Keys };
  assert.equal(LoadedKeyEntries.of(file)!.splice(reordered, new Set(), new Set([extra.KeyId])), null);
  // A changed key the file does not hold.
  assert.equal(LoadedKeyEntries.of(file)!.splice({ ...doc.Keys, [extra.KeyId]: extra }, new Set([extra.KeyId]), new Set()), null);
});

test('a first commit whose splice gives up part way sees each fresh record once (a second look would read as a repeated version id)', () => {
  const d = vault(rng(13), 4);
  const ids = Object.keys(d.Keys);
  const file = written(d);
  // The document lists two keys in the other order than the file (as no real load does): the splice
  // finds the first changed key's line, then not the second's, and gives up.
  const doc = JSON.parse(file.toString('utf8')) as VaultDocument;
  const swapped: VaultDocument['Keys'] = {};
  for (const id of [ids[0]!, ids[2]!, ids[1]!, ids[3]!]) swapped[id] = doc.Keys[id]!;
  doc.Keys = swapped;
  const serializer = new DocumentSerializer();
  serializer.seed(file);
  serializer.observe(doc, (x) => {
    x.Keys[ids[2]!]!.Description = 'changed';
    x.Keys[ids[1]!]!.Description = 'changed too';
  });
  const seen: string[] = [];
  const out = Buffer.concat(serializer.serializeParts(doc, { key: (id) => void seen.push(id), file: () => undefined }));
  assertWrittenAs(out, doc);
  assert.deepEqual([...seen].sort(), [ids[1]!, ids[2]!].sort(), 'each changed key checked once');
});
