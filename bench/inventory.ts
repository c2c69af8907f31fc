/**
 * bench/inventory (issue 12): a folder of 10,000 small age files under vault keys.
 *  - scan-files over the folder, files per second vs reading just the header (first 4 KiB) of the
 *    same files in the same run                                               target >= 0.5x
 *  - re-encrypt-files --key-id of 1,000 of them after a rotation of their key (headers rewritten in
 *    place, durably, under the batch journal), files per second vs reading those 1,000 headers
 *                                                                             target >= 0.25x
 *  - a vault commit (rotate-key-on-demand) once the inventory holds the 10,000 files, vs a bare
 *    durable write of the same vault.json bytes (bench/vault.ts's commit target)   target <= 2.5x
 *    and vs the same commit with an empty inventory                               no target
 * Scan and rewrap are measured twice: with the files in the page cache, and (Linux, as root) from
 * disk, the page cache emptied before each contender, on a second folder of the same shape.
 *
 * The files are copies of one encrypted file (same header digest, each a valid age file); scan and
 * rewrap do not depend on the payload. Each header-read reference is the median of three passes
 * after one warm-up pass (so both sides read from the page cache), with synchronous calls: the
 * fastest way Node reads a few KiB, and the way scan-files reads them.
 * Run alone: `node scripts/with-keyring.mjs node --import tsx bench/inventory.ts`.
 */
import { bareDurableWriteMs } from './references.js';
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createKeytarKeychain, keychainAccountForVault } from '../main/keychain/keychain.js';
import { openVault } from '../main/vault/openVault.js';
import { median, report, type BenchResult } from './report.js';

const FILES = Number(process.env.KEYVAULT_BENCH_INVENTORY_FILES ?? 10_000);
const REWRAP = Math.min(FILES, 1000);
/** Files per folder: one folder by default, as the issue describes it; KEYVAULT_BENCH_PER_DIR=100 spreads them. */
const PER_DIR = Number(process.env.KEYVAULT_BENCH_PER_DIR ?? FILES);

const bareWriteMs = bareDurableWriteMs;

/**
 * Median time of a few rotations (one durable commit each), and of a bare durable write of the
 * same vault.json bytes, alternating so that both see the same load.
 */
async function commitMs(
  service: Awaited<ReturnType<typeof openVault>>,
  keyId: string,
  vaultDir: string,
  scratch: string,
): Promise<{ commit: number; bare: number }> {
  const runs: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    await service.rotateKeyOnDemand({ KeyId: keyId });
    runs.push(performance.now() - t0);
    bare.push(bareWriteMs(scratch, readFileSync(join(vaultDir, 'vault.json'))));
  }
  return { commit: median(runs), bare: median(bare) };
}

/** The reference: open, read the first 4 KiB, close, with the fastest calls Node has (synchronous). */
function readHeaders(paths: readonly string[]): number {
  const buf = Buffer.alloc(4096);
  const t0 = performance.now();
  for (const p of paths) {
    const fd = openSync(p, 'r');
    readSync(fd, buf, 0, buf.length, 0);
    closeSync(fd);
  }
  return performance.now() - t0;
}

function headerRate(paths: readonly string[]): number {
  readHeaders(paths);
  const runs = [readHeaders(paths), readHeaders(paths), readHeaders(paths)];
  return paths.length / (median(runs) / 1000);
}

type Service = Awaited<ReturnType<typeof openVault>>;

interface Folder {
  folder: string;
  paths: string[];
  /** The first REWRAP files, encrypted under the rewrap key. */
  rewrap: string[];
}

/** One encrypted model file per key, copied FILES times into PER_DIR-file folders under `name`. */
async function makeFolder(service: Service, root: string, name: string, keyId: string, rewrapKeyId: string): Promise<Folder> {
  const plain = join(root, `${name}.bin`);
  writeFileSync(plain, randomBytes(1024));
  const modelFor = async (k: string): Promise<string> =>
    (await service.runFileJob({ JobId: randomUUID(), Operation: 'Encrypt', InputPath: plain, KeyId: k, OutputPath: join(root, `${name}-${k}.age`) }))
      .OutputPath!;
  const model = await modelFor(keyId);
  const rewrapModel = await modelFor(rewrapKeyId);
  const folder = join(root, name);
  const paths: string[] = [];
  for (let i = 0; i < FILES; i++) {
    const dir = join(folder, `d${Math.floor(i / PER_DIR)}`);
    if (i % PER_DIR === 0) mkdirSync(dir, { recursive: true });
    const p = join(dir, `f${i}.age`);
    copyFileSync(i < REWRAP ? rewrapModel : model, p);
    paths.push(p);
  }
  // The models were recorded too: the rewrap key's would be one more file to bring forward.
  rmSync(rewrapModel);
  return { folder, paths, rewrap: paths.slice(0, REWRAP) };
}

async function timedScan(service: Service, folder: string): Promise<number> {
  const t0 = performance.now();
  const scan = await service.scanFiles({ Directory: folder });
  const rate = FILES / ((performance.now() - t0) / 1000);
  if (scan.Found !== FILES || scan.Added !== FILES) throw new Error(`scan found ${scan.Found} and added ${scan.Added} of ${FILES} files`);
  return rate;
}

/** One `re-encrypt-files --key-id K`, as the app's "Bring N files up to date" runs it. */
async function timedRewrap(service: Service, keyId: string, expected: number): Promise<number> {
  const t0 = performance.now();
  const r = await service.reEncryptFiles({ KeyId: keyId });
  const rate = r.ReEncrypted / ((performance.now() - t0) / 1000);
  if (r.ReEncrypted !== expected || r.Failed.length > 0) throw new Error(`rewrapped ${r.ReEncrypted} of ${expected} files (${r.Failed.length} failed)`);
  return rate;
}

/** Writes dirty pages back, then empties the page cache; false where that is not allowed. */
function dropPageCache(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    execFileSync('sync');
    writeFileSync('/proc/sys/vm/drop_caches', '3');
    return true;
  } catch {
    return false;
  }
}

/** A files-per-second figure with its ratio target against a header-read reference. */
function rateResult(name: string, value: number, target: number, referenceName: string, reference: number): BenchResult {
  return { name, value, unit: 'files/s', better: 'higher', target, targetIsRatio: true, reference: { name: referenceName, value: reference } };
}

export async function runInventoryBench(): Promise<BenchResult[]> {
  const root = mkdtempSync(join(tmpdir(), 'kv-bench-inventory-'));
  const keychain = createKeytarKeychain();
  const vaultDir = join(root, 'vault');
  const scratch = join(root, 'scratch');
  mkdirSync(scratch);
  const service = await openVault({ dir: vaultDir, keychain });
  const vaultId = service.vaultId;
  try {
    const keyId = (await service.createKey({ Description: 'bench inventory' })).KeyMetadata.KeyId;
    const commitBefore = await commitMs(service, keyId, vaultDir, scratch);
    // The files to rewrap are under keys of their own, so that one `re-encrypt-files --key-id K`
    // (what "Bring N files up to date" runs) brings exactly them forward.
    const warmKey = (await service.createKey({ Description: 'bench rewrap (page cache)' })).KeyMetadata.KeyId;
    const coldKey = (await service.createKey({ Description: 'bench rewrap (from disk)' })).KeyMetadata.KeyId;
    const warm = await makeFolder(service, root, 'warm', keyId, warmKey);
    const cold = await makeFolder(service, root, 'cold', keyId, coldKey);

    // Write the fresh copies back before timing anything: otherwise the first fsync after them (the
    // scan's commit) also pays for flushing their 10,000 files of dirty pages, which no real scan of
    // files written long ago does, and the header-read reference never pays.
    execFileSync('sync', process.platform === 'linux' ? ['-f', root] : []);
    const scanReference = headerRate(warm.paths);
    const scanRate = await timedScan(service, warm.folder);
    const commitAfter = await commitMs(service, keyId, vaultDir, scratch);

    await service.rotateKeyOnDemand({ KeyId: warmKey });
    const rewrapReference = headerRate(warm.rewrap);
    const rewrapRate = await timedRewrap(service, warmKey, warm.rewrap.length);

    const results: BenchResult[] = [
      rateResult(`scan-files, ${FILES} small age files (page cache)`, scanRate, 0.5, 'reading their headers from the page cache', scanReference),
      rateResult(
        `re-encrypt-files --key-id, ${warm.rewrap.length} files (page cache)`,
        rewrapRate,
        0.25,
        'reading their headers from the page cache',
        rewrapReference,
      ),
    ];

    // The same two jobs on files the machine has not just read, as a scan of an old folder meets
    // them: the page cache is emptied before each contender (Linux, as root; skipped otherwise).
    if (dropPageCache()) {
      const coldScanReference = FILES / (readHeaders(cold.paths) / 1000);
      dropPageCache();
      const coldScan = await timedScan(service, cold.folder);
      await service.rotateKeyOnDemand({ KeyId: coldKey });
      dropPageCache();
      const coldRewrapReference = cold.rewrap.length / (readHeaders(cold.rewrap) / 1000);
      dropPageCache();
      const coldRewrap = await timedRewrap(service, coldKey, cold.rewrap.length);
      results.push(
        rateResult(
          `scan-files, ${FILES} small age files (from disk, another ${FILES} already known)`,
          coldScan,
          0.5,
          'reading their headers from disk',
          coldScanReference,
        ),
        rateResult(
          `re-encrypt-files --key-id, ${cold.rewrap.length} files (from disk)`,
          coldRewrap,
          0.25,
          'reading their headers from disk',
          coldRewrapReference,
        ),
      );
    } else {
      console.log('bench/inventory: the page cache cannot be emptied here (Linux and root only): no from-disk figures');
    }

    return [
      ...results,
      {
        name: `a commit (rotate-key-on-demand) with ${FILES} files in the inventory`,
        value: commitAfter.commit,
        unit: 'ms',
        better: 'lower',
        target: 2.5,
        targetIsRatio: true,
        reference: { name: 'bare write + fsync + rename + fsync dir of the same bytes', value: commitAfter.bare },
      },
      {
        name: `the same commit with ${FILES} files vs an empty inventory`,
        value: commitAfter.commit,
        unit: 'ms',
        better: 'lower',
        reference: { name: 'the same commit with an empty inventory', value: commitBefore.commit },
      },
    ];
  } finally {
    service.close();
    await keychain.deleteSecret(keychainAccountForVault(vaultId)).catch(() => false);
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  report('inventory', await runInventoryBench());
}
