/**
 * Crash consistency: a worker process runs creates, rotations, policy changes, deletion
 * scheduling/cancelling, encrypts, and file encryptions and in-place re-encryptions on a vault, and is killed with SIGKILL at a random moment;
 * this repeats for KEYVAULT_CRASH_KILLS lives (default 200). After every kill the vault opens,
 * verify-vault is Ok, and everything the worker reported done before the kill is still there:
 * every key exists, every rotation's version is present, every returned ciphertext decrypts, and
 * every file reported encrypted (or re-encrypted) decrypts to its original bytes.
 *
 * Integrity: a kill can land anywhere in a commit, including between the rename of vault.json and
 * the revision record written to the keychain after it. Every open must still succeed (no false
 * rollback or MAC alarm), the recorded revision must never be ahead of the file's, and the
 * standalone verify-vault (MAC, revision floor, audit chain) must be Ok.
 *
 * Two lanes (two vaults, two workers) run side by side to use both cores.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomInt, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KMS_EXCEPTION_NAMES } from '../../../main/core/errors.js';
import { keychainRevisionLedger } from '../../../main/keychain/revisionRecord.js';
import { openVault } from '../../../main/vault/openVault.js';
import { verifyVaultDirectory } from '../../../main/vault/vaultVerifier.js';
import { createTempVault, type TempVault } from '../../support/tempVault.js';
import { buildFaultWorker, startWorker, type BuiltWorker, type WorkerLine } from '../../support/faultHarness.js';

const KILLS = Number(process.env.KEYVAULT_CRASH_KILLS ?? 200);
const LANES = 2;
/** Share of lives killed at a random moment of start-up (opening the vault, catch-up), not of the loop. */
const EARLY_KILL_PERCENT = 15;

let worker: BuiltWorker;
const vaults: TempVault[] = [];

before(async () => {
  worker = await buildFaultWorker();
});
after(async () => {
  worker?.remove();
  for (const v of vaults) await v.cleanup();
});

interface Expectations {
  keys: Set<string>;
  versions: Map<string, string>; // version id -> key id
  ciphertexts: { blob: string; plaintext: string; keyId: string }[];
  files: Map<string, string>; // encrypted file -> sha256 of its plaintext
  /** Files encrypted or re-encrypted since the last check (checked then, with a sample of the others). */
  touched: Set<string>;
}

interface LaneResult {
  kills: number;
  opsReported: number;
  typedErrors: number;
  lines: number;
}

async function runLane(lane: number, lives: number): Promise<LaneResult> {
  const v = await createTempVault();
  vaults.push(v);
  v.service.close();
  const expected: Expectations = { keys: new Set(), versions: new Map(), ciphertexts: [], files: new Map(), touched: new Set() };
  const filesDir = `${v.dir}-files`;
  mkdirSync(filesDir);
  const result: LaneResult = { kills: 0, opsReported: 0, typedErrors: 0, lines: 0 };

  for (let life = 0; life < lives; life++) {
    const w = startWorker(worker, { dir: v.dir, mode: 'crash', worker: `lane${lane}`, filesDir });
    if (randomInt(100) < EARLY_KILL_PERCENT) {
      await sleep(randomInt(250));
    } else {
      await Promise.race([w.ready, sleep(60_000, undefined, { ref: false }).then(() => Promise.reject(new Error('worker did not get ready within 60 s')))]);
      await sleep(randomInt(100));
    }
    const killed = w.child.kill('SIGKILL');
    const exit = await w.exited;
    if (killed && exit.signal === 'SIGKILL') result.kills++;
    else assert.fail(`life ${life}: the worker ended by itself (code ${String(exit.code)}): ${exit.stderr} ${JSON.stringify(w.lines.slice(-3))}`);

    for (const line of w.lines) record(line, expected, result, life);
    await checkVault(v, expected, life, life === lives - 1);
  }
  rmSync(filesDir, { recursive: true, force: true });
  return result;
}

function record(line: WorkerLine, expected: Expectations, result: LaneResult, life: number): void {
  result.lines++;
  switch (line.op) {
    case 'create':
      expected.keys.add(line.KeyId as string);
      expected.versions.set(line.KeyVersionId as string, line.KeyId as string);
      result.opsReported++;
      return;
    case 'rotate':
      expected.versions.set(line.KeyVersionId as string, line.KeyId as string);
      result.opsReported++;
      return;
    case 'encrypt':
      expected.ciphertexts.push({ blob: line.CiphertextBlob as string, plaintext: line.Plaintext as string, keyId: line.KeyId as string });
      result.opsReported++;
      return;
    case 'encrypt-file':
      expected.files.set(line.Path as string, line.Sha256 as string);
      expected.touched.add(line.Path as string);
      result.opsReported++;
      return;
    case 'reencrypt-file':
      expected.touched.add(line.Path as string);
      result.opsReported++;
      return;
    case 'schedule-deletion':
    case 'cancel-deletion':
    case 'policy':
      result.opsReported++;
      return;
    case 'ready':
    case 'done':
      return;
    case 'error':
      assert.ok((KMS_EXCEPTION_NAMES as readonly string[]).includes(line.type as string), `life ${life}: unknown error type ${String(line.type)}`);
      result.typedErrors++;
      return;
    default:
      assert.fail(`life ${life}: the worker reported ${JSON.stringify(line)}`);
  }
}

async function checkVault(v: TempVault, expected: Expectations, life: number, allFiles: boolean): Promise<void> {
  const vaultId = (JSON.parse(readFileSync(join(v.dir, 'vault.json'), 'utf8')) as { VaultId: string }).VaultId;
  const recorded = await keychainRevisionLedger(v.keychain, vaultId).read();
  const standalone = await verifyVaultDirectory({ dir: v.dir, keychain: v.keychain });
  assert.equal(standalone.Ok, true, `life ${life}: verify-vault (standalone) found ${JSON.stringify(standalone.Problems)}`);
  const s = await openVault({ dir: v.dir, keychain: v.keychain, create: false });
  try {
    const revision = s.store.read().Revision;
    assert.ok(recorded === null || recorded <= revision, `life ${life}: the keychain records revision ${String(recorded)}, ahead of the file's ${revision}`);
    const report = await s.verifyVault();
    assert.equal(report.Ok, true, `life ${life}: verify-vault found ${JSON.stringify(report.Problems)}`);
    const doc = s.store.read();
    for (const keyId of expected.keys) assert.ok(doc.Keys[keyId], `life ${life}: key ${keyId} reported created is missing`);
    for (const [versionId, keyId] of expected.versions) {
      assert.ok(
        doc.Keys[keyId]?.Versions.some((x) => x.KeyVersionId === versionId),
        `life ${life}: version ${versionId} of ${keyId} is missing`,
      );
    }
    for (const c of expected.ciphertexts) {
      const out = await s.decrypt({ CiphertextBlob: c.blob });
      assert.equal(out.Plaintext, c.plaintext, `life ${life}: a ciphertext of ${c.keyId} decrypts wrong`);
    }
    const all = [...expected.files.keys()];
    const sample = allFiles ? all : [...expected.touched, ...Array.from({ length: Math.min(3, all.length) }, () => all[randomInt(all.length)]!)];
    expected.touched.clear();
    for (const file of new Set(sample)) {
      const sha = expected.files.get(file);
      if (sha === undefined) continue; // re-encrypted, but its encryption was never reported
      const out = `${file}.check-${randomUUID()}`;
      await s.runFileJob({ JobId: randomUUID(), Operation: 'Decrypt', InputPath: file, OutputPath: out });
      assert.equal(createHash('sha256').update(readFileSync(out)).digest('hex'), sha, `life ${life}: ${file} decrypts wrong`);
      rmSync(out);
    }
  } finally {
    s.close();
  }
}

test(`after each of ${KILLS} SIGKILLs the vault opens, verifies, and keeps everything reported done`, { timeout: 15 * 60_000 }, async (t) => {
  const perLane = Math.ceil(KILLS / LANES);
  const started = Date.now();
  const results = await Promise.all(Array.from({ length: LANES }, (_, lane) => runLane(lane, perLane)));
  const kills = results.reduce((n, r) => n + r.kills, 0);
  const ops = results.reduce((n, r) => n + r.opsReported, 0);
  const errors = results.reduce((n, r) => n + r.typedErrors, 0);
  t.diagnostic(`kills: ${kills}, operations reported done: ${ops}, typed errors: ${errors}, seconds: ${((Date.now() - started) / 1000).toFixed(1)}`);
  assert.ok(kills >= KILLS, `${kills} kills`);
  assert.ok(ops > 0, 'the workers got operations done between kills');
});
