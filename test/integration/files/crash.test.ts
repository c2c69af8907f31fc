/**
 * Re-encrypt is crash-safe: a journal with a torn header is repaired by the next re-encrypt, and a
 * re-encrypt killed (SIGKILL) at random moments always leaves a file that decrypts.
 *
 * Run with KEYVAULT_REENCRYPT_CHILD set, this file is the child: it re-encrypts one file back and
 * forth between two keys until it is killed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { KMSInvalidStateException } from '../../../main/core/errors.js';
import { createKeytarKeychain } from '../../../main/keychain/keychain.js';
import { journalPath, repairRewrap, writeRewrapJournal } from '../../../main/files/rewrapJournal.js';
import { openVault } from '../../../main/vault/openVault.js';
import { createTempVault, tempDir, type TempVault } from '../../support/tempVault.js';
import { job, newKey, strayFiles, writeRandom } from '../../support/fileTestKit.js';

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
    before(async () => {
      tv = await createTempVault();
      keyA = await newKey(tv.service);
      keyB = await newKey(tv.service);
    });
    after(async () => {
      await tv.cleanup();
    });

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
        await assert.rejects(job(tv.service, { Operation: op, InputPath: file, OutputPath: op === 'Decrypt' ? join(dir, 'out') : undefined }), (err: unknown) => {
          assert.ok(err instanceof KMSInvalidStateException, String(err));
          assert.match(err.message, /interrupted/);
          return true;
        });
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
      assert.deepEqual(strayFiles(dir, ['f.bin', 'f.bin.age']).filter((n) => !n.startsWith('check-')), []);
    });
  });
}
