/**
 * SIGKILL inside commits: a worker does nothing but small commits and is killed at random moments,
 * so many kills land between the rename of vault.json and the revision record written to the
 * keychain after it (or during either). After every kill: the keychain never records a revision
 * ahead of the file, the vault opens (no false rollback or MAC alarm), the standalone verify-vault
 * is Ok, and no commit reported done is lost (the file's revision is at least the last reported).
 * Half the lives run the worker in the app's mode, where the floor is written after the commit has
 * returned (still under the lock).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { keychainRevisionLedger, revisionAccountForVault } from '../../../main/keychain/revisionRecord.js';
import { openVault } from '../../../main/vault/openVault.js';
import { verifyVaultDirectory } from '../../../main/vault/vaultVerifier.js';
import { buildFaultWorker, startWorker, type BuiltWorker } from '../../support/faultHarness.js';
import { createTempVault, type TempVault } from '../../support/tempVault.js';

const LIVES = Number(process.env.KEYVAULT_COMMIT_KILLS ?? 40);

let worker: BuiltWorker;
let v: TempVault;
let vaultId: string;

before(async () => {
  worker = await buildFaultWorker();
  v = await createTempVault();
  vaultId = v.service.vaultId;
  v.service.close();
});
after(async () => {
  worker?.remove();
  await v?.keychain.deleteSecret(revisionAccountForVault(vaultId)).catch(() => false);
  await v?.cleanup();
});

test(
  `after each of ${LIVES} SIGKILLs inside commits the vault opens and verifies, and the keychain never leads the file`,
  { timeout: 10 * 60_000 },
  async (t) => {
    let lastReported = 0;
    let lagging = 0;
    for (let life = 0; life < LIVES; life++) {
      // Every other life opens the vault as the app does (floor written after the commit returned).
      const w = startWorker(worker, { dir: v.dir, mode: 'commits', settleInBackground: life % 2 === 1 });
      await Promise.race([w.ready, sleep(60_000, undefined, { ref: false }).then(() => Promise.reject(new Error('worker did not get ready within 60 s')))]);
      await sleep(20 + randomInt(150));
      w.child.kill('SIGKILL');
      const exit = await w.exited;
      assert.equal(exit.signal, 'SIGKILL', `life ${life}: ${exit.stderr}`);
      for (const line of w.lines) {
        if (line.op === 'commit') lastReported = Math.max(lastReported, line.Revision as number);
        else assert.ok(line.op === 'ready', `life ${life}: the worker reported ${JSON.stringify(line)}`);
      }

      const onDisk = (JSON.parse(readFileSync(join(v.dir, 'vault.json'), 'utf8')) as { Revision: number }).Revision;
      const recorded = await keychainRevisionLedger(v.keychain, vaultId).read();
      assert.ok(recorded !== null && recorded <= onDisk, `life ${life}: keychain records ${String(recorded)}, file is at ${onDisk}`);
      if (recorded < onDisk) lagging++;
      assert.ok(onDisk >= lastReported, `life ${life}: revision ${lastReported} was reported done but the file is at ${onDisk}`);
      const report = await verifyVaultDirectory({ dir: v.dir, keychain: v.keychain });
      assert.equal(report.Ok, true, `life ${life}: ${JSON.stringify(report.Problems)}`);
      const s = await openVault({ dir: v.dir, keychain: v.keychain, create: false, catchUp: false });
      s.close();
    }
    t.diagnostic(`lives: ${LIVES}, last revision: ${lastReported}, kills that left the keychain one commit behind the file: ${lagging}`);
  },
);
