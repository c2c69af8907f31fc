import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { FORBIDDEN_RESPONSE_MESSAGE, GENERIC_INTERNAL_MESSAGE, findForbiddenField, registerVaultIpc } from '../../../main/app/ipcHandlers.js';
import { requestSchemas } from '../../../main/app/ipcSchemas.js';
import { MAX_DESCRIPTION_LENGTH } from '../../../main/core/limits.js';
import { APP_ENTRY_URL } from '../../../main/app/securityPolicy.js';
import { DisabledException, NotFoundException } from '../../../main/core/errors.js';
import { OPERATION_NAMES, REGISTER_DROP_CHANNEL, channelFor } from '../../../preload/contract.js';
import type { OperationName } from '../../../preload/contract.js';
import { ScriptedDialogs } from '../../../main/app/scriptedDialogs.js';
import { FakeIpcMain, appWindow, fakeService, frame } from '../../support/ipcFakes.js';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';

function setup() {
  const ipc = new FakeIpcMain();
  const fake = fakeService();
  const win = appWindow();
  const logged: string[] = [];
  const dispose = registerVaultIpc(ipc, fake.service, {
    isTrustedSender: win.isTrustedSender,
    log: (message) => logged.push(message),
    dialogs: new ScriptedDialogs(),
  });
  const call = (op: OperationName, ...args: unknown[]) => ipc.invoke(win.mainFrame, channelFor(op), ...args);
  return { ipc, fake, win, logged, dispose, call };
}

/** One valid request per operation (undefined for `void` operations). */
const VALID: Record<OperationName, unknown> = {
  getVaultInfo: undefined,
  createKey: { Description: 'mail', EnableAutomaticRotation: true, RotationInterval: '30d', AliasName: 'alias/mail' },
  describeKey: { KeyId: KEY_ID },
  listKeys: undefined,
  listKeyDetails: undefined,
  enableKey: { KeyId: KEY_ID },
  disableKey: { KeyId: KEY_ID },
  scheduleKeyDeletion: { KeyId: KEY_ID, PendingWindowInDays: 7 },
  cancelKeyDeletion: { KeyId: KEY_ID },
  createAlias: { AliasName: 'alias/x', TargetKeyId: KEY_ID },
  deleteAlias: { AliasName: 'alias/x' },
  listAliases: undefined,
  enableKeyRotation: { KeyId: KEY_ID, RotationPeriodInDays: 90 },
  disableKeyRotation: { KeyId: KEY_ID },
  getKeyRotationStatus: { KeyId: KEY_ID },
  updateRotationPolicy: { KeyId: KEY_ID, EnableAutomaticRotation: true, RotationInterval: 30 },
  rotateKeyOnDemand: { KeyId: KEY_ID },
  listKeyRotations: { KeyId: KEY_ID },
  listKeyVersions: { KeyId: KEY_ID },
  describeKeyVersion: { KeyId: KEY_ID, KeyVersionId: randomUUID() },
  importKeyMaterial: { KeyId: KEY_ID, KeyMaterial: Buffer.alloc(32, 7).toString('base64') },
  encrypt: { KeyId: KEY_ID, Plaintext: Buffer.from('hello').toString('base64'), EncryptionContext: { purpose: 'test' } },
  decrypt: { CiphertextBlob: Buffer.alloc(80, 1).toString('base64') },
  reEncrypt: { CiphertextBlob: Buffer.alloc(80, 1).toString('base64'), DestinationKeyId: KEY_ID },
  listAuditEvents: { Limit: 50 },
  pickFiles: undefined,
  runFileJob: { JobId: randomUUID(), Operation: 'Encrypt', FileToken: 'A'.repeat(43), KeyId: KEY_ID },
  cancelFileJob: { JobId: randomUUID() },
  addRecoveryRecipient: { Recipient: 'age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq' },
  removeRecoveryRecipient: { Recipient: 'age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq' },
  listRecoveryRecipients: undefined,
  addIdentity: { IdentityFileText: 'AGE-SECRET-KEY-1XXXX' },
  removeIdentity: { Id: 'id-1' },
  listIdentities: undefined,
  getRecoveryStatus: undefined,
  setRecoveryPassphrase: { Passphrase: '' },
  exportBackup: { Passphrase: 'correct horse' },
  restoreBackup: { Passphrase: 'correct horse' },
  getApiEndpointStatus: undefined,
  setApiEndpoint: { Enabled: true, Port: 9631 },
  rotateApiCredentials: undefined,
  getAwsProfile: undefined,
  takeOpenedFiles: undefined,
  createRecoveryKey: { Replace: true },
  saveRecoverySheet: undefined,
  forgetRecoverySheet: undefined,
  showInFolder: { JobId: randomUUID() },
  exportActivity: { Format: 'csv' },
  pickFolder: undefined,
  checkClock: undefined,
  confirmClock: undefined,
  estimatePassphrase: { Passphrase: 'correct horse battery staple' },
  disableKeyVersion: { KeyId: randomUUID(), KeyVersionId: randomUUID() },
  enableKeyVersion: { KeyId: randomUUID(), KeyVersionId: randomUUID() },
  scheduleKeyVersionDestruction: { KeyId: randomUUID(), KeyVersionId: randomUUID(), PendingWindowInDays: 7, Force: true },
  cancelKeyVersionDestruction: { KeyId: randomUUID(), KeyVersionId: randomUUID() },
  listFiles: { KeyId: randomUUID(), Stale: true, Limit: 100 },
  scanFiles: undefined,
  reEncryptFiles: { JobId: randomUUID(), KeyId: randomUUID() },
};

/** Operations main handles itself first (dialogs, tokens, confirmations): appOperations.test.ts. */
const GUARDED: ReadonlySet<OperationName> = new Set([
  'pickFiles',
  'runFileJob',
  'exportBackup',
  'restoreBackup',
  'addRecoveryRecipient',
  'addIdentity',
  'setRecoveryPassphrase',
  'takeOpenedFiles',
  'createRecoveryKey',
  'saveRecoverySheet',
  'forgetRecoverySheet',
  'showInFolder',
  'exportActivity',
  'pickFolder',
  'checkClock',
  'confirmClock',
  'estimatePassphrase',
  'scanFiles',
  'reEncryptFiles',
  'scheduleKeyVersionDestruction',
]);
const PASS_THROUGH = OPERATION_NAMES.filter((op) => !GUARDED.has(op));

describe('IPC request schemas', () => {
  it('has a schema for exactly the operations in OPERATION_NAMES', () => {
    assert.deepEqual(Object.keys(requestSchemas).sort(), [...OPERATION_NAMES].sort());
  });

  it("registers one handler per operation on its vault:<op> channel, plus the preload's drop channel", () => {
    const { ipc } = setup();
    assert.deepEqual([...ipc.handlers.keys()].sort(), [...OPERATION_NAMES.map(channelFor), REGISTER_DROP_CHANNEL].sort());
  });

  it('passes a valid request of every pass-through operation to the service method of the same name', async () => {
    const { fake, call } = setup();
    for (const op of PASS_THROUGH) {
      const result = await call(op, ...(VALID[op] === undefined ? [] : [VALID[op]]));
      assert.deepEqual(result, { ok: true, value: { Op: op } }, op);
    }
    assert.deepEqual(
      fake.calls.map((c) => c.op),
      [...PASS_THROUGH],
    );
    assert.deepEqual(fake.calls.find((c) => c.op === 'encrypt')?.req, VALID.encrypt);
  });
});

describe('IPC validation', () => {
  const cases: { name: string; op: OperationName; args: unknown[]; mentions: RegExp }[] = [
    { name: 'a field of the wrong type', op: 'describeKey', args: [{ KeyId: 42 }], mentions: /KeyId/ },
    { name: 'an extra field', op: 'describeKey', args: [{ KeyId: KEY_ID, Admin: true }], mentions: /Admin/ },
    {
      name: 'an oversized string',
      op: 'createKey',
      args: [{ Description: 'x'.repeat(MAX_DESCRIPTION_LENGTH + 1) }],
      mentions: /Description/,
    },
    { name: 'a missing required field', op: 'createAlias', args: [{ AliasName: 'alias/x' }], mentions: /TargetKeyId/ },
    { name: 'a non-base64 plaintext', op: 'encrypt', args: [{ KeyId: KEY_ID, Plaintext: 'not base64!' }], mentions: /Plaintext/ },
    { name: 'a plaintext over 4096 bytes', op: 'encrypt', args: [{ KeyId: KEY_ID, Plaintext: Buffer.alloc(4097).toString('base64') }], mentions: /Plaintext/ },
    {
      name: 'a non-string encryption context value',
      op: 'encrypt',
      args: [{ KeyId: KEY_ID, Plaintext: 'aGk=', EncryptionContext: { a: 1 } }],
      mentions: /EncryptionContext/,
    },
    { name: 'a JobId that is not a UUID', op: 'cancelFileJob', args: [{ JobId: 'job-1' }], mentions: /JobId/ },
    { name: 'an argument to a void operation', op: 'listKeys', args: [{}], mentions: /listKeys/ },
    { name: 'no argument where one is required', op: 'describeKey', args: [], mentions: /describeKey/ },
    { name: 'more than one argument', op: 'describeKey', args: [{ KeyId: KEY_ID }, { KeyId: KEY_ID }], mentions: /at most one argument/ },
    { name: 'an unknown file operation', op: 'runFileJob', args: [{ ...(VALID.runFileJob as object), Operation: 'Shred' }], mentions: /Operation/ },
    { name: 'a file job naming a path', op: 'runFileJob', args: [{ ...(VALID.runFileJob as object), InputPath: '/etc/shadow' }], mentions: /InputPath/ },
    { name: 'a file job choosing its output', op: 'runFileJob', args: [{ ...(VALID.runFileJob as object), OutputPath: '/tmp/x' }], mentions: /OutputPath/ },
    {
      name: 'a file token that main could not have issued',
      op: 'runFileJob',
      args: [{ ...(VALID.runFileJob as object), FileToken: '../../etc/passwd' }],
      mentions: /FileToken/,
    },
    { name: 'an export-backup naming a path', op: 'exportBackup', args: [{ Passphrase: 'correct horse', OutPath: '/tmp/evil' }], mentions: /OutPath/ },
    { name: 'a restore-backup naming a path', op: 'restoreBackup', args: [{ Passphrase: 'correct horse', InPath: '/tmp/b.age' }], mentions: /InPath/ },
    ...['__proto__', 'constructor', 'prototype'].map((key) => ({
      name: `an encryption context with the key ${key}`,
      op: 'encrypt' as const,
      args: [{ KeyId: KEY_ID, Plaintext: 'aGk=', EncryptionContext: JSON.parse(`{"${key}": "x", "purpose": "test"}`) as unknown }],
      mentions: new RegExp(`${key}.*reserved`),
    })),
    {
      name: 'a reserved key in a re-encrypt destination context',
      op: 'reEncrypt',
      args: [
        {
          CiphertextBlob: Buffer.alloc(80, 1).toString('base64'),
          DestinationKeyId: KEY_ID,
          DestinationEncryptionContext: JSON.parse('{"__proto__": {"admin": "1"}}') as unknown,
        },
      ],
      mentions: /DestinationEncryptionContext/,
    },
  ];
  for (const c of cases) {
    it(`answers ValidationException for ${c.name} and never calls the service`, async () => {
      const { fake, call } = setup();
      const result = (await call(c.op, ...c.args)) as { ok: boolean; error: { __type: string; message: string } };
      assert.equal(result.ok, false);
      assert.equal(result.error.__type, 'ValidationException');
      assert.match(result.error.message, c.mentions);
      assert.equal(fake.calls.length, 0);
    });
  }
});

describe('IPC sender check', () => {
  it('refuses a frame showing another URL without calling the service', async () => {
    const { ipc, fake, win } = setup();
    const evil = { ...win.mainFrame, url: 'https://evil.example/index.html' };
    const result = (await ipc.invoke(evil, channelFor('listKeys'))) as { ok: boolean; error: { __type: string } };
    assert.equal(result.ok, false);
    assert.equal(result.error.__type, 'AccessDeniedException');
    assert.equal(fake.calls.length, 0);
  });

  it('refuses a subframe, even one showing the app URL', async () => {
    const { ipc, fake, win } = setup();
    const sub = frame(APP_ENTRY_URL, win.mainFrame, { processId: 4, routingId: 9 });
    const result = (await ipc.invoke(sub, channelFor('listKeys'))) as { ok: boolean };
    assert.equal(result.ok, false);
    assert.equal(fake.calls.length, 0);
  });

  it('refuses the main frame of another window', async () => {
    const { ipc, fake } = setup();
    const other = frame(APP_ENTRY_URL, null, { processId: 7, routingId: 1 });
    const result = (await ipc.invoke(other, channelFor('listKeys'))) as { ok: boolean };
    assert.equal(result.ok, false);
    assert.equal(fake.calls.length, 0);
  });

  it('refuses a message whose frame is gone (null senderFrame)', async () => {
    const { ipc, fake } = setup();
    const result = (await ipc.invoke(null, channelFor('listKeys'))) as { ok: boolean };
    assert.equal(result.ok, false);
    assert.equal(fake.calls.length, 0);
  });

  it('checks the sender before validating (a bad request from a stranger says nothing about the schema)', async () => {
    const { ipc } = setup();
    const result = (await ipc.invoke(frame('https://evil.example/'), channelFor('describeKey'), { Bad: 1 })) as {
      error: { __type: string };
    };
    assert.equal(result.error.__type, 'AccessDeniedException');
  });
});

describe('IPC errors and responses', () => {
  it('turns a KmsError into its typed envelope', async () => {
    const { fake, call } = setup();
    fake.answer('describeKey', () => {
      throw new NotFoundException(`Key '${KEY_ID}' does not exist.`);
    });
    assert.deepEqual(await call('describeKey', { KeyId: KEY_ID }), {
      ok: false,
      error: { __type: 'NotFoundException', message: `Key '${KEY_ID}' does not exist.` },
    });
  });

  it('keeps the exception name of every KMS error class', async () => {
    const { fake, call } = setup();
    fake.answer('enableKey', () => {
      throw new DisabledException('nope');
    });
    const result = (await call('enableKey', { KeyId: KEY_ID })) as { error: { __type: string } };
    assert.equal(result.error.__type, 'DisabledException');
  });

  it('hides a non-KMS error behind a generic KMSInternalException and logs it', async () => {
    const { fake, call, logged } = setup();
    fake.answer('listKeys', () => {
      throw new Error('EACCES: /home/me/.config/Key Vault/vault/vault.json');
    });
    assert.deepEqual(await call('listKeys'), {
      ok: false,
      error: { __type: 'KMSInternalException', message: GENERIC_INTERNAL_MESSAGE },
    });
    assert.ok(logged.some((m) => m.includes('listKeys')));
  });

  it('answers UnsupportedOperationException when the service lacks the method', async () => {
    const ipc = new FakeIpcMain();
    const win = appWindow();
    const partial = { ...fakeService().service } as Record<string, unknown>;
    delete partial.exportBackup;
    delete partial.decrypt;
    registerVaultIpc(ipc, partial as never, { isTrustedSender: win.isTrustedSender, log: () => {}, dialogs: new ScriptedDialogs() });
    const result = (await ipc.invoke(win.mainFrame, channelFor('decrypt'), VALID.decrypt)) as {
      error: { __type: string };
    };
    assert.equal(result.error.__type, 'UnsupportedOperationException');
  });

  for (const field of ['SealedMaterial', 'KeyMaterial', 'RootSecret', 'material']) {
    it(`refuses a response carrying a ${field} field, however deep`, async () => {
      const { fake, call, logged } = setup();
      fake.answer('listKeyVersions', () => ({ KeyVersions: [{ KeyVersionId: 'v1', Detail: { [field]: 'AAAA' } }] }));
      assert.deepEqual(await call('listKeyVersions', { KeyId: KEY_ID }), {
        ok: false,
        error: { __type: 'KMSInternalException', message: FORBIDDEN_RESPONSE_MESSAGE },
      });
      assert.ok(logged.some((m) => m.includes(field)));
    });
  }

  it('lets a decrypt response with its Plaintext through (user data, not key material)', async () => {
    const { fake, call } = setup();
    fake.answer('decrypt', () => ({ Plaintext: 'aGk=', KeyId: KEY_ID, KeyVersionId: 'v1' }));
    const result = (await call('decrypt', VALID.decrypt)) as { ok: boolean };
    assert.equal(result.ok, true);
  });

  it('finds the path of a forbidden field and treats cycles as unsafe', () => {
    assert.equal(findForbiddenField({ a: [{ b: 1 }, { SealedMaterial: 'x' }] }), 'a[1].SealedMaterial');
    assert.equal(findForbiddenField({ KeyId: 'k', Aliases: ['alias/material'] }), null);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.match(findForbiddenField(cyclic) ?? '', /cycle/);
  });

  it('unregisters every handler when disposed', () => {
    const { ipc, dispose } = setup();
    dispose();
    assert.equal(ipc.handlers.size, 0);
  });
});

describe('base64 size limits', () => {
  it('accepts exactly 4096 plaintext bytes and refuses 4097, 4098 and an empty plaintext', async () => {
    const { call } = setup();
    const attempt = async (bytes: number) =>
      ((await call('encrypt', { KeyId: KEY_ID, Plaintext: Buffer.alloc(bytes, 1).toString('base64') })) as { ok: boolean }).ok;
    assert.equal(await attempt(4096), true);
    assert.equal(await attempt(4097), false);
    assert.equal(await attempt(4098), false);
    assert.equal(await attempt(0), false);
  });
});
