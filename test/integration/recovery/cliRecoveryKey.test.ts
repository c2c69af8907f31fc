/**
 * Through the built CLI: create-recovery-key (with its sheet), recover --recovery-key-file with the
 * keychain entry gone, typed errors for a mistyped key, weak or unreadable passphrase files, and
 * export-backup --recipient / restore-backup --identity-file. No command here runs scrypt 2^20.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Api from '../../../main/core/api.js';
import { X25519Identity } from '../../../main/crypto/age/index.js';
import { createKeytarKeychain, keychainAccountForVault } from '../../../main/keychain/keychain.js';
import { assertBuilt, b64, CliVault, ROOT } from '../cli/cliHarness.js';
import { SCRIPT_BINARY } from '../../support/recoverySupport.js';

const vault = new CliVault('kv-cli-rkey-');
const restored = new CliVault('kv-cli-rkey-restored-');
const work = mkdtempSync(join(tmpdir(), 'kv-cli-rkey-files-'));
const keychain = createKeytarKeychain();
let blob = '';

before(async () => {
  assertBuilt();
  const keyId = (await vault.ok<Api.KeyMetadataResponse>(['create-key', '--description', 'cli recovery key'])).KeyMetadata.KeyId;
  blob = (await vault.ok<Api.EncryptResponse>(['encrypt', '--key-id', keyId, '--plaintext', b64('before the loss')])).CiphertextBlob;
});
after(async () => {
  await restored.destroy();
  await vault.destroy();
  rmSync(work, { recursive: true, force: true });
});

test('create-recovery-key prints only the key, writes the sheet, and recover --recovery-key-file brings a lost keychain entry back', async () => {
  const sheet = join(work, 'sheet.html');
  const created = await vault.ok<{ RecoveryKey: string; SheetPath: string }>(['create-recovery-key', '--sheet', sheet]);
  assert.deepEqual(Object.keys(created).sort(), ['RecoveryKey', 'SheetPath']);
  assert.equal(created.SheetPath, sheet);
  const html = readFileSync(sheet, 'utf8');
  for (const group of created.RecoveryKey.split('-')) assert.ok(html.includes(group));
  assert.ok(html.includes(vault.vaultId()!));
  await vault.fails(['create-recovery-key'], 'AlreadyExistsException');

  const id = vault.vaultId()!;
  assert.equal(await keychain.deleteSecret(keychainAccountForVault(id)), true);
  const before = readFileSync(vault.vaultFile());

  const typo = join(work, 'typo.key');
  const key = created.RecoveryKey;
  writeFileSync(typo, `${key.slice(0, 20)}${key[20] === 'A' ? 'B' : 'A'}${key.slice(21)}\n`);
  assert.match((await vault.fails(['recover', '--recovery-key-file', typo], 'ValidationException')).message, /Group 4 .*mistyped/);
  assert.match((await vault.fails(['recover', '--recovery-key-file', '/dev/zero'], 'ValidationException')).message, /not a regular file/);
  assert.deepEqual(readFileSync(vault.vaultFile()), before);
  assert.equal(await keychain.getSecret(keychainAccountForVault(id)), null);

  const keyFile = join(work, 'right.key');
  writeFileSync(keyFile, `${key.toLowerCase().replaceAll('-', ' ')}\n`);
  assert.equal((await vault.ok<{ VaultId: string }>(['recover', '--recovery-key-file', keyFile])).VaultId, id);
  const out = await vault.ok<Api.DecryptResponse>(['decrypt', '--ciphertext-blob', blob]);
  assert.equal(Buffer.from(out.Plaintext, 'base64').toString(), 'before the loss');
});

test('weak, binary and endless passphrase files are refused with exit 254 and a reason', async () => {
  const weak = join(work, 'weak.pass');
  writeFileSync(weak, 'password123\n');
  const err = await vault.fails(['set-recovery-passphrase', '--passphrase-file', weak], 'ValidationException');
  assert.match(err.message, /too easy to guess/);
  const binary = join(work, 'binary.pass');
  writeFileSync(binary, Buffer.from([0x80, 0x81, 0xfe, 0xff, 0x0a]));
  assert.match((await vault.fails(['export-backup', '--out', join(work, 'x.age'), '--passphrase-file', binary], 'ValidationException')).message, /not UTF-8/);
  const started = Date.now();
  assert.match((await vault.fails(['add-passphrase', '--passphrase-file', '/dev/zero'], 'ValidationException')).message, /not a regular file/);
  assert.ok(Date.now() - started < 5000, 'refused at once (the time includes starting the CLI)');
  const long = join(work, 'long.pass');
  writeFileSync(long, `${'z'.repeat(2000)}\n`);
  assert.match((await vault.fails(['add-passphrase', '--passphrase-file', long], 'ValidationException')).message, /at most 1024 characters/);
});

test('export-backup --recipient and restore-backup --identity-file, into another folder, keep the source vault working', async () => {
  const identity = X25519Identity.generate();
  const idFile = join(work, 'id.txt');
  writeFileSync(idFile, `${identity.toString()}\n`, { mode: 0o600 });
  const backup = join(work, 'recipient.age');
  await vault.ok(['export-backup', '--out', backup, '--recipient', identity.recipient.toString()]);
  await vault.fails(['export-backup', '--out', join(work, 'y.age'), '--recipient', 'age1bad'], 'ValidationException');
  const pass = join(work, 'strong.pass');
  writeFileSync(pass, 'wobbly lantern orbit sauce\n');
  assert.match(
    (
      await vault.fails(
        ['export-backup', '--out', join(work, 'y.age'), '--recipient', identity.recipient.toString(), '--passphrase-file', pass],
        'ValidationException',
      )
    ).message,
    /not both/,
  );
  assert.match(
    (await restored.fails(['restore-backup', '--in', backup, '--identity-file', idFile, '--passphrase-file', pass], 'ValidationException')).message,
    /not both/,
  );
  assert.match((await vault.fails(['recover', '--recovery-key-file', idFile, '--passphrase-file', pass], 'ValidationException')).message, /not both/);

  const res = await restored.ok<{ VaultId: string; SourceVaultId: string; Note?: string }>(['restore-backup', '--in', backup, '--identity-file', idFile]);
  assert.equal(res.SourceVaultId, vault.vaultId());
  assert.notEqual(res.VaultId, res.SourceVaultId, 'the source vault is in use here: the copy gets its own identity');
  for (const v of [vault, restored]) {
    const out = await v.ok<Api.DecryptResponse>(['decrypt', '--ciphertext-blob', blob]);
    assert.equal(Buffer.from(out.Plaintext, 'base64').toString(), 'before the loss');
  }
});

test(
  'recover --recovery-key asks on the terminal without echoing the key',
  { skip: existsSync(SCRIPT_BINARY) ? false : 'util-linux script is not installed' },
  async () => {
    const { RecoveryKey } = await vault.ok<{ RecoveryKey: string }>(['create-recovery-key', '--replace']);
    const id = vault.vaultId()!;
    assert.equal(await keychain.deleteSecret(keychainAccountForVault(id)), true);
    const command = `'${process.execPath}' '${join(ROOT, 'bin', 'keyvault')}' --vault-dir '${vault.dir}' recover --recovery-key`;
    const child = spawn(SCRIPT_BINARY, ['-qec', command, '/dev/null'], { cwd: ROOT });
    let transcript = '';
    child.stdout.setEncoding('utf8');
    const prompted = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no prompt in: ${transcript}`)), 60_000);
      child.stdout.on('data', (chunk: string) => {
        transcript += chunk;
        if (transcript.includes('Enter the recovery key:')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await prompted;
    child.stdin.write(`${RecoveryKey}\r`);
    assert.equal(await exited, 0, transcript);
    // Echo would show what was typed, dashes included: not even its first two groups appear.
    assert.ok(!transcript.includes(RecoveryKey.slice(0, 11)), `the key is not echoed: ${JSON.stringify(transcript)}`);
    assert.ok(transcript.includes(id));
    const out = await vault.ok<Api.DecryptResponse>(['decrypt', '--ciphertext-blob', blob]);
    assert.equal(Buffer.from(out.Plaintext, 'base64').toString(), 'before the loss');
  },
);
