/**
 * bench/inventory (issue 12): a folder of 10,000 small age files under one vault key.
 *  - scan-files over the folder, files per second vs reading just the header (first 4 KiB) of the
 *    same files in the same run                                               target >= 0.5x
 *  - re-encrypt-files of 1,000 of them after a rotation (header rewritten in place, durably, with
 *    the rewrap journal), files per second vs reading those 1,000 headers       target >= 0.25x
 *  - a vault commit (rotate-key-on-demand) once the inventory holds the 10,000 files, vs a bare
 *    durable write of the same vault.json bytes (bench/vault.ts's commit target)   target <= 2.5x
 *    and vs the same commit with an empty inventory                               no target
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
const PER_DIR = 100;

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
    const plain = join(root, 'one.bin');
    writeFileSync(plain, randomBytes(1024));
    const commitBefore = await commitMs(service, keyId, vaultDir, scratch);
    const model = (await service.runFileJob({ JobId: randomUUID(), Operation: 'Encrypt', InputPath: plain, KeyId: keyId })).OutputPath!;
    const folder = join(root, 'files');
    const paths: string[] = [];
    for (let i = 0; i < FILES; i++) {
      const dir = join(folder, `d${Math.floor(i / PER_DIR)}`);
      if (i % PER_DIR === 0) mkdirSync(dir, { recursive: true });
      const p = join(dir, `f${i}.age`);
      copyFileSync(model, p);
      paths.push(p);
    }

    // Write the fresh copies back before timing anything: otherwise the first fsync after them (the
    // scan's commit) also pays for flushing their 10,000 files of dirty pages, which no real scan of
    // files written long ago does, and the header-read reference never pays.
    execFileSync('sync', process.platform === 'linux' ? ['-f', folder] : []);
    const scanReference = headerRate(paths);
    const t0 = performance.now();
    const scan = await service.scanFiles({ Directory: folder });
    const scanRate = FILES / ((performance.now() - t0) / 1000);
    if (scan.Found !== FILES) throw new Error(`scan found ${scan.Found} of ${FILES} files`);
    const commitAfter = await commitMs(service, keyId, vaultDir, scratch);

    await service.rotateKeyOnDemand({ KeyId: keyId });
    const rewrapDirs = Math.ceil(REWRAP / PER_DIR);
    const rewrapPaths = paths.slice(0, rewrapDirs * PER_DIR);
    const rewrapReference = headerRate(rewrapPaths);
    let rewrapped = 0;
    const t1 = performance.now();
    for (let d = 0; d < rewrapDirs; d++) {
      rewrapped += (await service.reEncryptFiles({ KeyId: keyId, Directory: join(folder, `d${d}`) })).ReEncrypted;
    }
    const rewrapRate = rewrapped / ((performance.now() - t1) / 1000);
    if (rewrapped !== rewrapPaths.length) throw new Error(`rewrapped ${rewrapped} of ${rewrapPaths.length} files`);

    return [
      {
        name: `scan-files, ${FILES} small age files`,
        value: scanRate,
        unit: 'files/s',
        better: 'higher',
        target: 0.5,
        targetIsRatio: true,
        reference: { name: 'reading their headers', value: scanReference },
      },
      {
        name: `re-encrypt-files, ${rewrapPaths.length} files`,
        value: rewrapRate,
        unit: 'files/s',
        better: 'higher',
        target: 0.25,
        targetIsRatio: true,
        reference: { name: 'reading their headers', value: rewrapReference },
      },
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
