/**
 * The re-encrypt journal (`.<name>.keyvault-rewrap`) is an instruction to write into a file, so it
 * is obeyed only when it is the user's own regular file, not a link, authentic under the vault's
 * key and written for this very file; and only by ReEncrypt. Each test plays one attack.
 *
 * Run with KEYVAULT_DECRYPT_CHILD set, this file is the child of the kill test: it decrypts one
 * file over and over (to a new output each time, removed once complete) until it is killed.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomInt, randomUUID } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  copyFileSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { KMSInvalidStateException } from '../../../main/core/errors.js';
import { journalPath, writeRewrapJournal } from '../../../main/files/rewrapJournal.js';
import { createKeytarKeychain } from '../../../main/keychain/keychain.js';
import { openVault } from '../../../main/vault/openVault.js';
import { tempDir, type TempVault } from '../../support/tempVault.js';
import { job, writeRandom, twoKeyVault } from './fileTestKit.js';

const NOBODY = 65534;
const NOGROUP = 65534;
const asRoot = process.getuid?.() === 0;
const needsRoot = { skip: !asRoot && 'needs root to act as another user (nobody)' };
const CHILD = process.env.KEYVAULT_DECRYPT_CHILD;

/** Writes `data` to `path` as nobody:nogroup, the way another local user would plant a file. */
function plantAsNobody(path: string, data: Buffer): void {
  const script =
    'import os,sys,base64\nfd=os.open(sys.argv[1],os.O_WRONLY|os.O_CREAT|os.O_EXCL,0o644)\nos.write(fd,base64.b64decode(sys.stdin.read()))\nos.close(fd)';
  const r = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '/usr/bin/python3', '-c', script, path], {
    input: data.toString('base64'),
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(statSync(path).uid, NOBODY);
}

/** What another re-encrypt holds while it rewrites a file: an exclusive flock on it. */
const HOLD_FILE_LOCK = 'import fcntl,os,sys,time\nfd=os.open(sys.argv[1],os.O_RDONLY)\nfcntl.flock(fd,fcntl.LOCK_EX)\nprint("held",flush=True)\ntime.sleep(60)';

/** The journal format before it was authenticated: anyone who can write the folder can make one. */
function unauthenticatedJournal(size: number, oldHeader: Buffer, newHeader: Buffer): Buffer {
  const fixed = Buffer.alloc(16);
  fixed.writeUIntBE(size, 0, 6);
  fixed.writeUInt32BE(oldHeader.length, 8);
  fixed.writeUInt32BE(newHeader.length, 12);
  const body = Buffer.concat([Buffer.from('keyvault-rewrap/v1\n', 'latin1'), fixed, oldHeader, newHeader]);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

function refusedNaming(jpath: string, reason: RegExp): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof KMSInvalidStateException, `expected KMSInvalidStateException, got ${String(err)}`);
    assert.ok(err.message.includes(jpath), err.message);
    assert.match(err.message, reason);
    assert.match(err.message, /left in place/);
    return true;
  };
}

if (CHILD) {
  const [vaultDir, file, outDir] = JSON.parse(CHILD) as string[];
  const service = await openVault({ dir: vaultDir!, keychain: createKeytarKeychain(), create: false });
  process.stdout.write('ready\n');
  for (;;) {
    const output = join(outDir!, `plain-${randomUUID()}`);
    try {
      await service.runFileJob({ JobId: randomUUID(), Operation: 'Decrypt', InputPath: file!, OutputPath: output });
      unlinkSync(output);
    } catch (err) {
      // The torn file is refused (KMSInvalidStateException) every time: keep trying until killed.
      if (!(err instanceof KMSInvalidStateException)) throw err;
    }
  }
} else {
  describe('re-encrypt journal trust', () => {
    let tv: TempVault;
    let keyA: string;
    let keyB: string;
    twoKeyVault((v, a, b) => ([tv, keyA, keyB] = [v, a, b]));

    /** A file under key A in a folder of its own (world-writable and sticky, like /tmp, when `shared`). */
    async function victim(shared = false, size = 200_000): Promise<{ dir: string; file: string; data: Buffer; header: Buffer }> {
      const dir = tempDir('keyvault-journal-');
      if (shared) chmodSync(dir, 0o1777);
      const input = join(dir, 'f.bin');
      const data = writeRandom(input, size);
      await job(tv.service, { Operation: 'Encrypt', InputPath: input, KeyId: keyA });
      const file = `${input}.age`;
      const headerSize = (await job(tv.service, { Operation: 'Inspect', InputPath: file })).Inspection!.HeaderSize;
      return { dir, file, data, header: readFileSync(file).subarray(0, headerSize) };
    }

    /** The file's header re-encrypted to key B, computed on a copy. */
    async function rewrappedHeader(file: string, dir: string, length: number): Promise<Buffer> {
      const copy = join(dir, `copy-${randomUUID()}.age`);
      copyFileSync(file, copy);
      await job(tv.service, { Operation: 'ReEncrypt', InputPath: copy, KeyId: keyB });
      return readFileSync(copy).subarray(0, length);
    }

    /** The crash state: an authentic journal and the file's header half old, half new. */
    async function tornWithJournal(shared = false): Promise<{ dir: string; file: string; data: Buffer; torn: Buffer; journal: Buffer }> {
      const v = await victim(shared);
      const newHeader = await rewrappedHeader(v.file, v.dir, v.header.length);
      const bytes = readFileSync(v.file);
      await writeRewrapJournal(v.file, { size: bytes.length, oldHeader: v.header, newHeader }, tv.service.journalKey);
      newHeader.copy(bytes, 0, 0, Math.floor(newHeader.length / 2));
      writeFileSync(v.file, bytes);
      return { dir: v.dir, file: v.file, data: v.data, torn: bytes, journal: readFileSync(journalPath(v.file)) };
    }

    async function decryptsTo(file: string, data: Buffer, dir: string): Promise<void> {
      const out = join(dir, `check-${randomUUID()}`);
      await job(tv.service, { Operation: 'Decrypt', InputPath: file, OutputPath: out });
      assert.ok(readFileSync(out).equals(data), 'decrypts to the original');
    }

    test(
      'a journal forged by another user in a shared folder changes nothing: decrypt and inspect ignore it, re-encrypt refuses naming it',
      needsRoot,
      async () => {
        const { dir, file, data, header } = await victim(true);
        const before = readFileSync(file);
        // Accepted by the unauthenticated format, this journal would have the vault overwrite the
        // header's MAC (destroying the file): byte 0 of "old" differs from the file, every other
        // byte of the file matches "old", so the file looks torn between the two.
        const forgedNew = Buffer.from(header);
        forgedNew[forgedNew.length - 5] = forgedNew[forgedNew.length - 5] === 0x41 ? 0x42 : 0x41;
        const forgedOld = Buffer.from(header);
        forgedOld[0] = 0x58;
        const jpath = journalPath(file);
        plantAsNobody(jpath, unauthenticatedJournal(before.length, forgedOld, forgedNew));
        const planted = readFileSync(jpath);

        await decryptsTo(file, data, dir);
        const inspected = await job(tv.service, { Operation: 'Inspect', InputPath: file });
        assert.equal(inspected.KeyId, keyA);
        await assert.rejects(job(tv.service, { Operation: 'ReEncrypt', InputPath: file, KeyId: keyB }), refusedNaming(jpath, /user id 65534/));
        assert.ok(readFileSync(file).equals(before), 'the file is untouched');
        assert.ok(readFileSync(jpath).equals(planted), 'the planted journal is left for the user to see');
      },
    );

    test('an authentic journal that belongs to another user is not obeyed', needsRoot, async () => {
      const { file, torn, journal } = await tornWithJournal();
      const jpath = journalPath(file);
      chownSync(jpath, NOBODY, NOGROUP);
      await assert.rejects(job(tv.service, { Operation: 'ReEncrypt', InputPath: file, KeyId: keyB }), refusedNaming(jpath, /belongs to user id 65534/));
      assert.ok(readFileSync(file).equals(torn), 'the file is untouched');
      assert.ok(readFileSync(jpath).equals(journal));
    });

    test('a journal of our own format that fails authentication is not obeyed', async () => {
      const { file, torn, journal } = await tornWithJournal();
      const jpath = journalPath(file);
      const forged = Buffer.from(journal);
      forged[forged.length - 1]! ^= 1;
      writeFileSync(jpath, forged);
      await assert.rejects(job(tv.service, { Operation: 'ReEncrypt', InputPath: file, KeyId: keyB }), refusedNaming(jpath, /fails authentication/));
      assert.ok(readFileSync(file).equals(torn));
      assert.ok(readFileSync(jpath).equals(forged));
    });

    test('a journal that is a symbolic link is not followed, even to an authentic journal', async () => {
      const { dir, file, torn, journal } = await tornWithJournal();
      const jpath = journalPath(file);
      const elsewhere = join(dir, 'elsewhere');
      mkdirSync(elsewhere);
      const target = join(elsewhere, 'journal');
      renameSync(jpath, target);
      symlinkSync(target, jpath);
      await assert.rejects(job(tv.service, { Operation: 'ReEncrypt', InputPath: file, KeyId: keyB }), refusedNaming(jpath, /symbolic link/));
      assert.ok(lstatSync(jpath).isSymbolicLink(), 'the link is left in place');
      assert.equal(readlinkSync(jpath), target);
      assert.ok(readFileSync(target).equals(journal), 'its target is untouched');
      assert.ok(readFileSync(file).equals(torn), 'the file is untouched');
    });

    test('an authentic journal written for another file (other inode) is not applied', async () => {
      const { dir, file, data, torn, journal } = await tornWithJournal();
      const other = join(dir, 'other.age');
      writeFileSync(other, torn); // same bytes and size, another inode
      const otherJournal = journalPath(other);
      writeFileSync(otherJournal, journal, { mode: 0o600 });
      await assert.rejects(job(tv.service, { Operation: 'ReEncrypt', InputPath: other, KeyId: keyB }), refusedNaming(otherJournal, /another file/));
      assert.ok(readFileSync(other).equals(torn));
      assert.ok(readFileSync(otherJournal).equals(journal));
      // The same journal still repairs the file it was written for.
      await job(tv.service, { Operation: 'ReEncrypt', InputPath: file, KeyId: keyB });
      await decryptsTo(file, data, dir);
    });

    test('an authentic journal whose file has changed size since is not applied', async () => {
      const { file, torn } = await tornWithJournal();
      appendFileSync(file, Buffer.from('x'));
      await assert.rejects(job(tv.service, { Operation: 'ReEncrypt', InputPath: file, KeyId: keyB }), refusedNaming(journalPath(file), /another file/));
      assert.ok(readFileSync(file).subarray(0, torn.length).equals(torn));
    });

    test('decrypt and inspect write nothing, even beside an authentic leftover journal; re-encrypt then clears it', async () => {
      // An interrupted re-encrypt that never reached the header: the file still has its old one.
      const { dir, file, data, header } = await victim();
      const newHeader = await rewrappedHeader(file, dir, header.length);
      const before = readFileSync(file);
      await writeRewrapJournal(file, { size: before.length, oldHeader: header, newHeader }, tv.service.journalKey);
      const jpath = journalPath(file);
      const stamp = (p: string): string => {
        const st = statSync(p, { bigint: true });
        return `${st.ino}/${st.size}/${st.mtimeNs}/${st.ctimeNs}`;
      };
      const snapshot = { file: stamp(file), journal: stamp(jpath), journalBytes: readFileSync(jpath) };
      const outDir = tempDir('keyvault-journal-out-');
      await job(tv.service, { Operation: 'Decrypt', InputPath: file, OutputPath: join(outDir, 'plain') });
      assert.ok(readFileSync(join(outDir, 'plain')).equals(data));
      await job(tv.service, { Operation: 'Inspect', InputPath: file });
      assert.equal(stamp(file), snapshot.file, 'the file was not written');
      assert.equal(stamp(jpath), snapshot.journal, 'the journal was not touched');
      assert.ok(readFileSync(jpath).equals(snapshot.journalBytes));

      const r = await job(tv.service, { Operation: 'ReEncrypt', InputPath: file, KeyId: keyB });
      assert.equal(r.KeyId, keyB);
      assert.deepEqual(
        readdirSync(dir).filter((n) => n.endsWith('.keyvault-rewrap')),
        [],
        'the re-encrypt rolled the journal back and wrote its own',
      );
      await decryptsTo(file, data, dir);
    });

    test('a re-encrypt while another process is rewriting the same file is refused and writes nothing', async (t) => {
      const { file } = await victim();
      const before = readFileSync(file);
      const holder = spawn('/usr/bin/python3', ['-c', HOLD_FILE_LOCK, file], { stdio: ['ignore', 'pipe', 'inherit'] });
      t.after(() => holder.kill('SIGKILL'));
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (b: Buffer) => {
          if (b.toString().includes('held')) resolve();
        });
        holder.once('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
      });
      await assert.rejects(job(tv.service, { Operation: 'ReEncrypt', InputPath: file, KeyId: keyB }), (err: unknown) => {
        assert.ok(err instanceof KMSInvalidStateException, String(err));
        assert.match(err.message, /in progress/);
        return true;
      });
      assert.ok(readFileSync(file).equals(before));
      assert.deepEqual(
        readdirSync(dirname(file)).filter((n) => n.endsWith('.keyvault-rewrap')),
        [],
      );
    });

    test('a decrypt killed at random moments leaves nothing: no partial plaintext, the input and its journal as they were', { timeout: 120_000 }, async () => {
      const { file, torn, journal } = await tornWithJournal();
      // The torn file cannot be decrypted (each attempt is refused): use a readable twin with its own authentic journal.
      const { dir, file: readable, data, header } = await victim(false, 3_000_000);
      const newHeader = await rewrappedHeader(readable, dir, header.length);
      const before = readFileSync(readable);
      await writeRewrapJournal(readable, { size: before.length, oldHeader: header, newHeader }, tv.service.journalKey);
      const readableJournal = readFileSync(journalPath(readable));
      const outDir = tempDir('keyvault-journal-out-');
      const self = fileURLToPath(import.meta.url);
      const rounds = Number(process.env.KEYVAULT_KILL_ROUNDS ?? 4);
      for (let round = 0; round < rounds; round++) {
        for (const target of [readable, file]) {
          const child = spawn(process.execPath, ['--import', 'tsx', self], {
            env: { ...process.env, KEYVAULT_DECRYPT_CHILD: JSON.stringify([tv.dir, target, outDir]) },
            stdio: ['ignore', 'pipe', 'ignore'],
          });
          const exited = new Promise((r) => child.once('exit', r));
          await new Promise<void>((resolve, reject) => {
            child.stdout.on('data', (b: Buffer) => {
              if (b.toString().includes('ready')) resolve();
            });
            child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
          });
          await new Promise((r) => setTimeout(r, randomInt(0, 300)));
          child.kill('SIGKILL');
          await exited;
        }
        assert.ok(readFileSync(readable).equals(before), `round ${round}: the readable input is unchanged`);
        assert.ok(readFileSync(journalPath(readable)).equals(readableJournal), `round ${round}: its journal is unchanged`);
        assert.ok(readFileSync(file).equals(torn), `round ${round}: the torn input was not repaired by a decrypt`);
        assert.ok(readFileSync(journalPath(file)).equals(journal), `round ${round}: its journal is unchanged`);
        // Only whole outputs of decrypts that completed (killed before their removal) may remain.
        for (const name of readdirSync(outDir)) {
          assert.match(name, /^plain-[0-9a-f-]{36}$/, `round ${round}: a killed decrypt left ${name}`);
          assert.ok(readFileSync(join(outDir, name)).equals(data), `round ${round}: ${name} is a complete output`);
        }
      }
    });
  });
}
