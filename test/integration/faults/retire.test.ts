/**
 * Retiring under SIGKILL: a worker rotates, runs re-encrypt-files, schedules the previous version
 * for destruction and lets its own clock pass the window, in a loop, and is killed at a random
 * moment; this repeats for KEYVAULT_RETIRE_KILLS lives (default 10). After every kill:
 * - every version the worker reported destroyed is still Destroyed, with no material in vault.json;
 * - every file decrypts to its original bytes (a file reported rewrapped always opens, and no file
 *   is ever left on a destroyed version), and verify-vault finds no problem;
 * - the next life's re-encrypt-files reports no failure: a batch journal a kill left behind is
 *   repaired and the run carries on.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { lastSeenTime } from '../../../main/core/clockPlausibility.js';
import type { VaultDocument } from '../../../main/store/vaultDocument.js';
import { openVault } from '../../../main/vault/openVault.js';
import { createTempVault, type TempVault } from '../../support/tempVault.js';
import { buildWorker, startWorker, type BuiltWorker } from '../../support/faultHarness.js';

const KILLS = Number(process.env.KEYVAULT_RETIRE_KILLS ?? 10);
/** One folder of files: re-encrypt-files rewraps it in two batches (16, then the rest) under batch journals. */
const FILES = 40;
let worker: BuiltWorker;
let vault: TempVault;

before(async () => {
  worker = await buildWorker('retireWorker');
  vault = await createTempVault();
  vault.service.close();
});
after(async () => {
  worker?.remove();
  await vault?.cleanup();
});

/** The latest time the vault has seen (its clock evidence), from vault.json as it is on disk. */
function latestSeen(): number {
  return lastSeenTime(JSON.parse(readFileSync(join(vault.dir, 'vault.json'), 'utf8')) as VaultDocument);
}

test(`after ${KILLS} SIGKILLs while retiring versions, destroyed versions stay destroyed and every file opens`, { timeout: 600_000 }, async (t) => {
  const filesDir = `${vault.dir}-files`;
  mkdirSync(filesDir);
  const files = new Map<string, string>();
  const destroyed = new Set<string>();
  let rounds = 0;
  let journalsLeft = 0;
  try {
    for (let life = 0; life < KILLS; life++) {
      // Each life's clock starts a day past the latest time the vault has seen (its own clock
      // jumped 8 days a round), so it never runs backwards and never leaps a year ahead.
      const clockStart = Math.max(Date.now(), latestSeen() + 86_400_000);
      const w = startWorker(worker, { dir: vault.dir, filesDir, files: FILES, clockStart });
      await Promise.race([w.ready, sleep(60_000, undefined, { ref: false }).then(() => Promise.reject(new Error('worker not ready in 60 s')))]);
      await sleep(randomInt(50, 600));
      w.child.kill('SIGKILL');
      const exit = await w.exited;
      if (existsSync(join(filesDir, '.keyvault-rewrap-batch'))) journalsLeft++;
      assert.equal(exit.signal, 'SIGKILL', `life ${life}: the worker ended by itself: ${exit.stderr} ${JSON.stringify(w.lines.slice(-2))}`);
      for (const line of w.lines) {
        assert.notEqual(line.op, 'untyped-error', JSON.stringify(line));
        if (line.op === 'file') files.set(line.Path as string, line.Sha256 as string);
        if (line.op === 'destroyed') for (const v of line.Versions as string[]) destroyed.add(v);
        if (line.op === 'rewrapped') {
          rounds++;
          assert.deepEqual(line.Failed, [], `life ${life}: re-encrypt-files failures`);
        }
      }

      // The check runs just past the worker's last time: with the real clock verify-vault would
      // rightly flag schedules anchored in the worker's future.
      const checkTime = new Date(latestSeen() + 3_600_000);
      const s = await openVault({ dir: vault.dir, keychain: vault.keychain, create: false, catchUp: false, clock: { now: () => checkTime } });
      try {
        const versions = Object.values(s.store.read().Keys).flatMap((k) => k.Versions);
        for (const id of destroyed) {
          const v = versions.find((x) => x.KeyVersionId === id);
          assert.equal(v?.KeyVersionState, 'Destroyed', `life ${life}: version ${id} was reported destroyed`);
          assert.equal(v?.SealedMaterial, undefined);
        }
        assert.equal(files.size, FILES);
        for (const [path, sha] of files) {
          const out = `${path}.check`;
          await s.runFileJob({ JobId: `check-${life}-${path}`, Operation: 'Decrypt', InputPath: path, OutputPath: out, Overwrite: true });
          assert.equal(createHash('sha256').update(readFileSync(out)).digest('hex'), sha, `life ${life}: ${path} opens to its bytes`);
          rmSync(out);
        }
        assert.deepEqual((await s.verifyVault()).Problems, []);
      } finally {
        s.close();
      }
    }
    t.diagnostic(`${rounds} re-encrypt-files rounds reported, ${destroyed.size} versions destroyed, ${journalsLeft} kills left a batch journal`);
    assert.ok(rounds > 0, 'the workers completed at least one re-encrypt-files round');
    assert.ok(destroyed.size > 0, 'the workers destroyed at least one version');
  } finally {
    rmSync(filesDir, { recursive: true, force: true });
  }
});
