/**
 * Concurrency: two processes each run 200 mixed operations on one vault — creating keys, rotating
 * the same shared keys, disabling/enabling them under each other, racing for alias names,
 * encrypting. No update is lost (keys and versions at the end = what was there + what the two
 * reported creating/rotating) and every failure is a typed KMS error.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { KMS_EXCEPTION_NAMES } from '../../../main/core/errors.js';
import type { VaultDocument } from '../../../main/store/vaultDocument.js';
import { openVault } from '../../../main/vault/openVault.js';
import { createTempVault, b64, type TempVault } from '../../support/tempVault.js';
import { buildFaultWorker, startWorker, type BuiltWorker, type WorkerLine } from '../../support/faultHarness.js';

const OPS = Number(process.env.KEYVAULT_CONCURRENT_OPS ?? 200);
let worker: BuiltWorker | undefined;
let v: TempVault | undefined;
after(async () => {
  worker?.remove();
  await v?.cleanup();
});

test(`two processes doing ${OPS} mixed operations each lose no update and fail only with typed errors`, { timeout: 10 * 60_000 }, async (t) => {
  worker = await buildFaultWorker();
  v = await createTempVault();
  for (let i = 0; i < 3; i++) {
    const { KeyMetadata: k } = await v.service.createKey({ Description: 'shared' });
    await v.service.encrypt({ KeyId: k.KeyId, Plaintext: b64('warm-up') });
  }
  const countVersions = (doc: VaultDocument): number => Object.values(doc.Keys).reduce((n, k) => n + k.Versions.length, 0);
  const before = v.service.store.read();
  const keysBefore = Object.keys(before.Keys).length;
  const versionsBefore = countVersions(before);
  v.service.close();

  const workers = ['a', 'b'].map((name) => startWorker(worker!, { dir: v!.dir, mode: 'concurrent', ops: OPS, worker: name }));
  const exits = await Promise.all(workers.map((w) => w.exited));
  exits.forEach((e, i) => assert.equal(e.code, 0, `worker ${i} exited with ${String(e.code)}: ${e.stderr}`));

  const lines: WorkerLine[] = workers.flatMap((w) => w.lines);
  const untyped = lines.filter((l) => l.op === 'untyped-error' || l.op === 'fatal');
  assert.deepEqual(untyped, [], 'no error other than the typed ones');
  const errors = lines.filter((l) => l.op === 'error');
  for (const e of errors) assert.ok((KMS_EXCEPTION_NAMES as readonly string[]).includes(e.type as string), String(e.type));
  for (const w of workers) assert.equal(w.lines.at(-1)?.op, 'done');

  const creates = lines.filter((l) => l.op === 'create');
  const rotations = lines.filter((l) => l.op === 'rotate');
  const s = await openVault({ dir: v.dir, keychain: v.keychain, create: false, catchUp: false });
  try {
    const doc = s.store.read();
    assert.equal(Object.keys(doc.Keys).length, keysBefore + creates.length, 'every created key is there, and no other');
    assert.equal(countVersions(doc), versionsBefore + creates.length + rotations.length, 'every rotation of every process is there');
    for (const r of rotations) assert.ok(doc.Keys[r.KeyId as string]?.Versions.some((x) => x.KeyVersionId === r.KeyVersionId));
    const report = await s.verifyVault();
    assert.equal(report.Ok, true, JSON.stringify(report.Problems));
    for (const e of lines.filter((l) => l.op === 'encrypt')) {
      const key = doc.Keys[e.KeyId as string]!;
      if (key.KeyState === 'Disabled') await s.enableKey({ KeyId: key.KeyId });
      assert.equal((await s.decrypt({ CiphertextBlob: e.CiphertextBlob as string })).Plaintext, e.Plaintext);
    }
  } finally {
    s.close();
  }
  const byType = errors.reduce<Record<string, number>>((m, e) => ({ ...m, [e.type as string]: (m[e.type as string] ?? 0) + 1 }), {});
  t.diagnostic(`operations: ${2 * OPS}, creates: ${creates.length}, rotations: ${rotations.length}, typed errors: ${JSON.stringify(byType)}`);
});
