/**
 * Retiring versions on the bridge (issue 12): the schemas take ids, never paths; folders come only
 * from main's folder dialog; scheduling a destruction asks natively first, naming the key, the
 * version's date, the files still on it and that small ciphertexts cannot be inventoried.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { createRetireOperations, knownFilesOnVersion, type RetireServiceLike } from '../../../main/app/retireOperations.js';
import { ScriptedDialogs } from '../../../main/app/scriptedDialogs.js';
import { validateRequest } from '../../../main/app/ipcSchemas.js';
import { confirmScheduleVersionDestruction, dateInWords } from '../../../main/app/confirmations.js';
import type * as Retire from '../../../main/core/retireApi.js';
import type { KeyVersionEntry } from '../../../main/core/api.js';

const KEY = randomUUID();
const OLD = randomUUID();
const CUR = randomUUID();

function file(path: string, version: string, status: Retire.InventoryStatus = 'Present'): Retire.InventoryFileEntry {
  return {
    Path: path,
    KeyId: KEY,
    KeyVersionId: version,
    IsPrimaryVersion: version === CUR,
    Size: 100,
    LastSeenDate: '2026-11-01T00:00:00.000Z',
    Status: status,
  };
}

function setup(opts: { files?: Retire.InventoryFileEntry[]; pageSize?: number; oldState?: KeyVersionEntry['KeyVersionState'] } = {}) {
  const files = opts.files ?? [];
  const calls: { op: string; req: unknown }[] = [];
  const versions: KeyVersionEntry[] = [
    {
      KeyId: KEY,
      KeyVersionId: OLD,
      CreationDate: '2026-10-30T09:00:00.000Z',
      RotationType: 'INITIAL',
      IsPrimary: false,
      KeyVersionState: opts.oldState ?? 'Enabled',
    },
    { KeyId: KEY, KeyVersionId: CUR, CreationDate: '2026-11-29T09:00:00.000Z', RotationType: 'ON_DEMAND', IsPrimary: true, KeyVersionState: 'Enabled' },
  ];
  const service: RetireServiceLike = {
    async describeKey(req) {
      calls.push({ op: 'describeKey', req });
      return { KeyMetadata: { KeyId: KEY, Aliases: ['alias/tax-returns'] } } as unknown as Awaited<ReturnType<RetireServiceLike['describeKey']>>;
    },
    async listKeyVersions(req) {
      calls.push({ op: 'listKeyVersions', req });
      return { KeyVersions: versions };
    },
    async listFiles(req) {
      calls.push({ op: 'listFiles', req });
      // Pages of `pageSize`, as the service would page them, whatever Limit says.
      const matching = files.filter(
        (f) => (req.KeyVersionId === undefined || f.KeyVersionId === req.KeyVersionId) && (req.KeyId === undefined || f.KeyId === req.KeyId),
      );
      const start = req.Marker ? Number(Buffer.from(req.Marker, 'base64url').toString()) : 0;
      const size = opts.pageSize ?? matching.length;
      const page = matching.slice(start, start + size);
      const more = start + size < matching.length;
      return { Files: page, Truncated: more, ...(more ? { NextMarker: Buffer.from(String(start + size)).toString('base64url') } : {}) };
    },
    async scanFiles(req) {
      calls.push({ op: 'scanFiles', req });
      return { Scanned: 3, Found: 2, Added: 2, Updated: 0 };
    },
    async reEncryptFiles(req) {
      calls.push({ op: 'reEncryptFiles', req });
      return { ReEncrypted: 2, AlreadyCurrent: 0, Missing: 0, Failed: [] };
    },
    async scheduleKeyVersionDestruction(req) {
      calls.push({ op: 'scheduleKeyVersionDestruction', req });
      return { KeyId: KEY, KeyVersionId: req.KeyVersionId, KeyVersionState: 'PendingDestruction', DestructionDate: '2026-12-30T00:00:00.000Z' };
    },
  };
  const dialogs = new ScriptedDialogs();
  return { ops: createRetireOperations(service, { dialogs }), dialogs, calls };
}

/** A list-files of pages of three, for knownFilesOnVersion alone. */
async function serviceListFiles(all: Retire.InventoryFileEntry[], req: Retire.ListFilesRequest): Promise<Retire.ListFilesResponse> {
  const start = req.Marker ? Number(req.Marker) : 0;
  const more = start + 3 < all.length;
  return { Files: all.slice(start, start + 3), Truncated: more, ...(more ? { NextMarker: String(start + 3) } : {}) };
}

async function rejectsWith(p: Promise<unknown>, type: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => (err as { __type?: string }).__type === type);
}

describe('retire request schemas', () => {
  it('take key and version ids as UUIDs, not aliases or anything else', () => {
    assert.equal(validateRequest('disableKeyVersion', { KeyId: KEY, KeyVersionId: OLD }).ok, true);
    assert.equal(validateRequest('disableKeyVersion', { KeyId: 'alias/tax-returns', KeyVersionId: OLD }).ok, false);
    assert.equal(validateRequest('enableKeyVersion', { KeyId: KEY, KeyVersionId: 'v1' }).ok, false);
    assert.equal(validateRequest('cancelKeyVersionDestruction', { KeyId: KEY }).ok, false);
  });

  it('bound the pending window to 7..30 whole days and Force to a boolean', () => {
    const ok = (extra: object) => validateRequest('scheduleKeyVersionDestruction', { KeyId: KEY, KeyVersionId: OLD, ...extra }).ok;
    assert.equal(ok({}), true);
    assert.equal(ok({ PendingWindowInDays: 7 }), true);
    assert.equal(ok({ PendingWindowInDays: 30, Force: true }), true);
    assert.equal(ok({ PendingWindowInDays: 6 }), false);
    assert.equal(ok({ PendingWindowInDays: 31 }), false);
    assert.equal(ok({ PendingWindowInDays: 7.5 }), false);
    assert.equal(ok({ Force: 'yes' }), false);
  });

  it('never accept a folder or path from the page', () => {
    assert.equal(validateRequest('scanFiles', undefined).ok, true);
    assert.equal(validateRequest('scanFiles', { Directory: '/home' }).ok, false);
    const job = randomUUID();
    assert.equal(validateRequest('reEncryptFiles', { JobId: job, KeyId: KEY, ChooseFolder: true }).ok, true);
    assert.equal(validateRequest('reEncryptFiles', { JobId: job, Directory: '/home' }).ok, false);
    assert.equal(validateRequest('reEncryptFiles', { KeyId: KEY }).ok, false, 'a job id is required, so the page can cancel');
  });

  it('bound list-files paging', () => {
    assert.equal(validateRequest('listFiles', {}).ok, true);
    assert.equal(validateRequest('listFiles', { Stale: true, Limit: 10_000, Marker: Buffer.from('/a.age').toString('base64url') }).ok, true);
    assert.equal(validateRequest('listFiles', { Limit: 0 }).ok, false);
    assert.equal(validateRequest('listFiles', { Limit: 10_001 }).ok, false);
    assert.equal(validateRequest('listFiles', { Marker: '../etc' }).ok, false);
    assert.equal(validateRequest('listFiles', { Path: '/a.age' }).ok, false);
  });
});

describe('scan a folder / bring files up to date', () => {
  it("scans the folder the person picked in main's folder dialog", async () => {
    const { ops, dialogs, calls } = setup();
    dialogs.willOpen(['/home/me/Documents/taxes']);
    const res = await ops.scanFiles();
    assert.deepEqual(res, { Scanned: 3, Found: 2, Added: 2, Updated: 0, FolderName: 'taxes' });
    assert.deepEqual(calls, [{ op: 'scanFiles', req: { Directory: '/home/me/Documents/taxes' } }]);
    const shown = dialogs.shown[0];
    assert.equal(shown?.kind === 'openFiles' && shown.folders, true);
  });

  it('a cancelled folder dialog scans nothing', async () => {
    const { ops, calls } = setup();
    await rejectsWith(ops.scanFiles(), 'CancelledException');
    await rejectsWith(ops.reEncryptFiles({ JobId: randomUUID(), ChooseFolder: true }), 'CancelledException');
    assert.deepEqual(calls, []);
  });

  it("rewraps a key's files, in a folder only when main asked for it", async () => {
    const { ops, dialogs, calls } = setup();
    const JobId = randomUUID();
    await ops.reEncryptFiles({ JobId, KeyId: KEY });
    assert.equal(dialogs.shown.length, 0, 'no dialog without ChooseFolder');
    dialogs.willOpen(['/srv/archive']);
    const res = await ops.reEncryptFiles({ JobId, KeyId: KEY, ChooseFolder: true });
    assert.equal(res.FolderName, 'archive');
    assert.deepEqual(
      calls.map((c) => c.req),
      [
        { JobId, KeyId: KEY },
        { JobId, KeyId: KEY, Directory: '/srv/archive' },
      ],
    );
  });
});

describe("scheduling a version's destruction", () => {
  it("asks natively first, naming the key, the version's date, its files and what cannot be inventoried", async () => {
    const { ops, dialogs, calls } = setup({ files: [file('/a.age', OLD), file('/b.age', OLD, 'Missing'), file('/c.age', CUR)] });
    dialogs.willConfirm(true);
    await ops.scheduleKeyVersionDestruction({ KeyId: KEY, KeyVersionId: OLD, PendingWindowInDays: 14, Force: true });
    const [asked] = dialogs.confirmations();
    assert.ok(asked);
    assert.match(asked.message, /version of 30 Oct 2026 of tax-returns in 14 days/);
    assert.match(asked.detail ?? '', /1 file the vault knows of is still on this version/, 'the missing file is not counted');
    assert.match(asked.detail ?? '', /Small ciphertexts made with Encrypt .* cannot be inventoried/);
    assert.deepEqual(calls.at(-1), { op: 'scheduleKeyVersionDestruction', req: { KeyId: KEY, KeyVersionId: OLD, PendingWindowInDays: 14, Force: true } });
  });

  it('declined: nothing is scheduled', async () => {
    const { ops, dialogs, calls } = setup();
    dialogs.willConfirm(false);
    await rejectsWith(ops.scheduleKeyVersionDestruction({ KeyId: KEY, KeyVersionId: OLD }), 'CancelledException');
    assert.equal(dialogs.confirmations().length, 1);
    assert.ok(!calls.some((c) => c.op === 'scheduleKeyVersionDestruction'));
  });

  it('files still on the version and no Force: the service refuses, nobody is asked', async () => {
    const { ops, dialogs, calls } = setup({ files: [file('/a.age', OLD)] });
    await ops.scheduleKeyVersionDestruction({ KeyId: KEY, KeyVersionId: OLD });
    assert.equal(dialogs.confirmations().length, 0);
    assert.ok(
      calls.some((c) => c.op === 'scheduleKeyVersionDestruction'),
      'the service gives the refusal naming the count',
    );
  });

  it('the primary or an already pending version: the service refuses, nobody is asked', async () => {
    const primary = setup();
    await primary.ops.scheduleKeyVersionDestruction({ KeyId: KEY, KeyVersionId: CUR });
    assert.equal(primary.dialogs.confirmations().length, 0);
    const pending = setup({ oldState: 'PendingDestruction' });
    await pending.ops.scheduleKeyVersionDestruction({ KeyId: KEY, KeyVersionId: OLD });
    assert.equal(pending.dialogs.confirmations().length, 0);
  });

  it('counts the known files over every page of list-files', async () => {
    const all = Array.from({ length: 7 }, (_, i) => file(`/f${i}.age`, OLD, i === 6 ? 'Missing' : 'Present'));
    const { ops, dialogs, calls } = setup({ files: all, pageSize: 3 });
    assert.equal(await knownFilesOnVersion({ listFiles: (req) => serviceListFiles(all, req) }, KEY, OLD), 6);
    // Through the operation: three pages read, and the count shown is 6 (Force given, so it asks).
    dialogs.willConfirm(true);
    await ops.scheduleKeyVersionDestruction({ KeyId: KEY, KeyVersionId: OLD, Force: true });
    assert.equal(calls.filter((c) => c.op === 'listFiles').length, 3);
    assert.match(dialogs.confirmations()[0]?.detail ?? '', /^6 files the vault knows of are still/);
  });

  it('words: no known files, and dates the same on every machine', () => {
    const c = confirmScheduleVersionDestruction({ keyName: 'photos', versionCreated: '2026-01-12T23:30:00.000Z', knownFiles: 0, days: 7 });
    assert.match(c.message, /version of 12 Jan 2026 of photos in 7 days/);
    assert.match(c.detail ?? '', /knows of no file still on this version/);
    assert.equal(dateInWords('not a date'), 'not a date');
  });
});
