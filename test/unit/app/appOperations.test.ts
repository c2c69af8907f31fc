/**
 * Main's own decisions before the service runs: tokens instead of paths, native dialogs for where
 * to save and what to restore, and a confirmation the renderer cannot skip for everything that
 * exports, widens access or replaces a file. Driven with a scripted DialogPort and a fake service.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createAppOperations, derivedOutputPath } from '../../../main/app/appOperations.js';
import type { VaultRestorer } from '../../../main/app/appOperations.js';
import { FileTokenRegistry } from '../../../main/app/fileTokens.js';
import { ScriptedDialogs } from '../../../main/app/scriptedDialogs.js';
import { X25519Identity } from '../../../main/crypto/age/recipients.js';
import { fakeService } from '../../support/appFakes.js';

const dir = mkdtempSync(join(tmpdir(), 'keyvault-appops-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const ctx = { owner: 'contents:1' };

function setup(restore?: VaultRestorer) {
  const fake = fakeService();
  fake.answer('listKeys', () => ({ Keys: [{ KeyId: 'k1' }, { KeyId: 'k2' }] }));
  fake.answer('listAliases', () => ({ Aliases: [{ AliasName: 'alias/taxes', TargetKeyId: 'k1' }, { AliasName: 'alias/unused' }] }));
  fake.answer('getRecoveryStatus', () => ({ RecoveryPassphraseSet: false }));
  const dialogs = new ScriptedDialogs();
  const tokens = new FileTokenRegistry();
  const ops = createAppOperations(fake.service, {
    dialogs,
    tokens,
    defaultSaveDir: () => dir,
    vaultDir: '/home/me/.config/Key Vault/vault',
    today: () => new Date('2026-11-30T12:00:00Z'),
    ...(restore ? { restore } : {}),
  });
  const serviceCalls = (op: string) => fake.calls.filter((c) => c.op === op);
  return { fake, dialogs, tokens, ops, serviceCalls };
}

async function rejectsWith(p: Promise<unknown>, type: string): Promise<void> {
  await assert.rejects(p, (err: { __type?: string }) => err.__type === type);
}

describe('file jobs by token', () => {
  it('runs the job on the path behind a picked file, output next to it under the derived name', async () => {
    const { ops, dialogs, serviceCalls } = setup();
    const input = join(dir, 'letter.txt');
    writeFileSync(input, 'hi');
    dialogs.willOpen([input]);
    const { Files } = await ops.pickFiles(undefined, ctx);
    assert.equal(Files.length, 1);
    await ops.runFileJob({ JobId: randomUUID(), Operation: 'Encrypt', FileToken: Files[0]!.FileToken, KeyId: 'alias/taxes' }, ctx);
    assert.deepEqual(
      serviceCalls('runFileJob')
        .map((c) => c.req as Record<string, unknown>)
        .map((r) => [r.InputPath, r.OutputPath, r.Overwrite]),
      [[input, `${input}.age`, undefined]],
    );
    assert.deepEqual(
      dialogs.shown.map((d) => d.kind),
      ['openFiles'],
    );
  });

  it('refuses a forged token and a token of another window without touching the service', async () => {
    const { ops, dialogs, serviceCalls } = setup();
    const input = join(dir, 'a.txt');
    writeFileSync(input, 'a');
    dialogs.willOpen([input]);
    const { Files } = await ops.pickFiles(undefined, ctx);
    await rejectsWith(ops.runFileJob({ JobId: randomUUID(), Operation: 'Encrypt', FileToken: 'x'.repeat(43) }, ctx), 'NotFoundException');
    await rejectsWith(
      ops.runFileJob({ JobId: randomUUID(), Operation: 'Encrypt', FileToken: Files[0]!.FileToken }, { owner: 'contents:2' }),
      'NotFoundException',
    );
    assert.equal(serviceCalls('runFileJob').length, 0);
  });

  it('asks before replacing an existing output: declined writes nothing, accepted overwrites', async () => {
    const { ops, dialogs, tokens, serviceCalls } = setup();
    const input = join(dir, 'photo.jpg.age');
    writeFileSync(input, 'sealed');
    writeFileSync(join(dir, 'photo.jpg'), 'existing');
    const [handle] = await tokens.issue(ctx.owner, [input]);
    const job = { JobId: randomUUID(), Operation: 'Decrypt' as const, FileToken: handle!.FileToken, Overwrite: true };
    dialogs.willConfirm(false);
    await rejectsWith(ops.runFileJob(job, ctx), 'CancelledException');
    assert.equal(serviceCalls('runFileJob').length, 0);
    dialogs.willConfirm(true);
    await ops.runFileJob({ ...job, JobId: randomUUID() }, ctx);
    assert.equal((serviceCalls('runFileJob')[0]?.req as { Overwrite?: boolean }).Overwrite, true);
    const asked = dialogs.confirmations();
    assert.equal(asked.length, 2);
    assert.match(asked[0]!.message, /Replace photo\.jpg/);
    assert.match(asked[0]!.detail, /decrypted copy of photo\.jpg\.age/);
  });

  it("save-as: the output goes where the person chose in main's save dialog (suggested: the derived name)", async () => {
    const { ops, dialogs, tokens, serviceCalls } = setup();
    const input = join(dir, 'contract.pdf');
    writeFileSync(input, 'pdf');
    const [handle] = await tokens.issue(ctx.owner, [input]);
    const elsewhere = join(dir, 'safe-copy.pdf.age');
    dialogs.willSave(elsewhere);
    await ops.runFileJob({ JobId: randomUUID(), Operation: 'Encrypt', FileToken: handle!.FileToken, SaveAs: true }, ctx);
    const save = dialogs.shown[0];
    assert.equal(save?.kind === 'saveFile' && save.defaultPath, `${input}.age`);
    assert.equal((serviceCalls('runFileJob')[0]?.req as { OutputPath?: string }).OutputPath, elsewhere);

    // Cancelled: nothing runs. An existing file chosen: main confirms the replacement first.
    await assert.rejects(ops.runFileJob({ JobId: randomUUID(), Operation: 'Encrypt', FileToken: handle!.FileToken, SaveAs: true }, ctx), {
      __type: 'CancelledException',
    });
    writeFileSync(elsewhere, 'older');
    dialogs.willSave(elsewhere).willConfirm(true);
    await ops.runFileJob({ JobId: randomUUID(), Operation: 'Encrypt', FileToken: handle!.FileToken, SaveAs: true }, ctx);
    assert.match(dialogs.confirmations()[0]!.message, /Replace safe-copy\.pdf\.age/);
    assert.equal((serviceCalls('runFileJob')[1]?.req as { Overwrite?: boolean }).Overwrite, true);
    assert.equal(serviceCalls('runFileJob').length, 2);
    await assert.rejects(ops.runFileJob({ JobId: randomUUID(), Operation: 'Inspect', FileToken: handle!.FileToken, SaveAs: true }, ctx), {
      __type: 'ValidationException',
    });
  });

  it('derives outputs like the service: .age added, .age removed, .decrypted otherwise, none in place', () => {
    assert.equal(derivedOutputPath('Encrypt', '/d/a.txt'), '/d/a.txt.age');
    assert.equal(derivedOutputPath('Decrypt', '/d/a.txt.age'), '/d/a.txt');
    assert.equal(derivedOutputPath('Decrypt', '/d/.age'), '/d/.age.decrypted');
    assert.equal(derivedOutputPath('ReEncrypt', '/d/a.age'), undefined);
    assert.equal(derivedOutputPath('Inspect', '/d/a.age'), undefined);
  });
});

describe('export-backup', () => {
  it('writes where the person chose in the save dialog, after a confirmation naming the path and the key count', async () => {
    const { ops, dialogs, serviceCalls } = setup();
    const chosen = join(dir, 'my-backup.age');
    dialogs.willSave(chosen).willConfirm(true);
    await ops.exportBackup({ Passphrase: 'correct horse battery' }, ctx);
    assert.deepEqual(
      serviceCalls('exportBackup').map((c) => c.req),
      [{ OutPath: chosen, Passphrase: 'correct horse battery' }],
    );
    const [save, confirm] = dialogs.shown;
    assert.equal(save?.kind === 'saveFile' && save.defaultPath, join(dir, 'keyvault-backup-2026-11-30.age'));
    assert.equal(confirm?.kind, 'confirm');
    assert.match(confirm?.kind === 'confirm' ? confirm.message : '', new RegExp(`all 2 keys to ${chosen.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('declined or cancelled: CancelledException and nothing exported', async () => {
    const { ops, dialogs, serviceCalls } = setup();
    dialogs.willSave(null);
    await rejectsWith(ops.exportBackup({ Passphrase: 'correct horse battery' }, ctx), 'CancelledException');
    dialogs.willSave(join(dir, 'b.age')).willConfirm(false);
    await rejectsWith(ops.exportBackup({ Passphrase: 'correct horse battery' }, ctx), 'CancelledException');
    assert.equal(serviceCalls('exportBackup').length, 0);
  });

  it('replacing an existing file is named in the confirmation and only then overwritten', async () => {
    const { ops, dialogs, serviceCalls } = setup();
    const chosen = join(dir, 'old-backup.age');
    writeFileSync(chosen, 'old');
    dialogs.willSave(chosen).willConfirm(true);
    await ops.exportBackup({ Passphrase: 'correct horse battery' }, ctx);
    assert.match(dialogs.confirmations()[0]!.detail, /old-backup\.age that is already there will be replaced/);
    assert.equal((serviceCalls('exportBackup')[0]?.req as { Overwrite?: boolean }).Overwrite, true);
  });
});

describe('operations that widen access', () => {
  it('add-recovery-recipient, add-identity and set-recovery-passphrase run only after a yes', async () => {
    const { ops, dialogs, serviceCalls } = setup();
    const recipient = 'age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq';
    const identity = X25519Identity.generate();
    // The comment claims another key: the confirmation must name the real one.
    const identityFile = `# public key: ${recipient}\n${identity.toString()}\n`;
    await rejectsWith(ops.addRecoveryRecipient({ Recipient: recipient }, ctx), 'CancelledException');
    await rejectsWith(ops.addIdentity({ IdentityFileText: identityFile }, ctx), 'CancelledException');
    await rejectsWith(ops.setRecoveryPassphrase({ Passphrase: 'a long passphrase' }, ctx), 'CancelledException');
    assert.equal(serviceCalls('addRecoveryRecipient').length + serviceCalls('addIdentity').length + serviceCalls('setRecoveryPassphrase').length, 0);

    dialogs.willConfirm(true).willConfirm(true).willConfirm(true);
    await ops.addRecoveryRecipient({ Recipient: recipient }, ctx);
    await ops.addIdentity({ IdentityFileText: identityFile }, ctx);
    await ops.setRecoveryPassphrase({ Passphrase: 'a long passphrase' }, ctx);
    assert.equal(serviceCalls('addRecoveryRecipient').length + serviceCalls('addIdentity').length + serviceCalls('setRecoveryPassphrase').length, 3);
    const messages = dialogs.confirmations().map((c) => c.message);
    assert.ok(messages.some((m) => m.includes(recipient) && m.includes('open every file')));
    assert.ok(messages.some((m) => m.includes(`identity for ${identity.recipient.toString()}`)));
    assert.ok(!messages.some((m) => m.includes('identity for age1qyqs')), 'never the key a comment claims');
    assert.ok(messages.some((m) => m.includes('Set a recovery passphrase')));
  });

  it('an invalid identity file is refused before anything is asked, without echoing it', async () => {
    const { ops, dialogs, serviceCalls } = setup();
    await assert.rejects(ops.addIdentity({ IdentityFileText: 'AGE-SECRET-KEY-1NOTREALLY' }, ctx), (err: { __type?: string; message: string }) => {
      assert.equal(err.__type, 'ValidationException');
      assert.ok(!err.message.includes('NOTREALLY'));
      return true;
    });
    assert.equal(dialogs.shown.length, 0);
    assert.equal(serviceCalls('addIdentity').length, 0);
  });

  it('removing a recovery passphrase that is set asks first; removing one that is not set needs no question', async () => {
    const { ops, dialogs, fake, serviceCalls } = setup();
    await ops.setRecoveryPassphrase({ Passphrase: '' }, ctx);
    assert.equal(dialogs.shown.length, 0);
    fake.answer('getRecoveryStatus', () => ({ RecoveryPassphraseSet: true }));
    await rejectsWith(ops.setRecoveryPassphrase({ Passphrase: '' }, ctx), 'CancelledException');
    assert.match(dialogs.confirmations()[0]!.message, /Remove the recovery passphrase/);
    assert.equal(serviceCalls('setRecoveryPassphrase').length, 1);
  });
});

describe('restore-backup', () => {
  it("restores the file chosen in main's open dialog after an account of what is replaced", async () => {
    const restored: string[] = [];
    const { ops, dialogs } = setup(async (path, passphrase) => {
      restored.push(`${path}|${passphrase}`);
      return { KeyCount: 3, VersionCount: 5, RecoveryPassphraseSet: false, Restarting: true };
    });
    const backup = join(dir, 'keyvault-backup.age');
    dialogs.willOpen([backup]).willConfirm(true);
    const res = await ops.restoreBackup({ Passphrase: 'correct horse battery' }, ctx);
    assert.deepEqual(res, { BackupFile: 'keyvault-backup.age', KeyCount: 3, VersionCount: 5, RecoveryPassphraseSet: false, Restarting: true });
    assert.deepEqual(restored, [`${backup}|correct horse battery`]);
    const confirm = dialogs.confirmations()[0]!;
    assert.match(confirm.detail, /The 2 keys now in .* \(taxes\) will be replaced by the keys in/);
  });

  it('declined or no file chosen: nothing restored', async () => {
    let calls = 0;
    const { ops, dialogs } = setup(async () => {
      calls += 1;
      return { KeyCount: 0, VersionCount: 0, RecoveryPassphraseSet: false, Restarting: true };
    });
    await rejectsWith(ops.restoreBackup({ Passphrase: 'correct horse battery' }, ctx), 'CancelledException');
    dialogs.willOpen([join(dir, 'b.age')]).willConfirm(false);
    await rejectsWith(ops.restoreBackup({ Passphrase: 'correct horse battery' }, ctx), 'CancelledException');
    assert.equal(calls, 0);
  });
});
