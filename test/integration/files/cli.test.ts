/** The file commands of the built `keyvault` CLI on a real vault (real keychain, real files). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type * as Api from '../../../main/core/api.js';
import { X25519Identity } from '../../../main/crypto/age/index.js';
import { tempDir } from '../../support/tempVault.js';
import { assertBuilt, CliVault } from '../../support/cliHarness.js';
import { AGE, ageKeygen, hasAge, writeRandom } from '../../support/fileTestKit.js';

const vault = new CliVault('kv-cli-files-');
let keyId = '';

before(async () => {
  assertBuilt();
  keyId = (await vault.ok<Api.KeyMetadataResponse>(['create-key', '--description', 'files'])).KeyMetadata.KeyId;
});
after(() => vault.destroy());

describe('file commands', () => {
  test('encrypt-file, inspect-file, decrypt-file round trip with JSON results and nothing on stderr', async () => {
    const dir = tempDir();
    const input = join(dir, 'report.pdf');
    const data = writeRandom(input, 150_000);
    const enc = await vault.ok<Api.FileJobResult>(['encrypt-file', '--key-id', keyId, '--in', input]);
    assert.equal(enc.OutputPath, `${input}.age`);
    assert.equal(enc.KeyId, keyId);
    const ins = await vault.ok<Api.FileInspection & { InputPath: string }>(['inspect-file', '--in', `${input}.age`]);
    assert.equal(ins.InputPath, `${input}.age`);
    assert.equal(ins.KeyId, keyId);
    assert.equal(ins.KeyVersionId, enc.KeyVersionId);
    assert.equal(ins.IsPrimaryVersion, true);
    assert.deepEqual(ins.RecoveryRecipients, []);
    assert.equal(ins.PlaintextSize, data.length);
    assert.ok(ins.Size > data.length);
    await vault.fails(['decrypt-file', '--in', `${input}.age`], 'AlreadyExistsException');
    const out = join(dir, 'back.pdf');
    const dec = await vault.ok<Api.FileJobResult>(['decrypt-file', '--in', `${input}.age`, '--out', out]);
    assert.equal(dec.OutputPath, out);
    assert.ok(readFileSync(out).equals(data));
    await vault.ok(['decrypt-file', '--in', `${input}.age`, '--out', out, '--overwrite']);
  });

  test('encrypt-file --armor writes armor; an existing output needs --overwrite', async () => {
    const dir = tempDir();
    const input = join(dir, 'a.txt');
    writeRandom(input, 1000);
    await vault.ok(['encrypt-file', '--key-id', keyId, '--in', input, '--armor']);
    assert.match(readFileSync(`${input}.age`, 'latin1'), /^-----BEGIN AGE ENCRYPTED FILE-----/);
    await vault.fails(['encrypt-file', '--key-id', keyId, '--in', input], 'AlreadyExistsException');
    await vault.ok(['encrypt-file', '--key-id', keyId, '--in', input, '--overwrite']);
    assert.doesNotMatch(readFileSync(`${input}.age`, 'latin1'), /^-----BEGIN/);
  });

  test('re-encrypt-file moves the file to the new primary version, and to another key', async () => {
    const dir = tempDir();
    const input = join(dir, 'r.bin');
    const data = writeRandom(input, 70_000);
    await vault.ok(['encrypt-file', '--key-id', keyId, '--in', input]);
    const rotated = await vault.ok<Api.RotateKeyOnDemandResponse>(['rotate-key-on-demand', '--key-id', keyId]);
    const r = await vault.ok<Api.FileJobResult>(['re-encrypt-file', '--in', `${input}.age`]);
    assert.equal(r.KeyVersionId, rotated.KeyVersionId);
    const other = (await vault.ok<Api.KeyMetadataResponse>(['create-key'])).KeyMetadata.KeyId;
    const moved = await vault.ok<Api.FileJobResult>(['re-encrypt-file', '--in', `${input}.age`, '--destination-key-id', other]);
    assert.equal(moved.KeyId, other);
    await vault.ok(['decrypt-file', '--in', `${input}.age`, '--out', join(dir, 'out')]);
    assert.ok(readFileSync(join(dir, 'out')).equals(data));
  });

  test('a disabled key: decrypt-file fails with DisabledException and writes nothing', async () => {
    const dir = tempDir();
    const k = (await vault.ok<Api.KeyMetadataResponse>(['create-key'])).KeyMetadata.KeyId;
    const input = join(dir, 'd.bin');
    writeRandom(input, 10);
    await vault.ok(['encrypt-file', '--key-id', k, '--in', input]);
    await vault.ok(['disable-key', '--key-id', k]);
    await vault.fails(['decrypt-file', '--in', `${input}.age`, '--out', join(dir, 'out')], 'DisabledException');
    assert.ok(!existsSync(join(dir, 'out')));
  });

  test('recovery recipients: add, list, remove, with typed errors', async () => {
    const r = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';
    assert.deepEqual((await vault.ok<Api.ListRecoveryRecipientsResponse>(['add-recovery-recipient', '--recipient', r])).Recipients, [r]);
    await vault.fails(['add-recovery-recipient', '--recipient', r], 'AlreadyExistsException');
    await vault.fails(['add-recovery-recipient', '--recipient', 'age1bogus'], 'ValidationException');
    assert.deepEqual((await vault.ok<Api.ListRecoveryRecipientsResponse>(['list-recovery-recipients'])).Recipients, [r]);
    assert.deepEqual((await vault.ok<Api.ListRecoveryRecipientsResponse>(['remove-recovery-recipient', '--recipient', r])).Recipients, []);
    await vault.fails(['remove-recovery-recipient', '--recipient', r], 'NotFoundException');
  });

  test('identities and passphrases: add, list (public parts only), remove', async () => {
    const dir = tempDir();
    const idFile = join(dir, 'id.txt');
    writeFileSync(idFile, `# a comment\n${X25519Identity.generate().toString()}\n`);
    const added = await vault.ok<Api.ListIdentitiesResponse>(['add-identity', '--identity-file', idFile]);
    assert.equal(added.Identities.length, 1);
    assert.match(added.Identities[0]!.Recipient, /^age1/);
    assert.ok(!JSON.stringify(added).includes('AGE-SECRET-KEY'));
    writeFileSync(join(dir, 'pass.txt'), 'hunter2 hunter2\n');
    const withPass = await vault.ok<Api.ListIdentitiesResponse>(['add-passphrase', '--passphrase-file', join(dir, 'pass.txt'), '--label', 'old-laptop']);
    assert.ok(withPass.Identities.some((e) => e.Recipient === 'passphrase:old-laptop'));
    const listed = await vault.ok<Api.ListIdentitiesResponse>(['list-identities']);
    assert.equal(listed.Identities.length, 2);
    for (const e of listed.Identities) await vault.ok(['remove-identity', '--id', e.Id]);
    await vault.fails(['remove-identity', '--id', listed.Identities[0]!.Id], 'NotFoundException');
    await vault.fails(['add-identity', '--identity-file', join(dir, 'missing.txt')], 'ValidationException');
  });

  test(
    'interop: stock age opens our file via a recovery recipient, and we open age -r files via add-identity',
    { skip: !hasAge && 'no /usr/bin/age' },
    async () => {
      const dir = tempDir();
      const { identityFile, recipient } = ageKeygen(dir);
      await vault.ok(['add-recovery-recipient', '--recipient', recipient]);
      const input = join(dir, 'x.bin');
      const data = writeRandom(input, 100_000);
      await vault.ok(['encrypt-file', '--key-id', keyId, '--in', input]);
      const r = spawnSync(AGE, ['-d', '-i', identityFile, `${input}.age`], { maxBuffer: 1 << 24 });
      assert.equal(r.status, 0, r.stderr.toString());
      assert.ok(r.stdout.equals(data));
      await vault.ok(['remove-recovery-recipient', '--recipient', recipient]);

      const theirs = join(dir, 'theirs.age');
      assert.equal(spawnSync(AGE, ['-r', recipient, '-o', theirs, input]).status, 0);
      await vault.ok(['add-identity', '--identity-file', identityFile]);
      await vault.ok(['decrypt-file', '--in', theirs, '--out', join(dir, 'theirs.out')]);
      assert.ok(readFileSync(join(dir, 'theirs.out')).equals(data));
    },
  );
});
