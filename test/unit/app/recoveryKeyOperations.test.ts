/**
 * The recovery key on the bridge: a native confirmation before a secret is made and shown, the
 * printable sheet kept in main (never sent, never taken from the page) and written only where the
 * person chose, by the window that made it, for a limited time.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createRecoveryKeyOperations, SHEET_KEPT_MS } from '../../../main/app/recoveryKeyOperations.js';
import { ScriptedDialogs } from '../../../main/app/scriptedDialogs.js';
import { validateRequest } from '../../../main/app/ipcSchemas.js';
import type * as Api from '../../../main/core/api.js';

const dir = mkdtempSync(join(tmpdir(), 'keyvault-recoverykey-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const me = { owner: 'contents:1' };
const other = { owner: 'contents:2' };

function setup() {
  const calls: Api.CreateRecoveryKeyRequest[] = [];
  let made = 0;
  const service = {
    async createRecoveryKey(req: Api.CreateRecoveryKeyRequest): Promise<Api.CreateRecoveryKeyResponse> {
      calls.push(req);
      made++;
      return { RecoveryKey: `KEY${made}`, VaultId: '0123456789abcdef', CreationDate: '2026-11-30T12:00:00.000Z', SheetHtml: `<html>sheet ${made}</html>` };
    },
    async getRecoveryStatus(): Promise<Api.RecoveryStatus> {
      return { RecoveryPassphraseSet: false, RecoveryKeySet: made > 0 };
    },
  };
  const dialogs = new ScriptedDialogs();
  let clock = 1_000_000;
  const ops = createRecoveryKeyOperations(service, { dialogs, defaultSaveDir: () => dir, now: () => clock });
  return { ops, dialogs, calls, advance: (ms: number) => (clock += ms) };
}

async function rejectsWith(p: Promise<unknown>, type: string): Promise<void> {
  await assert.rejects(p, (err: { __type?: string }) => err.__type === type);
}

describe('create-recovery-key through the app', () => {
  it('asks natively first; declining makes nothing', async () => {
    const { ops, dialogs, calls } = setup();
    dialogs.willConfirm(false);
    await rejectsWith(ops.createRecoveryKey({}, me), 'CancelledException');
    assert.equal(calls.length, 0);
    assert.equal(dialogs.confirmations()[0]?.confirmLabel, 'Create recovery key');
  });

  it('returns the key once without the sheet; replacing says the old sheet stops working', async () => {
    const { ops, dialogs, calls } = setup();
    dialogs.willConfirm(true).willConfirm(true);
    const res = await ops.createRecoveryKey({}, me);
    assert.deepEqual(Object.keys(res).sort(), ['CreationDate', 'RecoveryKey', 'VaultId']);
    assert.equal(res.RecoveryKey, 'KEY1');
    await ops.createRecoveryKey({ Replace: true }, me);
    assert.deepEqual(calls, [{}, { Replace: true }]);
    assert.match(dialogs.confirmations()[1]?.detail ?? '', /old recovery key stops working/);
  });
});

describe('save-recovery-sheet', () => {
  it('writes the sheet main was given where the person chose', async () => {
    const { ops, dialogs } = setup();
    dialogs.willConfirm(true);
    await ops.createRecoveryKey({}, me);
    const out = join(dir, 'sheet.html');
    dialogs.willSave(out);
    assert.deepEqual(await ops.saveRecoverySheet(undefined, me), { FileName: 'sheet.html' });
    assert.equal(readFileSync(out, 'utf8'), '<html>sheet 1</html>');
    const save = dialogs.shown.find((d) => d.kind === 'saveFile');
    assert.match(save && 'defaultPath' in save ? save.defaultPath : '', /keyvault-recovery-sheet-01234567\.html$/);
  });

  it('asks before replacing an existing file, and keeps it when declined', async () => {
    const { ops, dialogs } = setup();
    dialogs.willConfirm(true);
    await ops.createRecoveryKey({}, me);
    const out = join(dir, 'existing.html');
    writeFileSync(out, 'mine');
    dialogs.willSave(out).willConfirm(false);
    await rejectsWith(ops.saveRecoverySheet(undefined, me), 'CancelledException');
    assert.equal(readFileSync(out, 'utf8'), 'mine');
    dialogs.willSave(out).willConfirm(true);
    await ops.saveRecoverySheet(undefined, me);
    assert.equal(readFileSync(out, 'utf8'), '<html>sheet 1</html>');
  });

  it('refuses without a freshly made key, for another window, after the time is up or once forgotten', async () => {
    const { ops, dialogs, advance } = setup();
    await rejectsWith(ops.saveRecoverySheet(undefined, me), 'ValidationException');
    dialogs.willConfirm(true);
    await ops.createRecoveryKey({}, me);
    await rejectsWith(ops.saveRecoverySheet(undefined, other), 'ValidationException');
    await ops.forgetRecoverySheet(undefined, me);
    await rejectsWith(ops.saveRecoverySheet(undefined, me), 'ValidationException');
    dialogs.willConfirm(true);
    await ops.createRecoveryKey({ Replace: true }, me);
    advance(SHEET_KEPT_MS + 1);
    await rejectsWith(ops.saveRecoverySheet(undefined, me), 'ValidationException');
    // None of these refusals showed a save dialog.
    assert.equal(dialogs.shown.filter((d) => d.kind === 'saveFile').length, 0);
  });
});

describe('the page cannot supply the sheet or a path', () => {
  it('refuses HTML, paths or any argument at the IPC boundary', () => {
    assert.equal(validateRequest('saveRecoverySheet', undefined).ok, true);
    assert.equal(validateRequest('saveRecoverySheet', { SheetHtml: '<script>steal()</script>' }).ok, false);
    assert.equal(validateRequest('saveRecoverySheet', { OutPath: '/tmp/x.html' }).ok, false);
    assert.equal(validateRequest('createRecoveryKey', {}).ok, true);
    assert.equal(validateRequest('createRecoveryKey', { Replace: 'yes' }).ok, false);
    assert.equal(validateRequest('createRecoveryKey', { Replace: true, SheetHtml: '<p>' }).ok, false);
  });
});
