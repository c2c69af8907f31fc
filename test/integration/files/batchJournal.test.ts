/**
 * The batch re-encrypt journal (`.keyvault-rewrap-batch`, files/rewrapBatch.ts): the crash states
 * it leaves are repaired by ReEncrypt and re-encrypt-files, refused by Decrypt and Inspect only for a
 * torn header, and it is obeyed under the per-file journal's trust rules: the user's own regular
 * file with one link, not a link, authentic under the vault's key, each entry bound to its very file.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { KMSInvalidStateException } from '../../../main/core/errors.js';
import { bindingOf } from '../../../main/files/journalFiles.js';
import { batchJournalPath, encodeBatch, type BatchEntry } from '../../../main/files/rewrapBatch.js';
import { tempDir, type TempVault } from '../../support/tempVault.js';
import { job, writeRandom, twoKeyVault } from './fileTestKit.js';

const NOBODY = 65534;
const NOGROUP = 65534;
const needsRoot = { skip: process.getuid?.() !== 0 && 'needs root to act as another user (nobody)' };

function refusedNaming(jpath: string, reason: RegExp): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof KMSInvalidStateException, `expected KMSInvalidStateException, got ${String(err)}`);
    assert.ok(err.message.includes(jpath), err.message);
    assert.match(err.message, reason);
    return true;
  };
}

describe('batch re-encrypt journal', () => {
  let tv: TempVault;
  let keyA: string;
  let keyB: string;
  twoKeyVault((v, a, b) => ([tv, keyA, keyB] = [v, a, b]));

  interface Victim {
    file: string;
    data: Buffer;
    oldHeader: Buffer;
    newHeader: Buffer;
  }

  /** Three files under key A in a fresh folder, each with the header a rewrap to key B gives it. */
  async function folder(): Promise<{ dir: string; files: Victim[] }> {
    const dir = tempDir('keyvault-batch-');
    const side = tempDir('keyvault-batch-copies-');
    const files: Victim[] = [];
    for (const name of ['a', 'b', 'c']) {
      const input = join(dir, `${name}.bin`);
      const data = writeRandom(input, 5000);
      await job(tv.service, { Operation: 'Encrypt', InputPath: input, KeyId: keyA });
      const file = `${input}.age`;
      const length = (await job(tv.service, { Operation: 'Inspect', InputPath: file })).Inspection!.HeaderSize;
      const copy = join(side, `${name}-${randomUUID()}.age`);
      copyFileSync(file, copy);
      await job(tv.service, { Operation: 'ReEncrypt', InputPath: copy, KeyId: keyB });
      files.push({ file, data, oldHeader: readFileSync(file).subarray(0, length), newHeader: readFileSync(copy).subarray(0, length) });
    }
    return { dir, files };
  }

  function entries(files: readonly Victim[]): BatchEntry[] {
    return files.map((v) => ({
      name: v.file.slice(v.file.lastIndexOf('/') + 1),
      file: bindingOf(statSync(v.file, { bigint: true })),
      oldHeader: v.oldHeader,
      newHeader: v.newHeader,
    }));
  }

  /** What a crash mid-batch leaves: the journal, a's header torn, b's new, c's old. */
  async function crashed(known = false): Promise<{ dir: string; files: Victim[]; jpath: string; journal: Buffer; torn: Buffer }> {
    const { dir, files } = await folder();
    if (known) assert.equal((await tv.service.scanFiles({ Directory: dir })).Found, 3);
    const journal = encodeBatch(entries(files), tv.service.journalKey);
    const jpath = batchJournalPath(dir);
    writeFileSync(jpath, journal, { mode: 0o600 });
    const [a, b] = files as [Victim, Victim, Victim];
    const torn = readFileSync(a.file);
    a.newHeader.copy(torn, 0, 0, Math.floor(a.newHeader.length / 2));
    writeFileSync(a.file, torn);
    const bBytes = readFileSync(b.file);
    b.newHeader.copy(bBytes, 0);
    writeFileSync(b.file, bBytes);
    return { dir, files, jpath, journal, torn };
  }

  async function decryptsTo(v: Victim, dir: string): Promise<void> {
    const out = join(dir, `check-${randomUUID()}`);
    await job(tv.service, { Operation: 'Decrypt', InputPath: v.file, OutputPath: out });
    assert.ok(readFileSync(out).equals(v.data), `${v.file} decrypts to the original`);
  }

  test('after a crash mid-batch, decrypt refuses only the torn file and writes nothing; re-encrypt repairs the batch', async () => {
    const { dir, files, jpath, journal, torn } = await crashed();
    const [a, b, c] = files as [Victim, Victim, Victim];
    await assert.rejects(job(tv.service, { Operation: 'Decrypt', InputPath: a.file, OutputPath: join(dir, 'x') }), /interrupted half-way/);
    await assert.rejects(job(tv.service, { Operation: 'Inspect', InputPath: a.file }), /interrupted half-way/);
    await decryptsTo(b, dir);
    await decryptsTo(c, dir);
    assert.ok(readFileSync(a.file).equals(torn), 'decrypt and inspect did not touch the torn file');
    assert.ok(readFileSync(jpath).equals(journal), 'nor the journal');

    // A re-encrypt of any file of the folder finishes the batch first.
    const r = await job(tv.service, { Operation: 'ReEncrypt', InputPath: c.file, KeyId: keyB });
    assert.equal(r.KeyId, keyB);
    assert.equal(existsSync(jpath), false, 'the journal is gone');
    assert.ok(readFileSync(a.file).subarray(0, a.newHeader.length).equals(a.newHeader), 'the torn header was finished');
    assert.equal((await job(tv.service, { Operation: 'Inspect', InputPath: b.file })).KeyId, keyB);
    for (const v of files) await decryptsTo(v, dir);
  });

  test('re-encrypt-files repairs a leftover batch and finishes the folder', async () => {
    const { dir, files, jpath } = await crashed(true);
    assert.equal((await tv.service.scanFiles({ Directory: dir })).Found, 0, 'scan-files leaves a folder in the middle of a batch alone');
    await tv.service.rotateKeyOnDemand({ KeyId: keyA });
    const r = await tv.service.reEncryptFiles({ KeyId: keyA, Directory: dir });
    assert.deepEqual(r.Failed, []);
    // a and b were finished onto key B by the repair; c is rewrapped to key A's new version.
    assert.equal(r.AlreadyCurrent, 2);
    assert.equal(r.ReEncrypted, 1);
    assert.equal(existsSync(jpath), false);
    assert.equal((await tv.service.scanFiles({ Directory: dir })).Found, 3);
    for (const v of files) await decryptsTo(v, dir);
  });

  test('a journal cut short (before any header was written) is discarded by re-encrypt', async () => {
    const { dir, files } = await folder();
    const journal = encodeBatch(entries(files), tv.service.journalKey);
    const jpath = batchJournalPath(dir);
    writeFileSync(jpath, journal.subarray(0, journal.length - 40), { mode: 0o600 });
    await job(tv.service, { Operation: 'ReEncrypt', InputPath: files[0]!.file, KeyId: keyB });
    assert.equal(existsSync(jpath), false);
    for (const v of files) await decryptsTo(v, dir);
  });

  test('re-encrypt-files rewraps a folder in one batch and leaves no journal', async () => {
    const { dir, files } = await folder();
    await tv.service.scanFiles({ Directory: dir });
    await tv.service.rotateKeyOnDemand({ KeyId: keyA });
    const r = await tv.service.reEncryptFiles({ KeyId: keyA, Directory: dir });
    assert.equal(r.ReEncrypted, 3);
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.includes('keyvault-rewrap')),
      [],
    );
    const primary = (await tv.service.describeKey({ KeyId: keyA })).KeyMetadata.PrimaryKeyVersion;
    for (const v of files) {
      assert.equal((await job(tv.service, { Operation: 'Inspect', InputPath: v.file })).KeyVersionId, primary);
      await decryptsTo(v, dir);
    }
  });

  /** Re-encrypt refuses naming the journal, and neither the torn file nor the journal changes. */
  async function refused(file: string, jpath: string, reason: RegExp, torn: Buffer): Promise<void> {
    await assert.rejects(job(tv.service, { Operation: 'ReEncrypt', InputPath: file, KeyId: keyB }), refusedNaming(jpath, reason));
    assert.ok(readFileSync(file).equals(torn), 'the file is untouched');
  }

  test('a batch journal that fails authentication is left in place and not obeyed', async () => {
    const { files, jpath, journal, torn } = await crashed();
    const forged = Buffer.from(journal);
    forged[forged.length - 1]! ^= 1;
    writeFileSync(jpath, forged);
    await refused(files[0]!.file, jpath, /fails authentication/, torn);
    assert.ok(readFileSync(jpath).equals(forged));
    // Decrypt ignores it: the torn file is simply damaged as far as it knows, the others open.
    await decryptsTo(files[2]!, tempDir());
  });

  test('a batch journal that is a symbolic link is not followed, even to an authentic journal', async () => {
    const { dir, files, jpath, journal, torn } = await crashed();
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    renameSync(jpath, join(elsewhere, 'journal'));
    symlinkSync(join(elsewhere, 'journal'), jpath);
    await refused(files[0]!.file, jpath, /symbolic link/, torn);
    assert.ok(lstatSync(jpath).isSymbolicLink());
    assert.ok(readFileSync(join(elsewhere, 'journal')).equals(journal));
  });

  test('a batch journal with another hard link is not obeyed', async () => {
    const { dir, files, jpath, torn } = await crashed();
    linkSync(jpath, join(dir, 'second-name'));
    await refused(files[0]!.file, jpath, /other hard links/, torn);
  });

  test('an authentic batch journal moved to another folder with files of the same names is not applied', async () => {
    const { files, journal, torn } = await crashed();
    const other = tempDir('keyvault-batch-moved-');
    for (const v of files) writeFileSync(join(other, v.file.slice(v.file.lastIndexOf('/') + 1)), readFileSync(v.file)); // same bytes, other inodes
    const moved = batchJournalPath(other);
    writeFileSync(moved, journal, { mode: 0o600 });
    const target = join(other, 'a.bin.age');
    await assert.rejects(job(tv.service, { Operation: 'ReEncrypt', InputPath: target, KeyId: keyB }), refusedNaming(moved, /another file/));
    assert.ok(readFileSync(target).equals(torn));
    assert.ok(readFileSync(moved).equals(journal));
  });

  test('an authentic batch journal that belongs to another user is not obeyed', needsRoot, async () => {
    const { files, jpath, journal, torn } = await crashed();
    chownSync(jpath, NOBODY, NOGROUP);
    await refused(files[0]!.file, jpath, /belongs to user id 65534/, torn);
    assert.ok(readFileSync(jpath).equals(journal));
  });

  test('a batch journal planted by another user in a shared folder changes nothing', needsRoot, async () => {
    const { dir, files } = await folder();
    chmodSync(dir, 0o1777);
    const before = files.map((v) => readFileSync(v.file));
    // Our magic, entries for the real files, and a made-up tag: what anyone could write.
    const forged = encodeBatch(entries(files), randomBytes(32));
    const jpath = batchJournalPath(dir);
    const script = 'import os,sys\nfd=os.open(sys.argv[1],os.O_WRONLY|os.O_CREAT|os.O_EXCL,0o644)\nos.write(fd,sys.stdin.buffer.read())\nos.close(fd)';
    const r = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '/usr/bin/python3', '-c', script, jpath], { input: forged });
    assert.equal(r.status, 0, r.stderr?.toString());
    for (const v of files) await decryptsTo(v, dir);
    await assert.rejects(job(tv.service, { Operation: 'ReEncrypt', InputPath: files[0]!.file, KeyId: keyB }), refusedNaming(jpath, /user id 65534/));
    files.forEach((v, i) => assert.ok(readFileSync(v.file).equals(before[i]!), 'untouched'));
    assert.ok(readFileSync(jpath).equals(forged), 'left for the user to see');
  });
});
