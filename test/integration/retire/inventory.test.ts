/**
 * The file inventory through the vault service: every file job records what it wrote or read,
 * list-files filters and pages, statuses follow the disk, scan-files finds this vault's files
 * (and only counts foreign ones), re-encrypt-files brings stale files forward.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { VaultService } from '../../../main/vault/vaultService.js';
import { createTempVault, tempDir, type TempVault } from '../../support/tempVault.js';
import { AGE, ageKeygen, hasAge, job, rejectsWith, writeRandom } from '../files/fileTestKit.js';

let vault: TempVault;
let service: VaultService;
let work: string;

before(async () => {
  vault = await createTempVault();
  service = vault.service;
  work = tempDir('kv-inventory-');
});
after(async () => {
  rmSync(work, { recursive: true, force: true });
  await vault.cleanup();
});

async function encrypted(keyId: string, name: string, size = 500): Promise<string> {
  const plain = join(work, name);
  writeRandom(plain, size);
  const out = (await job(service, { Operation: 'Encrypt', InputPath: plain, KeyId: keyId })).OutputPath!;
  rmSync(plain);
  return out;
}

const newKey = async (): Promise<string> => (await service.createKey({})).KeyMetadata.KeyId;

test('encrypting a file records it with its key version and size', async () => {
  const keyId = await newKey();
  const path = await encrypted(keyId, 'a.txt');
  const { Files, Truncated } = await service.listFiles({ KeyId: keyId });
  assert.equal(Truncated, false);
  assert.equal(Files.length, 1);
  const f = Files[0]!;
  assert.equal(f.Path, path);
  assert.equal(f.KeyId, keyId);
  assert.equal(f.KeyVersionId, (await service.describeKey({ KeyId: keyId })).KeyMetadata.PrimaryKeyVersion);
  assert.equal(f.IsPrimaryVersion, true);
  assert.equal(f.Status, 'Present');
  assert.ok(f.Size > 500);
});

test('after a rotation the file is stale; re-encrypt-file updates the record', async () => {
  const keyId = await newKey();
  const path = await encrypted(keyId, 'b.txt');
  await service.rotateKeyOnDemand({ KeyId: keyId });
  const stale = await service.listFiles({ KeyId: keyId, Stale: true });
  assert.deepEqual(
    stale.Files.map((f) => f.Path),
    [path],
  );
  assert.equal(stale.Files[0]!.IsPrimaryVersion, false);
  await job(service, { Operation: 'ReEncrypt', InputPath: path });
  assert.deepEqual((await service.listFiles({ KeyId: keyId, Stale: true })).Files, []);
  assert.equal((await service.listFiles({ KeyId: keyId })).Files[0]!.Status, 'Present');
});

test('statuses follow the disk: a deleted file is Missing, a replaced one Changed', async () => {
  const keyId = await newKey();
  const gone = await encrypted(keyId, 'gone.txt');
  const changed = await encrypted(keyId, 'changed.txt');
  rmSync(gone);
  appendFileSync(changed, 'x');
  const byPath = new Map((await service.listFiles({ KeyId: keyId })).Files.map((f) => [f.Path, f.Status]));
  assert.equal(byPath.get(gone), 'Missing');
  assert.equal(byPath.get(changed), 'Changed');
});

test('list-files pages in path order with a marker', async () => {
  const keyId = await newKey();
  const paths = [];
  for (let i = 0; i < 5; i++) paths.push(await encrypted(keyId, `page-${i}.txt`, 10));
  const seen: string[] = [];
  let marker: string | undefined;
  for (;;) {
    const page = await service.listFiles({ KeyId: keyId, Limit: 2, ...(marker ? { Marker: marker } : {}) });
    seen.push(...page.Files.map((f) => f.Path));
    if (!page.Truncated) break;
    marker = page.NextMarker;
  }
  assert.deepEqual(seen, [...paths].sort());
  await rejectsWith(service.listFiles({ Limit: 0 }), 'ValidationException');
  await rejectsWith(service.listFiles({ Marker: '!!' }), 'ValidationException');
  await rejectsWith(service.listFiles({ KeyVersionId: 'nope' }), 'ValidationException');
});

test("scan-files finds this vault's files (also moved ones) and only counts foreign age files", { skip: !hasAge && 'age is not installed' }, async () => {
  const keyId = await newKey();
  const dir = join(work, 'scan');
  mkdirSync(join(dir, 'deep', 'er'), { recursive: true });
  const original = await encrypted(keyId, 'moving.txt');
  const moved = join(dir, 'deep', 'er', 'moving.txt.age');
  renameSync(original, moved);
  // A foreign age file, and a file that is not age at all.
  const { recipient } = ageKeygen(work, 'foreign.key');
  writeFileSync(join(dir, 'plain.txt'), 'hello');
  const foreign = spawnSync(AGE, ['-r', recipient, '-o', join(dir, 'foreign.age')], { input: 'secret' });
  assert.equal(foreign.status, 0);

  const r = await service.scanFiles({ Directory: dir });
  assert.deepEqual(r, { Scanned: 2, Found: 1, Added: 1, Updated: 0 });
  const files = (await service.listFiles({ KeyId: keyId })).Files;
  assert.deepEqual(
    files.map((f) => [f.Path, f.Status]).sort(),
    [
      [moved, 'Present'],
      [original, 'Missing'],
    ].sort(),
  );
  assert.deepEqual(await service.scanFiles({ Directory: dir }), { Scanned: 2, Found: 1, Added: 0, Updated: 1 });
  await rejectsWith(service.scanFiles({ Directory: join(dir, 'plain.txt') }), 'ValidationException');
  await rejectsWith(service.scanFiles({ Directory: join(dir, 'nothing-here') }), 'ValidationException');
});

test('re-encrypt-files rewraps stale files, counts current and missing ones, and reports failures per file', async () => {
  const keyId = await newKey();
  const a = await encrypted(keyId, 'r1.txt');
  const b = await encrypted(keyId, 'r2.txt');
  const c = await encrypted(keyId, 'r3.txt');
  await service.rotateKeyOnDemand({ KeyId: keyId });
  rmSync(c);
  writeFileSync(b, 'not an age file any more');
  const r = await service.reEncryptFiles({ KeyId: keyId });
  assert.equal(r.ReEncrypted, 1);
  assert.equal(r.Missing, 1);
  assert.equal(r.Failed.length, 1);
  assert.equal(r.Failed[0]!.Path, b);
  assert.match(r.Failed[0]!.__type, /Exception$/);
  const primary = (await service.describeKey({ KeyId: keyId })).KeyMetadata.PrimaryKeyVersion;
  // The record of the rewrapped file matches what is now on disk (header digest and size).
  const record = (await service.listFiles({ KeyId: keyId })).Files.find((f) => f.Path === a);
  assert.equal(record?.Status, 'Present');
  assert.equal(record?.KeyVersionId, primary);
  assert.equal(record?.IsPrimaryVersion, true);
  const opened = await job(service, { Operation: 'Decrypt', InputPath: a, OutputPath: `${a}.plain` });
  assert.equal(opened.KeyVersionId, primary);
  // Running again finds nothing left to do for a.
  const again = await service.reEncryptFiles({ KeyId: keyId });
  assert.equal(again.ReEncrypted, 0);
});

test('re-encrypt-files on a file some other process already rewrapped counts it AlreadyCurrent', async () => {
  const keyId = await newKey();
  const path = await encrypted(keyId, 'other.txt');
  await service.rotateKeyOnDemand({ KeyId: keyId });
  // Another vault process rewraps the file: this process's inventory still says the old version.
  const other = await vault.reopen();
  await other.files.runFileJob({ JobId: 'other-process', Operation: 'ReEncrypt', InputPath: path });
  assert.equal((await service.listFiles({ KeyId: keyId, Stale: true })).Files.length, 1);
  assert.deepEqual(await service.reEncryptFiles({ KeyId: keyId }), { ReEncrypted: 0, AlreadyCurrent: 1, Missing: 0, Failed: [] });
  assert.equal((await service.listFiles({ KeyId: keyId, Stale: true })).Files.length, 0);
});

test('a cancelled re-encrypt-files run stops early, and running it again finishes the rest', async () => {
  const keyId = await newKey();
  const paths: string[] = [];
  for (let i = 0; i < 24; i++) paths.push(await encrypted(keyId, `cancel-${i}.txt`, 10));
  await service.rotateKeyOnDemand({ KeyId: keyId });
  const running = service.reEncryptFiles({ KeyId: keyId, JobId: 'cancel-me' });
  assert.equal(service.inventory.cancel('cancel-me'), true);
  const first = await running;
  assert.equal(first.Cancelled, true);
  assert.ok(first.ReEncrypted < paths.length, `stopped early (${first.ReEncrypted} of ${paths.length})`);
  assert.equal(service.inventory.cancel('cancel-me'), false, 'the run is over');
  const second = await service.reEncryptFiles({ KeyId: keyId });
  assert.equal(first.ReEncrypted + second.ReEncrypted + second.AlreadyCurrent, paths.length);
  assert.equal(second.Cancelled, undefined);
  const primary = (await service.describeKey({ KeyId: keyId })).KeyMetadata.PrimaryKeyVersion;
  for (const p of paths) {
    assert.equal((await job(service, { Operation: 'Inspect', InputPath: p })).KeyVersionId, primary);
  }
});

test('re-encrypt-files reports progress once per file, ending at the total', async () => {
  const keyId = await newKey();
  for (let i = 0; i < 3; i++) await encrypted(keyId, `progress-${i}.txt`, 10);
  await service.rotateKeyOnDemand({ KeyId: keyId });
  const heard: [number, number][] = [];
  const r = await service.inventory.reEncryptFiles({ KeyId: keyId }, (done, total) => heard.push([done, total]));
  assert.equal(r.ReEncrypted, 3);
  assert.deepEqual(heard.map(([d]) => d).sort(), [1, 2, 3]);
  assert.ok(heard.every(([, total]) => total === 3));
});

test('opening a known, unchanged file again writes nothing to the vault', async () => {
  const keyId = await newKey();
  const path = await encrypted(keyId, 'quiet.txt');
  const revision = service.store.read().Revision;
  await job(service, { Operation: 'Decrypt', InputPath: path, OutputPath: `${path}.1` });
  await job(service, { Operation: 'Inspect', InputPath: path });
  assert.equal(service.store.read().Revision, revision);
  // A changed header (a rewrap after rotation) is recorded.
  await service.rotateKeyOnDemand({ KeyId: keyId });
  await job(service, { Operation: 'ReEncrypt', InputPath: path });
  assert.equal((await service.listFiles({ KeyId: keyId })).Files[0]!.IsPrimaryVersion, true);
});

test('scan-files reads armored age files too', async () => {
  const keyId = await newKey();
  const dir = join(work, 'armored');
  mkdirSync(dir);
  const plain = join(dir, 'note.txt');
  writeRandom(plain, 300);
  const out = (await job(service, { Operation: 'Encrypt', InputPath: plain, KeyId: keyId, Armor: true })).OutputPath!;
  const r = await service.scanFiles({ Directory: dir });
  assert.deepEqual(r, { Scanned: 1, Found: 1, Added: 0, Updated: 1 });
  const [entry] = (await service.listFiles({ KeyId: keyId })).Files;
  assert.equal(entry!.Path, out);
  assert.equal(entry!.Status, 'Present');
});
