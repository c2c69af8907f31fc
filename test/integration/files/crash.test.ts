/**
 * Re-encrypt is crash-safe: a journal with a torn header is repaired by the next re-encrypt, and a
 * re-encrypt killed (SIGKILL) at random moments always leaves a file that decrypts.
 *
 * Run with KEYVAULT_REENCRYPT_CHILD set, this file is the child: it re-encrypts one file back and
 * forth between two keys until it is killed.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { KMSInvalidStateException } from '../../../main/core/errors.js';
import { createKeytarKeychain } from '../../../main/keychain/keychain.js';
import { journalPath, repairRewrap, writeRewrapJournal } from '../../../main/files/rewrapJournal.js';
import { openVault } from '../../../main/vault/openVault.js';
import { tempDir, type TempVault } from '../../support/tempVault.js';
import { job, strayFiles, writeRandom, twoKeyVault } from '../../support/fileTestKit.js';
import { assertBuilt, CliVault, ROOT } from '../../support/cliHarness.js';

const CHILD = process.env.KEYVAULT_REENCRYPT_CHILD;

async function childLoop(vaultDir: string, file: string, keys: string[]): Promise<void> {
  const service = await openVault({ dir: vaultDir, keychain: createKeytarKeychain(), create: false });
  process.stdout.write('ready\n');
  for (let i = 0; ; i++) {
    await service.runFileJob({ JobId: randomUUID(), Operation: 'ReEncrypt', InputPath: file, KeyId: keys[i % keys.length] });
  }
}

if (CHILD) {
  const [vaultDir, file, ...keys] = JSON.parse(CHILD) as string[];
  await childLoop(vaultDir!, file!, keys);
} else {
  describe('re-encrypt crash safety', () => {
    let tv: TempVault;
    let keyA: string;
    let keyB: string;
    twoKeyVault((v, a, b) => ([tv, keyA, keyB] = [v, a, b]));

    async function encryptedFixture(size = 300_000): Promise<{ dir: string; file: string; data: Buffer }> {
      const dir = tempDir();
      const input = join(dir, 'f.bin');
      const data = writeRandom(input, size);
      await job(tv.service, { Operation: 'Encrypt', InputPath: input, KeyId: keyA });
      return { dir, file: `${input}.age`, data };
    }

    async function decryptsTo(file: string, data: Buffer, dir: string): Promise<void> {
      const out = join(dir, `check-${randomUUID()}`);
      await job(tv.service, { Operation: 'Decrypt', InputPath: file, OutputPath: out });
      assert.ok(readFileSync(out).equals(data));
    }

    /** The file's header before and after a rewrap to key B, without touching the file. */
    async function headers(file: string, dir: string): Promise<{ oldHeader: Buffer; newHeader: Buffer }> {
      const size = (await job(tv.service, { Operation: 'Inspect', InputPath: file })).Inspection!.HeaderSize;
      const copy = join(dir, 'copy.age');
      writeFileSync(copy, readFileSync(file));
      await job(tv.service, { Operation: 'ReEncrypt', InputPath: copy, KeyId: keyB });
      const oldHeader = readFileSync(file).subarray(0, size);
      const newHeader = readFileSync(copy).subarray(0, size);
      assert.ok(!oldHeader.equals(newHeader));
      return { oldHeader, newHeader };
    }

    test('a torn header left with its journal is refused by decrypt and inspect, which write nothing, and repaired by re-encrypt', async () => {
      const { dir, file, data } = await encryptedFixture();
      const { oldHeader, newHeader } = await headers(file, dir);
      const size = readFileSync(file).length;
      await writeRewrapJournal(file, { size, oldHeader, newHeader }, tv.service.journalKey);
      // The crash: only the first half of the new header reached the disk.
      const torn = readFileSync(file);
      newHeader.copy(torn, 0, 0, Math.floor(newHeader.length / 2));
      writeFileSync(file, torn);
      const journal = readFileSync(journalPath(file));
      for (const op of ['Decrypt', 'Inspect'] as const) {
        await assert.rejects(
          job(tv.service, { Operation: op, InputPath: file, OutputPath: op === 'Decrypt' ? join(dir, 'out') : undefined }),
          (err: unknown) => {
            assert.ok(err instanceof KMSInvalidStateException, String(err));
            assert.match(err.message, /interrupted/);
            return true;
          },
        );
        assert.ok(readFileSync(file).equals(torn), `${op} left the file as it was`);
        assert.ok(readFileSync(journalPath(file)).equals(journal), `${op} left the journal as it was`);
      }
      const r = await job(tv.service, { Operation: 'ReEncrypt', InputPath: file, KeyId: keyB });
      assert.equal(r.KeyId, keyB);
      assert.ok(readFileSync(file).subarray(0, newHeader.length).equals(newHeader), 'the new header was completed');
      assert.ok(!existsSync(journalPath(file)), 'the journal is gone');
      await decryptsTo(file, data, dir);
    });

    test('re-encrypt repairs a leftover journal before rewriting', async () => {
      const { dir, file, data } = await encryptedFixture();
      const { oldHeader, newHeader } = await headers(file, dir);
      const size = readFileSync(file).length;
      await writeRewrapJournal(file, { size, oldHeader, newHeader }, tv.service.journalKey);
      const torn = readFileSync(file);
      newHeader.copy(torn, 0, 0, 100); // past the common prefix, into the key id
      writeFileSync(file, torn);
      const r = await job(tv.service, { Operation: 'ReEncrypt', InputPath: file, KeyId: keyA });
      assert.equal(r.KeyId, keyA);
      assert.ok(!existsSync(journalPath(file)));
      await decryptsTo(file, data, dir);
    });

    test('a journal whose header write never happened is rolled back, a damaged journal discarded', async () => {
      const { dir, file, data } = await encryptedFixture();
      const { oldHeader, newHeader } = await headers(file, dir);
      const before = readFileSync(file);
      await writeRewrapJournal(file, { size: before.length, oldHeader, newHeader }, tv.service.journalKey);
      assert.equal(await repairRewrap(file, tv.service.journalKey), 'rolled-back');
      assert.ok(readFileSync(file).equals(before));

      await writeRewrapJournal(file, { size: before.length, oldHeader, newHeader }, tv.service.journalKey);
      const j = readFileSync(journalPath(file));
      writeFileSync(journalPath(file), j.subarray(0, j.length - 5)); // crashed while writing the journal
      assert.equal(await repairRewrap(file, tv.service.journalKey), 'discarded');
      assert.ok(readFileSync(file).equals(before));
      assert.ok(!existsSync(journalPath(file)));
      await decryptsTo(file, data, dir);
    });

    test('a journal that does not match the file (replaced since) leaves the file alone', async () => {
      const { dir, file } = await encryptedFixture();
      const { oldHeader, newHeader } = await headers(file, dir);
      const other = Buffer.alloc(readFileSync(file).length, 0x41);
      writeFileSync(file, other);
      await writeRewrapJournal(file, { size: other.length, oldHeader, newHeader }, tv.service.journalKey);
      assert.equal(await repairRewrap(file, tv.service.journalKey), 'discarded');
      assert.ok(readFileSync(file).equals(other));
    });

    test('a re-encrypt killed at random moments always leaves a file that decrypts', { timeout: 240_000 }, async () => {
      const { dir, file, data } = await encryptedFixture(1_000_000);
      const rounds = Number(process.env.KEYVAULT_KILL_ROUNDS ?? 12);
      const self = fileURLToPath(import.meta.url);
      for (let round = 0; round < rounds; round++) {
        const child = spawn(process.execPath, ['--import', 'tsx', self], {
          env: { ...process.env, KEYVAULT_REENCRYPT_CHILD: JSON.stringify([tv.dir, file, keyB, keyA]) },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        await new Promise<void>((resolve, reject) => {
          child.stdout.on('data', (b: Buffer) => {
            if (b.toString().includes('ready')) resolve();
          });
          child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
        });
        await new Promise((r) => setTimeout(r, randomInt(0, 400)));
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
        await decryptsTo(file, data, dir); // as it was left: decrypt repairs nothing
        await job(tv.service, { Operation: 'ReEncrypt', InputPath: file, KeyId: keyA });
        assert.ok(!existsSync(journalPath(file)), `journal repaired by the re-encrypt after round ${round}`);
        await decryptsTo(file, data, dir);
      }
      assert.deepEqual(
        strayFiles(dir, ['f.bin', 'f.bin.age']).filter((n) => !n.startsWith('check-')),
        [],
      );
    });
  });

  /*
   * The CLI file commands stopped by signals: SIGTERM and SIGHUP cancel the job like Ctrl-C (the
   * partial output is removed, CancelledException, exit 254); after SIGKILL the part stays only
   * until the next job in that folder sweeps it. Checked after every kill.
   */
  describe('file commands stopped by signals leave no partial output', () => {
    const cli = new CliVault('kv-signals-');
    let keyId = '';
    let otherKeyId = '';
    let dir = '';
    before(async () => {
      assertBuilt();
      keyId = (await cli.ok<{ KeyMetadata: { KeyId: string } }>(['create-key'])).KeyMetadata.KeyId;
      otherKeyId = (await cli.ok<{ KeyMetadata: { KeyId: string } }>(['create-key'])).KeyMetadata.KeyId;
      dir = tempDir();
      writeRandom(join(dir, 'big.bin'), 96 << 20);
      writeRandom(join(dir, 'small.bin'), 1000);
      await cli.ok(['encrypt-file', '--key-id', keyId, '--in', join(dir, 'big.bin')]);
      await cli.ok(['encrypt-file', '--key-id', keyId, '--in', join(dir, 'big.bin'), '--out', join(dir, 'armored.age'), '--armor']);
    });
    after(async () => {
      await cli.destroy();
      rmSync(dir, { recursive: true, force: true });
    });

    const parts = (): string[] => readdirSync(dir).filter((n) => n.endsWith('.keyvault-part'));

    /**
     * Whether `pid` holds an output with no name yet in `dir` (Linux O_TMPFILE: /proc shows it as
     * "<dir>/#<inode> (deleted)"), the form partial output takes where the file system allows it.
     */
    const holdsUnnamedOutput = (pid: number): boolean => {
      try {
        return readdirSync(`/proc/${pid}/fd`).some((fd) => {
          try {
            const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
            return target.startsWith(`${dir}/#`) && target.endsWith('(deleted)');
          } catch {
            return false;
          }
        });
      } catch {
        return false;
      }
    };

    /** Starts a CLI file command and resolves once its partial output exists (false if it ended first). */
    async function startAndWaitForPart(
      args: string[],
    ): Promise<{ child: ChildProcessWithoutNullStreams; exited: Promise<{ code: number | null; stderr: string }>; sawPart: boolean; unnamed: boolean }> {
      const child = spawn(process.execPath, [join(ROOT, 'bin', 'keyvault'), '--vault-dir', cli.dir, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      let ended = false;
      const exited = new Promise<{ code: number | null; stderr: string }>((resolve) =>
        child.on('close', (code) => ((ended = true), resolve({ code, stderr }))),
      );
      let unnamed = false;
      while (!ended && parts().length === 0 && !(unnamed = holdsUnnamedOutput(child.pid!))) await new Promise((r) => setTimeout(r, 2));
      return { child, exited, sawPart: !ended, unnamed };
    }

    const jobs: [string, string[]][] = [
      ['encrypt-file', ['encrypt-file', '--in', 'big.bin', '--out', 'out.age', '--overwrite']],
      ['decrypt-file', ['decrypt-file', '--in', 'big.bin.age', '--out', 'plain.bin', '--overwrite']],
      // Every run is stopped before its rename, so the file stays under keyId and always has to move.
      ['armored re-encrypt-file', ['re-encrypt-file', '--in', 'armored.age', '--destination-key-id', 'OTHER']],
    ];
    const withPaths = (args: string[]): string[] =>
      args
        .map((a, i) => (args[i - 1] === '--in' || args[i - 1] === '--out' ? join(dir, a) : a === 'OTHER' ? otherKeyId : a))
        .concat(args[0] === 'encrypt-file' ? ['--key-id', keyId] : []);

    for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
      for (const [label, args] of jobs) {
        test(`${signal} during ${label} cancels it and removes the part`, { timeout: 60_000 }, async () => {
          const run = await startAndWaitForPart(withPaths(args));
          assert.ok(run.sawPart, 'the job ended before it could be signalled (machine too fast for the fixture)');
          run.child.kill(signal);
          const { code, stderr } = await run.exited;
          assert.equal(code, 254, stderr);
          const err = JSON.parse(stderr) as { __type: string; message: string };
          assert.equal(err.__type, 'CancelledException');
          assert.match(err.message, new RegExp(signal));
          assert.deepEqual(parts(), [], `no part left after ${signal}`);
        });
      }
    }

    for (const [label, args] of jobs) {
      test(`SIGKILL during ${label} leaves no partial output once the next job ran`, { timeout: 60_000 }, async () => {
        const run = await startAndWaitForPart(withPaths(args));
        assert.ok(run.sawPart, 'the job ended before it could be killed');
        run.child.kill('SIGKILL');
        await run.exited;
        if (run.unnamed) assert.deepEqual(parts(), [], 'an output with no name yet goes with its process');
        else assert.equal(parts().length, 1, 'SIGKILL leaves the named part (nothing can run)');
        await cli.ok(['encrypt-file', '--key-id', keyId, '--in', join(dir, 'small.bin'), '--overwrite']);
        assert.deepEqual(parts(), [], 'nothing partial is left');
      });
    }

    test('the next job in a folder sweeps a stale part of a dead writer (where outputs have names)', async () => {
      const deadPid = spawnSync('true').pid!; // a process that has already exited
      const stale = join(dir, `.big.bin.${deadPid}.0123456789ab.keyvault-part`);
      writeFileSync(stale, 'partial plaintext');
      await cli.ok(['encrypt-file', '--key-id', keyId, '--in', join(dir, 'small.bin'), '--overwrite']);
      assert.equal(existsSync(stale), false, 'the stale part was removed');
    });

    test('verify-vault reports a stale part it sees in the vault folder', async () => {
      const deadPid = spawnSync('true').pid!; // a process that has already exited
      const stale = join(cli.dir, `.notes.txt.${deadPid}.0123456789ab.keyvault-part`);
      writeFileSync(stale, 'partial plaintext');
      try {
        const report = await cli.ok<{ Warnings: { Problem: string }[] }>(['verify-vault']);
        assert.ok(
          report.Warnings.some((w) => w.Problem.includes(stale)),
          JSON.stringify(report.Warnings),
        );
      } finally {
        rmSync(stale, { force: true });
      }
    });

    test('a part whose writer is alive, or not named by our pattern, is never swept', async () => {
      const live = join(dir, `.live.bin.${process.pid}.0123456789ab.keyvault-part`);
      const foreign = join(dir, '.foreign.bin.0123456789ab.keyvault-part');
      writeFileSync(live, 'live');
      writeFileSync(foreign, 'old format');
      try {
        await cli.ok(['encrypt-file', '--key-id', keyId, '--in', join(dir, 'small.bin'), '--overwrite']);
        assert.ok(existsSync(live), 'the part of a live process stays');
        assert.ok(existsSync(foreign), 'a name without a pid is not ours to judge');
      } finally {
        for (const f of [live, foreign]) rmSync(f, { force: true });
      }
    });
  });
}
