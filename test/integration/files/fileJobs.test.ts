/** File jobs on the real keychain: round trips, rotation, re-encrypt, inspect, outputs, state rules, progress, cancel. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type * as Api from '../../../main/core/api.js';
import { CHUNK_SIZE } from '../../../main/crypto/age/index.js';
import { createTempVault, tempDir, type TempVault } from '../../support/tempVault.js';
import { job, newKey, rejectsWith, strayFiles, writeRandom } from '../../support/fileTestKit.js';

describe('file jobs', () => {
  let tv: TempVault;
  let keyId: string;
  before(async () => {
    tv = await createTempVault();
    keyId = await newKey(tv.service);
  });
  after(async () => {
    await tv.cleanup();
  });

  for (const [name, size] of [
    ['empty', 0],
    ['1-byte', 1],
    ['exactly 64 KiB', CHUNK_SIZE],
    ['64 KiB + 1', CHUNK_SIZE + 1],
    ['several MiB', 3 * 1024 * 1024 + 17],
  ] as const) {
    test(`a ${name} file round-trips through encrypt and decrypt`, async () => {
      const dir = tempDir();
      const input = join(dir, 'data.bin');
      const data = writeRandom(input, size);
      const enc = await job(tv.service, { Operation: 'Encrypt', InputPath: input, KeyId: keyId });
      assert.equal(enc.OutputPath, `${input}.age`);
      assert.equal(enc.KeyId, keyId);
      assert.equal(enc.BytesProcessed, size);
      const out = join(dir, 'back.bin');
      const dec = await job(tv.service, { Operation: 'Decrypt', InputPath: `${input}.age`, OutputPath: out });
      assert.equal(dec.KeyId, keyId);
      assert.equal(dec.KeyVersionId, enc.KeyVersionId);
      assert.ok(readFileSync(out).equals(data));
      assert.deepEqual(strayFiles(dir, ['data.bin', 'data.bin.age', 'back.bin']), []);
    });
  }

  test('an armored file round-trips and is recognised on decrypt and inspect', async () => {
    const dir = tempDir();
    const input = join(dir, 'notes.txt');
    const data = writeRandom(input, 100_000);
    await job(tv.service, { Operation: 'Encrypt', InputPath: input, KeyId: keyId, Armor: true });
    assert.match(readFileSync(`${input}.age`, 'latin1'), /^-----BEGIN AGE ENCRYPTED FILE-----\n/);
    const inspected = await job(tv.service, { Operation: 'Inspect', InputPath: `${input}.age` });
    assert.equal(inspected.Inspection?.Armored, true);
    assert.equal(inspected.Inspection?.PlaintextSize, data.length);
    await job(tv.service, { Operation: 'Decrypt', InputPath: `${input}.age`, OutputPath: join(dir, 'out') });
    assert.ok(readFileSync(join(dir, 'out')).equals(data));
  });

  test('decrypt defaults to the name without .age, or adds .decrypted', async () => {
    const dir = tempDir();
    const input = join(dir, 'doc.pdf');
    writeRandom(input, 10);
    await job(tv.service, { Operation: 'Encrypt', InputPath: input, KeyId: keyId, OutputPath: join(dir, 'sealed.bin') });
    const r = await job(tv.service, { Operation: 'Decrypt', InputPath: join(dir, 'sealed.bin') });
    assert.equal(r.OutputPath, join(dir, 'sealed.bin.decrypted'));
    await job(tv.service, { Operation: 'Encrypt', InputPath: input, KeyId: keyId });
    await rejectsWith(job(tv.service, { Operation: 'Decrypt', InputPath: `${input}.age` }), 'AlreadyExistsException');
  });

  test('files encrypted before a rotation still decrypt after it', async () => {
    const dir = tempDir();
    const input = join(dir, 'old.bin');
    const data = writeRandom(input, 70_000);
    const enc = await job(tv.service, { Operation: 'Encrypt', InputPath: input, KeyId: keyId });
    const rotated = await tv.service.rotateKeyOnDemand({ KeyId: keyId });
    assert.notEqual(rotated.KeyVersionId, enc.KeyVersionId);
    const dec = await job(tv.service, { Operation: 'Decrypt', InputPath: `${input}.age`, OutputPath: join(dir, 'out') });
    assert.equal(dec.KeyVersionId, enc.KeyVersionId);
    assert.ok(readFileSync(join(dir, 'out')).equals(data));
    const fresh = await job(tv.service, { Operation: 'Encrypt', InputPath: input, KeyId: keyId, OutputPath: join(dir, 'new.age') });
    assert.equal(fresh.KeyVersionId, rotated.KeyVersionId);
  });

  test('re-encrypt rewrites only the header: new version, same payload bytes, still decrypts', async () => {
    const dir = tempDir();
    const input = join(dir, 'r.bin');
    const data = writeRandom(input, 200_000);
    await job(tv.service, { Operation: 'Encrypt', InputPath: input, KeyId: keyId });
    const file = `${input}.age`;
    const before = readFileSync(file);
    const inspectedBefore = (await job(tv.service, { Operation: 'Inspect', InputPath: file })).Inspection!;
    const { KeyVersionId: newVersion } = await tv.service.rotateKeyOnDemand({ KeyId: keyId });
    const staleInspection = (await job(tv.service, { Operation: 'Inspect', InputPath: file })).Inspection!;
    assert.equal(staleInspection.IsPrimaryVersion, false);

    const r = await job(tv.service, { Operation: 'ReEncrypt', InputPath: file });
    assert.equal(r.KeyVersionId, newVersion);
    const afterBytes = readFileSync(file);
    assert.equal(afterBytes.length, before.length);
    const h = inspectedBefore.HeaderSize;
    assert.ok(!afterBytes.subarray(0, h).equals(before.subarray(0, h)), 'the header changed');
    assert.ok(afterBytes.subarray(h).equals(before.subarray(h)), 'the payload is byte for byte the same');
    const inspected = (await job(tv.service, { Operation: 'Inspect', InputPath: file })).Inspection!;
    assert.equal(inspected.KeyVersionId, newVersion);
    assert.equal(inspected.IsPrimaryVersion, true);
    assert.ok(!existsSync(join(dir, '.r.bin.age.keyvault-rewrap')), 'no journal left behind');

    await job(tv.service, { Operation: 'Decrypt', InputPath: file, OutputPath: join(dir, 'out') });
    assert.ok(readFileSync(join(dir, 'out')).equals(data));
  });

  test('re-encrypt of a file already under the primary version changes nothing and says so', async () => {
    const dir = tempDir();
    const input = join(dir, 'n.bin');
    writeRandom(input, 1000);
    await job(tv.service, { Operation: 'Encrypt', InputPath: input, KeyId: keyId });
    const before = readFileSync(`${input}.age`);
    const r = await job(tv.service, { Operation: 'ReEncrypt', InputPath: `${input}.age` });
    assert.equal(r.BytesProcessed, 0);
    assert.equal(r.AlreadyCurrent, true);
    assert.equal(r.Inspection?.IsPrimaryVersion, true);
    assert.ok(readFileSync(`${input}.age`).equals(before));
  });

  test('re-encrypt moves a file to another key (DestinationKeyId) and it decrypts under that key', async () => {
    const dir = tempDir();
    const other = await newKey(tv.service);
    const input = join(dir, 'm.bin');
    const data = writeRandom(input, 5000);
    await job(tv.service, { Operation: 'Encrypt', InputPath: input, KeyId: keyId });
    const r = await job(tv.service, { Operation: 'ReEncrypt', InputPath: `${input}.age`, KeyId: other });
    assert.equal(r.KeyId, other);
    await tv.service.disableKey({ KeyId: keyId });
    try {
      const dec = await job(tv.service, { Operation: 'Decrypt', InputPath: `${input}.age`, OutputPath: join(dir, 'out') });
      assert.equal(dec.KeyId, other);
      assert.ok(readFileSync(join(dir, 'out')).equals(data));
    } finally {
      await tv.service.enableKey({ KeyId: keyId });
    }
  });

  test('re-encrypt of an armored file rewrites it whole and keeps it armored', async () => {
    const dir = tempDir();
    const input = join(dir, 'a.txt');
    const data = writeRandom(input, 150_000);
    await job(tv.service, { Operation: 'Encrypt', InputPath: input, KeyId: keyId, Armor: true });
    const { KeyVersionId: v } = await tv.service.rotateKeyOnDemand({ KeyId: keyId });
    const r = await job(tv.service, { Operation: 'ReEncrypt', InputPath: `${input}.age` });
    assert.equal(r.KeyVersionId, v);
    assert.match(readFileSync(`${input}.age`, 'latin1'), /^-----BEGIN AGE ENCRYPTED FILE-----\n/);
    await job(tv.service, { Operation: 'Decrypt', InputPath: `${input}.age`, OutputPath: join(dir, 'out') });
    assert.ok(readFileSync(join(dir, 'out')).equals(data));
    assert.deepEqual(strayFiles(dir, ['a.txt', 'a.txt.age', 'out']), []);
  });

  test('inspect reports key, version, stanzas and sizes without decrypting', async () => {
    const dir = tempDir();
    const input = join(dir, 'i.bin');
    writeRandom(input, CHUNK_SIZE * 2 + 5);
    const enc = await job(tv.service, { Operation: 'Encrypt', InputPath: input, KeyId: keyId });
    const r = await job(tv.service, { Operation: 'Inspect', InputPath: `${input}.age` });
    const i = r.Inspection!;
    assert.equal(i.KeyId, keyId);
    assert.equal(i.KeyVersionId, enc.KeyVersionId);
    assert.equal(i.IsPrimaryVersion, true);
    assert.equal(i.Armored, false);
    assert.equal(i.Size, readFileSync(`${input}.age`).length);
    assert.equal(i.PlaintextSize, CHUNK_SIZE * 2 + 5);
    assert.deepEqual(i.Stanzas[0], { Type: 'keyvault.local/cmk', Args: [keyId, enc.KeyVersionId] });
  });

  test('an existing output is never overwritten unless Overwrite is set', async () => {
    const dir = tempDir();
    const input = join(dir, 'x.bin');
    writeRandom(input, 100);
    writeFileSync(`${input}.age`, 'precious');
    await rejectsWith(job(tv.service, { Operation: 'Encrypt', InputPath: input, KeyId: keyId }), 'AlreadyExistsException');
    assert.equal(readFileSync(`${input}.age`, 'utf8'), 'precious');
    await job(tv.service, { Operation: 'Encrypt', InputPath: input, KeyId: keyId, Overwrite: true });
    assert.notEqual(readFileSync(`${input}.age`, 'utf8'), 'precious');
    writeFileSync(join(dir, 'plain'), 'also precious');
    await rejectsWith(job(tv.service, { Operation: 'Decrypt', InputPath: `${input}.age`, OutputPath: join(dir, 'plain') }), 'AlreadyExistsException');
    assert.equal(readFileSync(join(dir, 'plain'), 'utf8'), 'also precious');
  });

  test('a disabled key refuses decryption with DisabledException and writes nothing', async () => {
    const dir = tempDir();
    const k = await newKey(tv.service);
    const input = join(dir, 'd.bin');
    writeRandom(input, 100);
    await job(tv.service, { Operation: 'Encrypt', InputPath: input, KeyId: k });
    await tv.service.disableKey({ KeyId: k });
    await rejectsWith(job(tv.service, { Operation: 'Decrypt', InputPath: `${input}.age`, OutputPath: join(dir, 'out') }), 'DisabledException');
    await rejectsWith(job(tv.service, { Operation: 'Encrypt', InputPath: input, KeyId: k, OutputPath: join(dir, 'e.age') }), 'DisabledException');
    assert.deepEqual(strayFiles(dir, ['d.bin', 'd.bin.age']), []);
  });

  test('a key pending deletion refuses decryption with KMSInvalidStateException', async () => {
    const dir = tempDir();
    const k = await newKey(tv.service);
    const input = join(dir, 'p.bin');
    writeRandom(input, 100);
    await job(tv.service, { Operation: 'Encrypt', InputPath: input, KeyId: k });
    await tv.service.scheduleKeyDeletion({ KeyId: k, PendingWindowInDays: 7 });
    await rejectsWith(job(tv.service, { Operation: 'Decrypt', InputPath: `${input}.age`, OutputPath: join(dir, 'out') }), 'KMSInvalidStateException');
    assert.deepEqual(strayFiles(dir, ['p.bin', 'p.bin.age']), []);
  });

  test('a file under a key of another vault gives NotFoundException', async () => {
    const other = await createTempVault();
    try {
      const dir = tempDir();
      const input = join(dir, 'o.bin');
      writeRandom(input, 100);
      await job(other.service, { Operation: 'Encrypt', InputPath: input, KeyId: await newKey(other.service) });
      await rejectsWith(job(tv.service, { Operation: 'Decrypt', InputPath: `${input}.age`, OutputPath: join(dir, 'out') }), 'NotFoundException');
      assert.ok(!existsSync(join(dir, 'out')));
    } finally {
      await other.cleanup();
    }
  });

  test('progress events report bytes done and total, ending at the total', async () => {
    const dir = tempDir();
    const input = join(dir, 'big.bin');
    writeFileSync(input, '');
    truncateSync(input, 64 * 1024 * 1024);
    const events: Api.FileProgressEvent[] = [];
    const jobId = randomUUID();
    const listener = (e: Api.FileProgressEvent): void => {
      if (e.JobId === jobId) events.push(e);
    };
    tv.service.events.on('fileProgress', listener);
    try {
      await tv.service.runFileJob({ JobId: jobId, Operation: 'Encrypt', InputPath: input, KeyId: keyId });
    } finally {
      tv.service.events.off('fileProgress', listener);
    }
    assert.ok(events.length >= 1);
    const last = events[events.length - 1]!;
    assert.equal(last.BytesDone, 64 * 1024 * 1024);
    assert.equal(last.BytesTotal, 64 * 1024 * 1024);
    for (let i = 1; i < events.length; i++) assert.ok(events[i]!.BytesDone >= events[i - 1]!.BytesDone);
    assert.ok(events.length < 700, 'progress is throttled');
  });

  test('cancelling a job mid-way gives CancelledException and leaves no partial output', async () => {
    const dir = tempDir();
    const input = join(dir, 'c.bin');
    writeFileSync(input, '');
    truncateSync(input, 512 * 1024 * 1024);
    const jobId = randomUUID();
    const listener = (e: Api.FileProgressEvent): void => {
      if (e.JobId === jobId) void tv.service.cancelFileJob({ JobId: jobId });
    };
    tv.service.events.on('fileProgress', listener);
    try {
      await rejectsWith(tv.service.runFileJob({ JobId: jobId, Operation: 'Encrypt', InputPath: input, KeyId: keyId }), 'CancelledException');
    } finally {
      tv.service.events.off('fileProgress', listener);
    }
    assert.deepEqual(strayFiles(dir, ['c.bin']), []);
    assert.deepEqual(await tv.service.cancelFileJob({ JobId: jobId }), { Cancelled: false });
  });

  test('cancelling a decryption leaves no plaintext behind', async () => {
    const dir = tempDir();
    const input = join(dir, 'cd.bin');
    writeFileSync(input, '');
    truncateSync(input, 64 * 1024 * 1024);
    await job(tv.service, { Operation: 'Encrypt', InputPath: input, KeyId: keyId });
    const jobId = randomUUID();
    const running = tv.service.runFileJob({ JobId: jobId, Operation: 'Decrypt', InputPath: `${input}.age`, OutputPath: join(dir, 'out') });
    assert.deepEqual(await tv.service.cancelFileJob({ JobId: jobId }), { Cancelled: true });
    await rejectsWith(running, 'CancelledException');
    assert.deepEqual(strayFiles(dir, ['cd.bin', 'cd.bin.age']), []);
  });

  test('file jobs are audited with metadata only', async () => {
    const dir = tempDir();
    const input = join(dir, 'au.bin');
    writeRandom(input, 10);
    await job(tv.service, { Operation: 'Encrypt', InputPath: input, KeyId: keyId });
    await job(tv.service, { Operation: 'Decrypt', InputPath: `${input}.age`, OutputPath: join(dir, 'out') });
    const { Events } = await tv.service.listAuditEvents({ KeyId: keyId, Limit: 50 });
    const ops = Events.map((e) => e.Operation);
    assert.ok(ops.includes('EncryptFile'));
    assert.ok(ops.includes('DecryptFile'));
    assert.ok(!JSON.stringify(Events).includes(dir), 'no paths in the audit log');
    // The Activity screen names the file of each job (its base name only) and the key CreateKey made.
    assert.equal(Events.find((e) => e.Operation === 'EncryptFile')?.Detail, 'au.bin');
    assert.equal(Events.find((e) => e.Operation === 'DecryptFile')?.Detail, 'au.bin.age');
    const all = await tv.service.listAuditEvents({ KeyId: keyId, Limit: 10_000 });
    assert.ok(
      all.Events.some((e) => e.Operation === 'CreateKey' && e.Outcome === 'Success'),
      'CreateKey is logged under the key it made',
    );
  });
});
