/**
 * Attack: a compromised renderer asks main, through the real IPC handlers and the real vault
 * service, to read or write a path of its own choosing. Main must refuse every such request: the
 * renderer only ever names files by opaque tokens that main handed out.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { registerVaultIpc } from '../../../main/app/ipcHandlers.js';
import { channelFor } from '../../../preload/contract.js';
import type { OperationName } from '../../../preload/contract.js';
import { createTempVault, tempDir, type TempVault } from '../../support/tempVault.js';
import { FakeIpcMain, appWindow } from '../../support/appFakes.js';
import { ScriptedDialogs } from '../../../main/app/scriptedDialogs.js';

describe('the renderer cannot choose a path', () => {
  let tv: TempVault;
  let outside: string;
  const ipc = new FakeIpcMain();
  const win = appWindow();
  const dialogs = new ScriptedDialogs();
  const call = (op: OperationName, req: unknown) => ipc.invoke(win.mainFrame, channelFor(op), req) as Promise<{ ok: boolean; error?: { __type: string } }>;

  before(async () => {
    tv = await createTempVault();
    outside = tempDir('keyvault-attack-');
    registerVaultIpc(ipc, tv.service, { isTrustedSender: win.isTrustedSender, log: () => undefined, dialogs });
    await tv.service.createKey({ AliasName: 'alias/victim' });
  });
  after(async () => {
    await tv.cleanup();
  });

  it('export-backup to a path the page invented is refused and writes nothing', async () => {
    const evil = join(outside, 'evil-backup.age');
    const res = await call('exportBackup', { OutPath: evil, Passphrase: 'a long and fine passphrase' });
    assert.equal(res.ok, false, 'the export must be refused');
    assert.equal(res.error?.__type, 'ValidationException');
    assert.equal(existsSync(evil), false, 'no file may appear at the invented path');
    assert.deepEqual(dialogs.shown, [], 'an invented path never even reaches a dialog');
  });

  it('encrypting a file the page names by path (a shadow-like secret) is refused', async () => {
    const shadow = join(outside, 'shadow');
    writeFileSync(shadow, 'root:$6$secret-hash:19000:0:99999:7:::\n', { mode: 0o600 });
    const res = await call('runFileJob', { JobId: randomUUID(), Operation: 'Encrypt', InputPath: shadow, KeyId: 'alias/victim' });
    assert.equal(res.ok, false, 'the job must be refused');
    assert.equal(res.error?.__type, 'ValidationException');
    assert.equal(existsSync(`${shadow}.age`), false, 'nothing is read or written for an invented path');
  });

  it('a decrypt whose output path the page chose is refused and leaves the target untouched', async () => {
    const note = join(outside, 'note.txt');
    writeFileSync(note, 'attacker-chosen content\n');
    await tv.service.runFileJob({ JobId: randomUUID(), Operation: 'Encrypt', InputPath: note, KeyId: 'alias/victim' });
    const target = join(outside, 'bashrc');
    writeFileSync(target, 'original\n');
    const res = await call('runFileJob', {
      JobId: randomUUID(),
      Operation: 'Decrypt',
      InputPath: `${note}.age`,
      OutputPath: target,
      Overwrite: true,
    });
    assert.equal(res.ok, false);
    assert.equal(res.error?.__type, 'ValidationException');
    assert.equal(readFileSync(target, 'utf8'), 'original\n');
  });
});
