/** Interoperability with the stock age tool (/usr/bin/age), recovery recipients, identities and passphrases. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { encryptBuffer, ScryptRecipient, X25519Identity } from '../../../main/crypto/age/index.js';
import { createTempVault, tempDir, type TempVault } from '../../support/tempVault.js';
import { AGE, ageKeygen, hasAge, job, newKey, rejectsWith, writeRandom } from '../../support/fileTestKit.js';

describe('interop and recovery', () => {
  let tv: TempVault;
  let keyId: string;
  before(async () => {
    tv = await createTempVault();
    keyId = await newKey(tv.service);
  });
  after(async () => {
    await tv.cleanup();
  });

  test('recovery recipients: validated, no duplicates, listed, removed', async () => {
    const a = X25519Identity.generate().recipient.toString();
    const b = X25519Identity.generate().recipient.toString();
    await rejectsWith(tv.service.addRecoveryRecipient({ Recipient: 'age1notarecipient' }), 'ValidationException');
    await rejectsWith(tv.service.addRecoveryRecipient({ Recipient: 'AGE-SECRET-KEY-1XYZ' }), 'ValidationException');
    await tv.service.addRecoveryRecipient({ Recipient: a });
    assert.deepEqual((await tv.service.addRecoveryRecipient({ Recipient: b })).Recipients, [a, b]);
    await rejectsWith(tv.service.addRecoveryRecipient({ Recipient: a }), 'AlreadyExistsException');
    assert.deepEqual((await tv.service.removeRecoveryRecipient({ Recipient: a })).Recipients, [b]);
    await rejectsWith(tv.service.removeRecoveryRecipient({ Recipient: a }), 'NotFoundException');
    await tv.service.removeRecoveryRecipient({ Recipient: b });
    assert.deepEqual((await tv.service.listRecoveryRecipients()).Recipients, []);
  });

  test('identities: stored sealed, listed by public recipient only, removable', async () => {
    const id = X25519Identity.generate();
    const secret = id.toString();
    const listed = await tv.service.addIdentity({ IdentityFileText: `# created: now\n# public key: ${id.recipient.toString()}\n${secret}\n` });
    const entry = listed.Identities.find((e) => e.Recipient === id.recipient.toString());
    assert.ok(entry);
    assert.ok(!JSON.stringify(listed).includes(secret), 'the secret is never listed');
    assert.ok(!readFileSync(join(tv.dir, 'vault.json'), 'utf8').includes(secret), 'the secret is sealed at rest');
    await rejectsWith(tv.service.addIdentity({ IdentityFileText: 'AGE-SECRET-KEY-1NOPE' }), 'ValidationException');
    const removed = await tv.service.removeIdentity({ Id: entry.Id });
    assert.ok(!removed.Identities.some((e) => e.Id === entry.Id));
    await rejectsWith(tv.service.removeIdentity({ Id: entry.Id }), 'NotFoundException');
  });

  test('an age file made with a passphrase opens with a stored passphrase', async () => {
    const dir = tempDir();
    const data = Buffer.from('scrypt secret payload');
    writeFileSync(join(dir, 'p.age'), await encryptBuffer(data, [new ScryptRecipient('correct horse', { workFactor: 10 })]));
    await rejectsWith(job(tv.service, { Operation: 'Decrypt', InputPath: join(dir, 'p.age'), OutputPath: join(dir, 'no') }), 'InvalidCiphertextException');
    const listed = await tv.service.addPassphrase({ Passphrase: 'correct horse', Label: 'laptop' });
    assert.ok(listed.Identities.some((e) => e.Recipient === 'passphrase:laptop'));
    assert.ok(!JSON.stringify(listed).includes('correct horse'));
    await job(tv.service, { Operation: 'Decrypt', InputPath: join(dir, 'p.age'), OutputPath: join(dir, 'out') });
    assert.deepEqual(readFileSync(join(dir, 'out')), data);
  });

  test('our file opens with stock `age -d -i recovery.key` through a recovery recipient', { skip: !hasAge && 'no /usr/bin/age' }, async () => {
    const dir = tempDir();
    const { identityFile, recipient } = ageKeygen(dir);
    await tv.service.addRecoveryRecipient({ Recipient: recipient });
    try {
      for (const armor of [false, true]) {
        const input = join(dir, `doc-${armor}.bin`);
        const data = writeRandom(input, 200_000);
        await job(tv.service, { Operation: 'Encrypt', InputPath: input, KeyId: keyId, Armor: armor });
        const r = spawnSync(AGE, ['-d', '-i', identityFile, `${input}.age`], { maxBuffer: 1 << 24 });
        assert.equal(r.status, 0, r.stderr.toString());
        assert.ok(r.stdout.equals(data));
        const inspected = await job(tv.service, { Operation: 'Inspect', InputPath: `${input}.age` });
        assert.deepEqual(inspected.Inspection?.RecoveryRecipients, [recipient]);
      }
      // Still true after the vault stanza is rewrapped: the recovery stanza is kept verbatim.
      await tv.service.rotateKeyOnDemand({ KeyId: keyId });
      await job(tv.service, { Operation: 'ReEncrypt', InputPath: join(dir, 'doc-false.bin.age') });
      const r = spawnSync(AGE, ['-d', '-i', identityFile, join(dir, 'doc-false.bin.age')], { maxBuffer: 1 << 24 });
      assert.equal(r.status, 0, r.stderr.toString());
      assert.ok(r.stdout.equals(readFileSync(join(dir, 'doc-false.bin'))));
    } finally {
      await tv.service.removeRecoveryRecipient({ Recipient: recipient });
    }
  });

  test('a file made by stock `age -r` opens with an added identity', { skip: !hasAge && 'no /usr/bin/age' }, async () => {
    const dir = tempDir();
    const { identityFile, recipient } = ageKeygen(dir, 'mine.key');
    const input = join(dir, 'theirs.bin');
    const data = writeRandom(input, 70_000);
    for (const flags of [[], ['-a']]) {
      const out = join(dir, `theirs${flags.length}.age`);
      const r = spawnSync(AGE, ['-r', recipient, ...flags, '-o', out, input]);
      assert.equal(r.status, 0, r.stderr.toString());
      await rejectsWith(job(tv.service, { Operation: 'Decrypt', InputPath: out, OutputPath: join(dir, `x${flags.length}`) }), 'InvalidCiphertextException');
    }
    const listed = await tv.service.addIdentity({ IdentityFileText: readFileSync(identityFile, 'utf8') });
    assert.ok(listed.Identities.some((e) => e.Recipient === recipient));
    for (const n of [0, 1]) {
      const dec = await job(tv.service, { Operation: 'Decrypt', InputPath: join(dir, `theirs${n}.age`), OutputPath: join(dir, `back${n}`) });
      assert.equal(dec.KeyId, undefined);
      assert.ok(readFileSync(join(dir, `back${n}`)).equals(data));
    }
    // A foreign file can be brought under a vault key; afterwards the vault key alone opens it.
    const r = await job(tv.service, { Operation: 'ReEncrypt', InputPath: join(dir, 'theirs0.age'), KeyId: keyId });
    assert.equal(r.KeyId, keyId);
    const inspected = (await job(tv.service, { Operation: 'Inspect', InputPath: join(dir, 'theirs0.age') })).Inspection!;
    assert.deepEqual(
      inspected.Stanzas.map((s) => s.Type),
      ['keyvault.local/cmk', 'X25519'],
    );
    const again = spawnSync(AGE, ['-d', '-i', identityFile, join(dir, 'theirs0.age')], { maxBuffer: 1 << 24 });
    assert.ok(again.stdout.equals(data), 'stock age still opens it with the original identity');
  });
});
