/**
 * Main's side of the Files and Activity screens: "Keep both" picks a free name next to the taken
 * one, "Show in folder" opens only an output main wrote for that window's job, and the activity
 * export filters, names keys by alias, and is written by main where the person chose.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { activityCsv, csvCell, exportedEvents } from '../../../main/app/activityExport.js';
import { createAppOperations, registerDroppedFiles } from '../../../main/app/appOperations.js';
import { FileTokenRegistry, MAX_FOLDER_DEPTH, MAX_FOLDER_FILES } from '../../../main/app/fileTokens.js';
import { freePath, numberedName } from '../../../main/app/freeName.js';
import { ScriptedDialogs } from '../../../main/app/scriptedDialogs.js';
import { filterActivity, isReadOperation } from '../../../main/core/activityFilter.js';
import type { AuditEntry, FileJobRequest } from '../../../main/core/api.js';
import { fakeService } from '../../support/appFakes.js';

const dir = mkdtempSync(join(tmpdir(), 'keyvault-files-activity-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const ctx = { owner: 'contents:1' };

const EVENTS: AuditEntry[] = [
  { Time: '2026-11-30T10:00:00.000Z', Operation: 'CreateKey', KeyId: 'k1', Outcome: 'Success' },
  { Time: '2026-11-30T10:01:00.000Z', Operation: 'DescribeKey', KeyId: 'k1', Outcome: 'Success' },
  { Time: '2026-11-30T10:02:00.000Z', Operation: 'EncryptFile', KeyId: 'k1', Outcome: 'Success', Detail: '=HYPERLINK("x"),report.pdf' },
  { Time: '2026-11-30T10:03:00.000Z', Operation: 'DecryptFile', KeyId: 'k2', Outcome: 'Failure', ErrorType: 'DisabledException', Detail: 'a.age' },
  { Time: '2026-11-30T10:04:00.000Z', Operation: 'ListKeys', Outcome: 'Success' },
];

function setup() {
  const fake = fakeService();
  fake.answer('runFileJob', (req) => {
    const r = req as FileJobRequest;
    writeFileSync(r.OutputPath!, 'written');
    return { JobId: r.JobId, Operation: r.Operation, InputPath: r.InputPath, OutputPath: r.OutputPath, BytesProcessed: 7 };
  });
  fake.answer('listAuditEvents', () => ({ Events: EVENTS }));
  fake.answer('listAliases', () => ({
    Aliases: [
      { AliasName: 'alias/tax-returns', TargetKeyId: 'k1' },
      { AliasName: 'alias/photos', TargetKeyId: 'k2' },
    ],
  }));
  const dialogs = new ScriptedDialogs();
  const tokens = new FileTokenRegistry();
  const ops = createAppOperations(fake.service, { dialogs, tokens, defaultSaveDir: () => dir, today: () => new Date('2026-11-30T12:00:00Z') });
  return { fake, dialogs, tokens, ops };
}

describe('keep both', () => {
  it('numbers the name before its extensions', () => {
    assert.equal(numberedName('report.pdf', 2), 'report (2).pdf');
    assert.equal(numberedName('notes.txt.age', 3), 'notes (3).txt.age');
    assert.equal(numberedName('README', 2), 'README (2)');
    assert.equal(numberedName('.bashrc', 2), '.bashrc (2)');
  });

  it('takes the first free number and never the taken name', async () => {
    const taken = new Set(['/d/report.pdf', '/d/report (2).pdf']);
    assert.equal(await freePath('/d/report.pdf', async (p) => taken.has(p)), '/d/report (3).pdf');
    assert.equal(await freePath('/d/other.pdf', async (p) => taken.has(p)), '/d/other.pdf');
    await assert.rejects(
      freePath('/d/x', async () => true),
      (e: { __type?: string }) => e.__type === 'AlreadyExistsException',
    );
  });

  it('decrypting onto an existing file with KeepBoth writes "name (2).ext" and leaves the file alone, with no dialog', async () => {
    const { ops, tokens, dialogs, fake } = setup();
    const input = join(dir, 'report.pdf.age');
    writeFileSync(input, 'sealed');
    writeFileSync(join(dir, 'report.pdf'), 'the one already there');
    const [handle] = await tokens.issue(ctx.owner, [input]);
    const res = await ops.runFileJob({ JobId: randomUUID(), Operation: 'Decrypt', FileToken: handle!.FileToken, KeepBoth: true }, ctx);
    assert.equal(res.OutputPath, join(dir, 'report (2).pdf'));
    assert.equal(readFileSync(join(dir, 'report.pdf'), 'utf8'), 'the one already there');
    const sent = fake.calls.find((c) => c.op === 'runFileJob')?.req as FileJobRequest;
    assert.equal(sent.Overwrite, undefined, 'keep both never overwrites');
    assert.deepEqual(dialogs.shown, []);
  });

  it('refuses KeepBoth together with Overwrite, and for operations that write no new file', async () => {
    const { ops, tokens, fake } = setup();
    const input = join(dir, 'both.txt');
    writeFileSync(input, 'x');
    const [handle] = await tokens.issue(ctx.owner, [input]);
    const base = { FileToken: handle!.FileToken, KeepBoth: true };
    await assert.rejects(
      ops.runFileJob({ ...base, JobId: randomUUID(), Operation: 'Encrypt', Overwrite: true }, ctx),
      (e: { __type?: string }) => e.__type === 'ValidationException',
    );
    await assert.rejects(
      ops.runFileJob({ ...base, JobId: randomUUID(), Operation: 'ReEncrypt' }, ctx),
      (e: { __type?: string }) => e.__type === 'ValidationException',
    );
    assert.equal(fake.calls.filter((c) => c.op === 'runFileJob').length, 0);
  });
});

describe('show in folder', () => {
  it('opens the output main wrote for this job, and nothing for another window or an unknown job', async () => {
    const { ops, tokens, dialogs } = setup();
    const input = join(dir, 'photo.jpg');
    writeFileSync(input, 'pixels');
    const [handle] = await tokens.issue(ctx.owner, [input]);
    const JobId = randomUUID();
    await ops.runFileJob({ JobId, Operation: 'Encrypt', FileToken: handle!.FileToken, KeyId: 'k1' }, ctx);
    await assert.rejects(ops.showInFolder({ JobId }, { owner: 'contents:2' }), (e: { __type?: string }) => e.__type === 'NotFoundException');
    await assert.rejects(ops.showInFolder({ JobId: randomUUID() }, ctx), (e: { __type?: string }) => e.__type === 'NotFoundException');
    assert.deepEqual(await ops.showInFolder({ JobId }, ctx), { Shown: true });
    assert.deepEqual(dialogs.shown, [{ kind: 'showItemInFolder', path: `${input}.age` }]);
  });

  it('says so when the output has been moved away since', async () => {
    const { ops, tokens, dialogs } = setup();
    const input = join(dir, 'gone.txt');
    writeFileSync(input, 'x');
    const [handle] = await tokens.issue(ctx.owner, [input]);
    const JobId = randomUUID();
    await ops.runFileJob({ JobId, Operation: 'Encrypt', FileToken: handle!.FileToken, KeyId: 'k1' }, ctx);
    rmSync(`${input}.age`);
    await assert.rejects(ops.showInFolder({ JobId }, ctx), /gone\.txt\.age is no longer there/);
    assert.deepEqual(dialogs.shown, []);
  });
});

describe('activity', () => {
  it('hides reads unless asked, and filters by key and outcome', () => {
    assert.ok(isReadOperation('DescribeKey') && isReadOperation('ListKeys') && isReadOperation('GetKeyRotationStatus'));
    assert.ok(!isReadOperation('CreateKey') && !isReadOperation('EncryptFile') && !isReadOperation('DisableKey'));
    assert.deepEqual(
      filterActivity(EVENTS, {}).map((e) => e.Operation),
      ['CreateKey', 'EncryptFile', 'DecryptFile'],
    );
    assert.equal(filterActivity(EVENTS, { IncludeReads: true }).length, 5);
    assert.deepEqual(
      filterActivity(EVENTS, { Outcome: 'Failure' }).map((e) => e.Operation),
      ['DecryptFile'],
    );
    assert.deepEqual(
      filterActivity(EVENTS, { KeyId: 'k1', IncludeReads: true }).map((e) => e.Operation),
      ['CreateKey', 'DescribeKey', 'EncryptFile'],
    );
  });

  it('CSV cells are quoted and never start a formula', () => {
    assert.equal(csvCell('plain'), 'plain');
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell('=1+1'), "'=1+1");
    assert.equal(csvCell('-2'), "'-2");
    const csv = activityCsv(exportedEvents(EVENTS.slice(2, 3), new Map([['k1', ['tax-returns']]])));
    assert.equal(csv.split('\r\n')[1], `2026-11-30T10:02:00.000Z,EncryptFile,tax-returns,k1,,Success,,"'=HYPERLINK(""x""),report.pdf"`);
  });

  it('exports the filtered events where the person chose, naming keys by alias', async () => {
    const { ops, dialogs } = setup();
    const out = join(dir, 'activity.json');
    dialogs.willSave(out);
    const res = await ops.exportActivity({ Format: 'json' }, ctx);
    assert.deepEqual(res, { FileName: 'activity.json', Count: 3 });
    const rows = JSON.parse(readFileSync(out, 'utf8')) as { Operation: string; Key: string }[];
    assert.deepEqual(
      rows.map((r) => [r.Operation, r.Key]),
      [
        ['CreateKey', 'tax-returns'],
        ['EncryptFile', 'tax-returns'],
        ['DecryptFile', 'photos'],
      ],
    );
    const save = dialogs.shown[0];
    assert.equal(save?.kind === 'saveFile' && save.defaultPath, join(dir, 'keyvault-activity-2026-11-30.json'));
  });

  it('a cancelled save dialog writes nothing; replacing a file needs a yes', async () => {
    const { ops, dialogs } = setup();
    await assert.rejects(ops.exportActivity({ Format: 'csv' }, ctx), (e: { __type?: string }) => e.__type === 'CancelledException');
    const out = join(dir, 'old.csv');
    writeFileSync(out, 'keep me');
    dialogs.willSave(out).willConfirm(false);
    await assert.rejects(ops.exportActivity({ Format: 'csv' }, ctx), (e: { __type?: string }) => e.__type === 'CancelledException');
    assert.equal(readFileSync(out, 'utf8'), 'keep me');
    dialogs.willSave(out).willConfirm(true);
    assert.equal((await ops.exportActivity({ Format: 'csv', Outcome: 'Failure' }, ctx)).Count, 1);
    assert.match(readFileSync(out, 'utf8'), /DecryptFile,photos,k2,,Failure,DisabledException,a\.age/);
  });
});

describe('folders as a whole', () => {
  function tree(): string {
    const root = mkdtempSync(join(dir, 'photos-'));
    writeFileSync(join(root, 'a.jpg'), 'a');
    mkdirSync(join(root, '2025', 'summer'), { recursive: true });
    writeFileSync(join(root, '2025', 'summer', 'b.jpg'), 'bb');
    writeFileSync(join(root, '2025', 'c.jpg'), 'ccc');
    symlinkSync('/etc/passwd', join(root, 'link-to-file'));
    symlinkSync('/etc', join(root, 'link-to-folder'));
    let deep = root;
    for (let i = 0; i <= MAX_FOLDER_DEPTH; i++) deep = join(deep, `d${i}`);
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(deep, 'too-deep.txt'), 'x');
    return root;
  }

  it('a dropped folder becomes its regular files, links never followed, with the count of what was left out', async () => {
    const root = tree();
    const loose = join(dir, 'loose.txt');
    writeFileSync(loose, 'l');
    const tokens = new FileTokenRegistry();
    const { Files } = await registerDroppedFiles(tokens, { Paths: [loose, root] }, ctx);
    assert.deepEqual(
      Files.map((f) => f.Folder?.RelativePath ?? f.Name),
      ['loose.txt', '2025/c.jpg', '2025/summer/b.jpg', 'a.jpg'],
    );
    const folder = Files[1]!.Folder!;
    assert.equal(folder.FileCount, 3);
    assert.equal(folder.Skipped, 3, 'two links and one folder nested too deep');
    assert.equal(tokens.resolve(ctx.owner, Files[2]!.FileToken), join(root, '2025', 'summer', 'b.jpg'));
    assert.ok(!Files.some((f) => f.Name === 'passwd' || f.Name === 'too-deep.txt'));
  });

  it('refuses a folder with more files than the bound, before issuing any token', async () => {
    const big = mkdtempSync(join(dir, 'big-'));
    for (let i = 0; i <= MAX_FOLDER_FILES; i++) writeFileSync(join(big, `f${i}`), '');
    const tokens = new FileTokenRegistry();
    await assert.rejects(
      tokens.issueExpanding(ctx.owner, [big]),
      (e: { __type?: string; message: string }) => e.__type === 'ValidationException' && /up to 1000 files/.test(e.message),
    );
    assert.equal(tokens.size, 0);
  });

  it('"Choose a folder" asks main\'s dialog for folders', async () => {
    const root = tree();
    const { ops, dialogs } = setup();
    dialogs.willOpen([root]);
    const { Files } = await ops.pickFolder(undefined, ctx);
    assert.equal(Files.length, 3);
    assert.deepEqual(dialogs.shown, [{ kind: 'openFiles', title: 'Choose a folder', multiple: true, folders: true }]);
  });
});
