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

/** Loads `file` as the store does and seeds a serializer with it. */
function load(file: Buffer): { doc: VaultDocument; serializer: DocumentSerializer } {
  const text = file.toString('utf8');
  const doc = JSON.parse(text) as VaultDocument;
  const serializer = new DocumentSerializer();
  serializer.seed(text, file);
  return { doc, serializer };
}

test('every entry taken from the file is exactly `"<id>":` + JSON.stringify(record), as a view into the file', () => {
  const r = rng(1);
  for (let round = 0; round < 30; round++) {
    const file = Buffer.from(JSON.stringify(vault(r, 20)));
    const text = file.toString('utf8');
    const doc = JSON.parse(text) as VaultDocument;
    const entries = LoadedKeyEntries.of(text, file)!;
    for (const id in doc.Keys) {
      const json = JSON.stringify(doc.Keys[id]);
      const got = entries.entry(id, json);
      assert.ok(got, 'an unchanged key of a compact file is found');
      assert.equal(got.buffer, file.buffer, 'a view, not a copy');
      assert.deepEqual(got, Buffer.from(`${JSON.stringify(id)}:${json}`));
    }
  }
});

test('after random changes, the first commit of a loaded file is byte for byte JSON.stringify of the document', () => {
  const r = rng(2);
  for (let round = 0; round < 40; round++) {
    const { doc, serializer } = load(Buffer.from(JSON.stringify(vault(r, 15))));
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
    assert.equal(serializer.serialize(doc).toString('utf8'), JSON.stringify(doc));
  }
});

test('a file in another layout (indented, spaced, escaped, repeated members) is never copied from where it differs', () => {
  const r = rng(3);
  const d = vault(r, 6);
  const ids = Object.keys(d.Keys);
  const compact = JSON.stringify(d);
  const variants = [
    JSON.stringify(d, null, 2),
    compact.replace(`"${ids[1]}":{"KeyId"`, `"${ids[1]}": { "KeyId"`),
    compact.replace(`{"KeyId":"${ids[2]}"`, `{"KeyId":"${ids[2]}","KeyState":"Enabled"`), // a member twice: JSON.parse keeps the second
    compact.replace(`"KeyId":"${ids[3]}","Description":"`, `"KeyId":"${ids[3]}","Description":"\\u0041`),
    compact.replace(`"IntervalSeconds":${d.Keys[ids[4]!]!.Rotation.IntervalSeconds}`, `"IntervalSeconds":${d.Keys[ids[4]!]!.Rotation.IntervalSeconds}.0`),
  ];
  for (const variant of variants) {
    const { doc, serializer } = load(Buffer.from(variant));
    assert.equal(serializer.serialize(doc).toString('utf8'), JSON.stringify(doc));
  }
  // The edited entries are not taken from the file; the untouched ones are.
  const text = variants[1]!;
  const doc = JSON.parse(text) as VaultDocument;
  const entries = LoadedKeyEntries.of(text, Buffer.from(text))!;
  assert.ok(entries.entry(ids[0]!, JSON.stringify(doc.Keys[ids[0]!])));
  assert.equal(entries.entry(ids[1]!, JSON.stringify(doc.Keys[ids[1]!])), undefined);
  assert.ok(entries.entry(ids[2]!, JSON.stringify(doc.Keys[ids[2]!])));
});

test('a file that is not valid UTF-8 is not used', () => {
  const d = vault(rng(4), 3);
  const id = Object.keys(d.Keys)[0]!;
  d.Keys[id]!.Description = 'X';
  const file = Buffer.from(JSON.stringify(d));
  file[file.indexOf('"Description":"X"') + '"Description":"'.length] = 0xff;
  assert.equal(LoadedKeyEntries.of(file.toString('utf8'), file), null);
  const { doc, serializer } = load(file);
  assert.equal(serializer.serialize(doc).toString('utf8'), JSON.stringify(doc));
});

test('byte positions stay right past multi-byte characters and changed keys', () => {
  const r = rng(5);
  const d = vault(r, 10);
  for (const id in d.Keys) d.Keys[id]!.Description = `é😀€ ${id.slice(0, 4)}`;
  const { doc, serializer } = load(Buffer.from(JSON.stringify(d)));
  const ids = Object.keys(doc.Keys);
  serializer.observe(doc, (x) => {
    x.Keys[ids[2]!]!.Description = 'changed ü';
    x.Keys[ids[5]!]!.Description = 'changed 😀😀';
  });
  assert.equal(serializer.serialize(doc).toString('utf8'), JSON.stringify(doc));
});
