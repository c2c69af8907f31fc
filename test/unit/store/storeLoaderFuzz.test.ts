/**
 * Property: whatever the bytes of vault.json, loading gives a valid document or a typed
 * KMSInternalException — never another error, never a crash — and verify-vault on anything that
 * loads reports instead of throwing.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { KMSInternalException, VaultIntegrityException } from '../../../main/core/errors.js';
import { memoryRevisionLedger } from '../../../main/keychain/revisionRecord.js';
import { deriveRootKeys } from '../../../main/crypto/rootKeys.js';
import { sealKeyMaterial } from '../../../main/crypto/sealing.js';
import { parseVaultDocument } from '../../../main/store/documentSchema.js';
import { readJsonFileSync } from '../../../main/store/durableFileAdapter.js';
import type { VaultDocument } from '../../../main/store/vaultDocument.js';
import { VaultStore } from '../../../main/store/vaultStore.js';
import { newVaultDocument } from '../../../main/vault/openVault.js';
import { verifyVaultDocument } from '../../../main/vault/vaultVerifier.js';

const RUNS = Number(process.env.KEYVAULT_FUZZ_RUNS ?? 400);
const dir = mkdtempSync(join(tmpdir(), 'keyvault-fuzz-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const secret = randomBytes(32);
const vaultId = randomUUID();
const rootKeys = deriveRootKeys(secret, vaultId);
const now = new Date('2026-03-01T00:00:00.000Z');

function sampleDocument(): VaultDocument {
  const doc = newVaultDocument(vaultId, secret, now);
  for (let i = 0; i < 3; i++) {
    const keyId = randomUUID();
    const versions = [0, 1].map((j) => {
      const versionId = randomUUID();
      return {
        KeyVersionId: versionId,
        CreationDate: new Date(now.getTime() + j * 1000).toISOString(),
        RotationType: j === 0 ? ('INITIAL' as const) : ('ON_DEMAND' as const),
        SealedMaterial: sealKeyMaterial(rootKeys.sealKey, vaultId, keyId, versionId, randomBytes(32)),
      };
    });
    doc.Keys[keyId] = {
      KeyId: keyId,
      Description: `key ${i}`,
      KeyState: i === 2 ? 'PendingDeletion' : 'Enabled',
      Origin: 'VAULT',
      KeyManager: 'CUSTOMER',
      CreationDate: now.toISOString(),
      ...(i === 2 ? { DeletionDate: new Date(now.getTime() + 7 * 86_400_000).toISOString(), DeletionScheduledDate: now.toISOString() } : {}),
      PrimaryKeyVersionId: versions[1]!.KeyVersionId,
      Rotation: { Enabled: i === 0, IntervalSeconds: 30 * 86_400, ...(i === 0 ? { AnchorDate: now.toISOString() } : {}) },
      Versions: versions,
    };
    doc.Aliases[`alias/k${i}`] = { AliasName: `alias/k${i}`, TargetKeyId: keyId, CreationDate: now.toISOString() };
  }
  return doc;
}

const valid = sampleDocument();
const validText = JSON.stringify(valid);
const validBytes = Buffer.from(validText);

/** Loads bytes the way the store does; returns 'ok' or the error. */
function load(bytes: Uint8Array): { ok: true; doc: VaultDocument } | { ok: false; err: unknown } {
  const file = join(dir, 'vault.json');
  writeFileSync(file, bytes);
  try {
    const loaded = readJsonFileSync(file, parseVaultDocument);
    return loaded ? { ok: true, doc: loaded.data } : { ok: false, err: new Error('missing') };
  } catch (err) {
    return { ok: false, err };
  }
}

function checkOutcome(bytes: Uint8Array): void {
  const r = load(bytes);
  if (!r.ok) {
    assert.ok(r.err instanceof KMSInternalException, `expected KMSInternalException, got ${String(r.err)}`);
    return;
  }
  const report = verifyVaultDocument({ json: r.doc, rootKeys, now });
  assert.equal(typeof report.Ok, 'boolean');
}

test('the sample document loads and verifies', () => {
  const r = load(validBytes);
  assert.ok(r.ok);
  const report = verifyVaultDocument({ json: r.doc, rootKeys, now });
  assert.equal(report.Ok, true, JSON.stringify(report.Problems));
});

const byteMutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);
type ByteMutation = typeof byteMutation extends fc.Arbitrary<infer T> ? T : never;

function mutateBytes(src: Buffer, m: ByteMutation): Buffer {
  const at = m.at % (src.length + 1);
  switch (m.kind) {
    case 'flip': {
      const b = Buffer.from(src);
      if (at < b.length) b[at]! ^= 1 << m.bit;
      return b;
    }
    case 'set': {
      const b = Buffer.from(src);
      if (at < b.length) b[at] = m.value;
      return b;
    }
    case 'delete':
      return Buffer.concat([src.subarray(0, at), src.subarray(at + m.length)]);
    case 'insert':
      return Buffer.concat([src.subarray(0, at), m.bytes, src.subarray(at)]);
    case 'truncate':
      return src.subarray(0, at);
  }
}

test('random byte mutations of vault.json give a valid document or KMSInternalException', () => {
  fc.assert(
    fc.property(fc.array(byteMutation, { minLength: 1, maxLength: 4 }), (mutations) => {
      checkOutcome(mutations.reduce(mutateBytes, validBytes));
    }),
    { numRuns: RUNS },
  );
});

/** Every path (list of keys) into the sample document. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}
const allPaths = paths(valid).filter((p) => p.length > 0);

const jsonMutation = fc.record({
  path: fc.constantFrom(...allPaths),
  action: fc.oneof(
    fc.constant({ kind: 'delete' as const }),
    fc.record({ kind: fc.constant('replace' as const), value: fc.jsonValue({ maxDepth: 2 }) }),
    fc.record({ kind: fc.constant('rename' as const), name: fc.string({ maxLength: 12 }) }),
  ),
});
type JsonMutation = typeof jsonMutation extends fc.Arbitrary<infer T> ? T : never;

function mutateJson(doc: unknown, m: JsonMutation): unknown {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let parent: Record<string | number, unknown> = copy;
  for (const seg of m.path.slice(0, -1)) {
    const next = parent[seg];
    // An earlier mutation replaced this branch: nothing left to mutate here.
    if (typeof next !== 'object' || next === null) return copy;
    parent = next as Record<string | number, unknown>;
  }
  const last = m.path[m.path.length - 1]!;
  if (m.action.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (m.action.kind === 'replace') {
    parent[last] = m.action.value;
  } else if (!Array.isArray(parent)) {
    const v = parent[last];
    delete parent[last];
    parent[m.action.name] = v;
  }
  return copy;
}

test('structural JSON mutations (deleted, replaced or renamed fields) give a valid document or KMSInternalException', () => {
  fc.assert(
    fc.property(fc.array(jsonMutation, { minLength: 1, maxLength: 3 }), (mutations) => {
      const mutated = mutations.reduce<unknown>(mutateJson, valid);
      checkOutcome(Buffer.from(JSON.stringify(mutated) ?? ''));
    }),
    { numRuns: RUNS },
  );
});

test('the vault store itself (MAC in place) answers a damaged file with VaultIntegrityException or KMSInternalException, and recovers once it is fixed', async () => {
  const storeDir = mkdtempSync(join(dir, 'store-'));
  const store = await VaultStore.open(storeDir, { freshnessMs: 0 }); // every read checks the file
  store.attachIntegrity({ vaultId, macKey: rootKeys.macKey, ledger: memoryRevisionLedger() });
  await store.create(structuredClone(valid));
  const file = join(storeDir, 'vault.json');
  const sealedBytes = readFileSync(file);
  await fc.assert(
    fc.asyncProperty(fc.array(byteMutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
      const bytes = mutations.reduce(mutateBytes, sealedBytes);
      if (bytes.equals(sealedBytes)) return;
      writeFileSync(file, bytes);
      // Any change to the sealed bytes is refused; which error depends on whether it still parses.
      assert.throws(
        () => store.read(),
        (err: unknown) => err instanceof VaultIntegrityException || err instanceof KMSInternalException,
      );
    }),
    { numRuns: Math.ceil(RUNS / 4) },
  );
  writeFileSync(file, sealedBytes);
  assert.equal(store.read().VaultId, vaultId);
  store.close();
});
