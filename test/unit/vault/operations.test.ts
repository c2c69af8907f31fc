/** The operation modules against a VaultContext with a manual clock (no VaultService, no IPC). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type * as Api from '../../../main/core/api.js';
import { DisabledException, KMSInvalidStateException, NotFoundException } from '../../../main/core/errors.js';
import * as aliases from '../../../main/vault/aliasOperations.js';
import * as data from '../../../main/vault/dataOperations.js';
import * as keys from '../../../main/vault/keyOperations.js';
import * as maintenance from '../../../main/vault/maintenance.js';
import * as recipients from '../../../main/vault/recipientOperations.js';
import * as rotation from '../../../main/vault/rotationOperations.js';
import { VaultFilePort } from '../../../main/vault/vaultFilePort.js';
import { b64 } from '../../support/tempVault.js';
import { createTestContext, type ContextKit } from '../../support/vaultContextKit.js';

async function withContext(fn: (kit: ContextKit) => Promise<void>): Promise<void> {
  const kit = await createTestContext();
  try {
    await fn(kit);
  } finally {
    kit.cleanup();
  }
}

test('createKey commits the key, audits CreateKey and its INITIAL version, and announces the change', () =>
  withContext(async ({ ctx, clock }) => {
    const changes: number[] = [];
    ctx.events.on('vaultChanged', (e) => changes.push(e.Revision));
    const { KeyMetadata: m } = await keys.createKey(ctx, { Description: 'unit', AliasName: 'alias/unit' });
    assert.equal(m.KeyState, 'Enabled');
    assert.equal(m.CreationDate, clock.now().toISOString());
    assert.deepEqual(m.Aliases, ['alias/unit']);
    assert.equal(ctx.store.read().Keys[m.KeyId]?.Versions.length, 1);
    assert.deepEqual(changes, [ctx.store.revision]);
    const ops = ctx.audit.read().map((e) => `${e.Operation}:${e.KeyId ?? '-'}:${e.Outcome}`);
    // CreateKey is logged under the key it made (the Activity screen names it).
    assert.deepEqual(ops.sort(), [`CreateKey:${m.KeyId}:Success`, `Rotation:${m.KeyId}:Success`]);
  }));

test('a due key rotates exactly once however many intervals the clock skipped, with the clock time', () =>
  withContext(async ({ ctx, clock }) => {
    const { KeyMetadata: m } = await keys.createKey(ctx, {});
    await rotation.enableKeyRotation(ctx, { KeyId: m.KeyId, RotationPeriodInDays: 30 });
    const seen: Api.RotationEvent[] = [];
    ctx.events.on('rotation', (e) => seen.push(e));
    clock.advanceDays(29);
    assert.deepEqual((await maintenance.runMaintenance(ctx)).Rotated, []);
    clock.advanceDays(100);
    const result = await maintenance.runMaintenance(ctx);
    assert.equal(result.Rotated.length, 1);
    assert.deepEqual(seen, result.Rotated);
    assert.equal(result.Rotated[0]?.RotationDate, clock.now().toISOString());
    assert.deepEqual((await maintenance.runMaintenance(ctx)).Rotated, [], 'nothing is due right after the catch-up');
    const rotations = await rotation.listKeyRotations(ctx, { KeyId: m.KeyId });
    assert.deepEqual(
      rotations.Rotations.map((r) => r.RotationType),
      ['AUTOMATIC'],
    );
  }));

test('data: old ciphertext still decrypts after a rotation, new encryptions use the new primary, a disabled key refuses', () =>
  withContext(async ({ ctx }) => {
    const { KeyMetadata: m } = await keys.createKey(ctx, {});
    const before = await data.encrypt(ctx, { KeyId: m.KeyId, Plaintext: b64('first') });
    const { KeyVersionId: rotated } = await rotation.rotateKeyOnDemand(ctx, { KeyId: m.KeyId });
    const after = await data.encrypt(ctx, { KeyId: m.KeyId, Plaintext: b64('second') });
    assert.notEqual(before.KeyVersionId, rotated);
    assert.equal(after.KeyVersionId, rotated);
    const opened = await data.decrypt(ctx, { CiphertextBlob: before.CiphertextBlob });
    assert.equal(Buffer.from(opened.Plaintext, 'base64').toString(), 'first');
    assert.equal(opened.KeyVersionId, before.KeyVersionId);
    await keys.disableKey(ctx, { KeyId: m.KeyId });
    await assert.rejects(data.decrypt(ctx, { CiphertextBlob: after.CiphertextBlob }), DisabledException);
    const audit = ctx.audit.read().filter((e) => e.Operation === 'Decrypt');
    assert.deepEqual(audit.map((e) => `${e.Outcome}:${e.ErrorType ?? '-'}`).sort(), ['Failure:DisabledException', 'Success:-']);
  }));

test('an elapsed deletion window purges the key, its aliases and its cached material', () =>
  withContext(async ({ ctx, clock }) => {
    const { KeyMetadata: m } = await keys.createKey(ctx, { AliasName: 'alias/doomed' });
    const version = m.PrimaryKeyVersion!;
    assert.equal(ctx.materialForDecrypt(m.KeyId, version).material.length, 32);
    await keys.scheduleKeyDeletion(ctx, { KeyId: m.KeyId, PendingWindowInDays: 7 });
    assert.throws(() => ctx.materialForDecrypt(m.KeyId, version), KMSInvalidStateException);
    clock.advanceDays(6);
    assert.deepEqual((await maintenance.runMaintenance(ctx)).Deleted, []);
    clock.advanceDays(2);
    assert.deepEqual((await maintenance.runMaintenance(ctx)).Deleted, [m.KeyId]);
    assert.throws(() => ctx.materialForDecrypt(m.KeyId, version), NotFoundException);
    assert.equal(
      (await aliases.listAliases(ctx)).Aliases.some((a) => a.AliasName === 'alias/doomed'),
      false,
    );
  }));

test('a write is refused once another process replaced the vault under a different root key', () =>
  withContext(async ({ ctx, another }) => {
    const other = await another();
    await other.store.transact((doc) => {
      // Another valid check value, as a restore under a new root secret would write.
      doc.RootKeyCheck = Buffer.from(Buffer.from(doc.RootKeyCheck, 'base64').map((b) => b ^ 0xff)).toString('base64');
    });
    await assert.rejects(keys.createKey(ctx, {}), KMSInvalidStateException);
    assert.equal(Object.keys(ctx.store.read().Keys).length, 1, 'only the default key');
  }));

test('the file port: primary versions, recovery recipients, and stored identities only for stanzas that need them', () =>
  withContext(async ({ ctx }) => {
    const port = new VaultFilePort(ctx);
    const { KeyMetadata: m } = await keys.createKey(ctx, {});
    assert.equal(port.primaryVersionOf(m.KeyId), m.PrimaryKeyVersion);
    assert.equal(port.primaryVersionOf('00000000-0000-4000-8000-000000000000'), undefined);
    assert.deepEqual(port.recoveryRecipients(), []);
    await recipients.addPassphrase(ctx, { Passphrase: 'correct horse', Label: 'laptop' });
    const x25519Only = [{ type: 'X25519', args: ['AAAA'], body: Buffer.alloc(32) }];
    const scryptOnly = [{ type: 'scrypt', args: ['c2FsdHNhbHRzYWx0c2FsdA', '10'], body: Buffer.alloc(32) }];
    assert.equal(port.storedIdentities(x25519Only).length, 0, 'a passphrase is not tried on a file without an scrypt stanza');
    assert.equal(port.storedIdentities(scryptOnly).length, 1);
    const listed = await recipients.listIdentities(ctx);
    assert.deepEqual(
      listed.Identities.map((i) => i.Recipient),
      ['passphrase:laptop'],
    );
  }));
