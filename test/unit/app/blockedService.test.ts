import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBlockedService } from '../../../main/app/blockedService.js';
import { registerVaultIpc } from '../../../main/app/ipcHandlers.js';
import { ScriptedDialogs } from '../../../main/app/scriptedDialogs.js';
import { VaultIntegrityException } from '../../../main/core/errors.js';
import { channelFor } from '../../../preload/contract.js';
import { FakeIpcMain, appWindow } from '../../support/appFakes.js';

describe('a vault that failed its integrity check', () => {
  it('answers every call with VaultIntegrityException and its advice, without asking the person anything', async () => {
    const ipc = new FakeIpcMain();
    const win = appWindow();
    const dialogs = new ScriptedDialogs();
    // Would confirm if asked: the block must come first.
    dialogs.willConfirm(true);
    const advice = 'vault.json does not match its MAC: restore the last good backup with restore-backup.';
    registerVaultIpc(ipc, createBlockedService(new VaultIntegrityException(advice)), { isTrustedSender: win.isTrustedSender, log: () => undefined, dialogs });
    const calls: [string, unknown][] = [
      ['listKeyDetails', undefined],
      ['describeKey', { KeyId: 'alias/x' }],
      ['encrypt', { KeyId: 'alias/x', Plaintext: 'aGk=' }],
      ['rotateKeyOnDemand', { KeyId: 'alias/x' }],
      ['addRecoveryRecipient', { Recipient: 'age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq' }],
    ];
    for (const [op, req] of calls) {
      const res = (await ipc.invoke(win.mainFrame, channelFor(op as 'listKeys'), ...(req === undefined ? [] : [req]))) as {
        ok: boolean;
        error?: { __type: string; message: string };
      };
      assert.deepEqual(res, { ok: false, error: { __type: 'VaultIntegrityException', message: advice } }, op);
    }
    assert.deepEqual(dialogs.shown, []);
  });
});
