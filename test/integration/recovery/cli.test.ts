/**
 * The recovery commands through the built CLI (bin/keyvault): passphrases from a file or a
 * no-echo terminal prompt (never an argument), recover and restore-backup without a keychain
 * entry, verify-vault without changing anything.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Api from '../../../main/core/api.js';
import { createKeytarKeychain, keychainAccountForVault } from '../../../main/keychain/keychain.js';
import { assertBuilt, b64, CliVault, ROOT, runCli } from '../../support/cliHarness.js';
import { openVault } from '../../../main/vault/openVault.js';
import { fastRecovery, SCRIPT_BINARY } from '../../support/recoverySupport.js';

const vault = new CliVault('kv-cli-recovery-');
const restoredVault = new CliVault('kv-cli-restored-');
const work = mkdtempSync(join(tmpdir(), 'kv-cli-recovery-files-'));
const passFile = join(work, 'recovery.pass');
const backupPassFile = join(work, 'backup.pass');
const keychain = createKeytarKeychain();
let keyId = '';
let blob = '';

before(async () => {
  assertBuilt();
  writeFileSync(passFile, 'recovery passphrase for the cli\n', { mode: 0o600 });
  writeFileSync(backupPassFile, 'backup passphrase for the cli\n', { mode: 0o600 });
  keyId = (await vault.ok<Api.KeyMetadataResponse>(['create-key', '--description', 'cli recovery'])).KeyMetadata.KeyId;
  blob = (await vault.ok<Api.EncryptResponse>(['encrypt', '--key-id', keyId, '--plaintext', b64('before the loss')])).CiphertextBlob;
  await vault.ok(['rotate-key-on-demand', '--key-id', keyId]);
});
after(async () => {
  await restoredVault.destroy();
  await vault.destroy();
  rmSync(work, { recursive: true, force: true });
});

test('a passphrase is never taken from an argument, and without a terminal or file the command says how to give one', async () => {
  const r = await vault.run(['set-recovery-passphrase', '--passphrase', 'on the command line']);
  assert.equal(r.code, 252);
  const err = await vault.fails(['set-recovery-passphrase'], 'ValidationException');
  assert.match(err.message, /--passphrase-file/);
  assert.deepEqual(await vault.ok(['get-recovery-status']), { RecoveryPassphraseSet: false, RecoveryKeySet: false });
});

test(
  'set-recovery-passphrase reads a no-echo terminal prompt twice',
  { skip: existsSync(SCRIPT_BINARY) ? false : 'util-linux script is not installed' },
  async () => {
    const secret = 'typed at the prompt 1';
    const command = `'${process.execPath}' '${join(ROOT, 'bin', 'keyvault')}' --vault-dir '${vault.dir}' set-recovery-passphrase`;
    const child = spawn(SCRIPT_BINARY, ['-qec', command, '/dev/null'], { cwd: ROOT });
    let transcript = '';
    const waitFor = (text: string, from: number): Promise<void> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "${text}" in: ${transcript}`)), 60_000);
        const check = (): void => {
          if (transcript.indexOf(text, from) >= 0) {
            clearTimeout(timer);
            child.stdout.off('data', check);
            resolve();
          }
        };
        child.stdout.on('data', check);
        check();
      });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      transcript += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await waitFor('Enter the recovery passphrase:', 0);
    child.stdin.write(`${secret}\r`);
    await waitFor('again:', 0);
    child.stdin.write(`${secret}\r`);
    assert.equal(await exited, 0, transcript);
    assert.ok(!transcript.includes(secret), `the passphrase is not echoed: ${JSON.stringify(transcript)}`);
    assert.match(transcript, /"RecoveryPassphraseSet": true/);
  },
);

/** Sets the recovery passphrase in-process at a low work factor (the CLI path, at 2^20, is the prompt test above). */
async function seedRecoveryKit(dir: string, passphrase: string): Promise<void> {
  const s = fastRecovery(await openVault({ dir, keychain, create: false }));
  try {
    await s.setRecoveryPassphrase({ Passphrase: passphrase });
  } finally {
    s.close();
  }
}

test('with the keychain entry gone, recover (from a passphrase file) brings the vault back; a wrong passphrase changes nothing', async () => {
  await seedRecoveryKit(vault.dir, readFileSync(passFile, 'utf8').trimEnd());
  const id = vault.vaultId()!;
  assert.equal(await keychain.deleteSecret(keychainAccountForVault(id)), true);
  assert.match((await vault.fails(['list-keys'], 'KMSInvalidStateException')).message, /keyvault recover/);

  const wrong = join(work, 'wrong.pass');
  writeFileSync(wrong, 'not the recovery passphrase\n');
  const before = readFileSync(vault.vaultFile());
  assert.match((await vault.fails(['recover', '--passphrase-file', wrong], 'InvalidCiphertextException')).message, /not correct/);
  assert.deepEqual(readFileSync(vault.vaultFile()), before);

  const res = await vault.ok<{ VaultId: string }>(['recover', '--passphrase-file', passFile]);
  assert.equal(res.VaultId, id);
  const out = await vault.ok<Api.DecryptResponse>(['decrypt', '--ciphertext-blob', blob]);
  assert.equal(Buffer.from(out.Plaintext, 'base64').toString(), 'before the loss');
  assert.equal((await vault.ok<Api.VerifyVaultResponse>(['verify-vault'])).Ok, true);
});

test('export-backup, then restore-backup into a fresh directory with no keychain entry', async () => {
  const backup = join(work, 'vault.age');
  // The one export here at the product's work factor: its scrypt stanza says 2^20 (~1-7 s).
  const exported = await vault.ok<Api.ExportBackupResponse>(['export-backup', '--out', backup, '--passphrase-file', backupPassFile]);
  assert.equal(exported.OutPath, backup);
  assert.match(readFileSync(backup).subarray(0, 200).toString('latin1'), /\n-> scrypt [A-Za-z0-9+/]{22} 20\n/);
  await vault.fails(['export-backup', '--out', backup, '--passphrase-file', backupPassFile], 'AlreadyExistsException');
  // The restore below reads a copy made in-process at a low work factor (opening costs what writing did).
  const s = fastRecovery(await openVault({ dir: vault.dir, keychain, create: false }));
  try {
    await s.exportBackup({ OutPath: backup, Passphrase: readFileSync(backupPassFile, 'utf8').trimEnd(), Overwrite: true });
  } finally {
    s.close();
  }
  const id = vault.vaultId()!;
  const versions = await vault.ok<Api.ListKeyVersionsResponse>(['list-key-versions', '--key-id', keyId]);

  // Another "machine": the keychain entry is gone and the directory is empty.
  await keychain.deleteSecret(keychainAccountForVault(id));
  const restored = await restoredVault.ok<{ VaultId: string; KeyCount: number }>(['restore-backup', '--in', backup, '--passphrase-file', backupPassFile]);
  assert.equal(restored.VaultId, id);
  assert.equal(restored.KeyCount, exported.KeyCount);
  assert.deepEqual(await restoredVault.ok(['list-key-versions', '--key-id', keyId]), versions);
  const out = await restoredVault.ok<Api.DecryptResponse>(['decrypt', '--ciphertext-blob', blob]);
  assert.equal(Buffer.from(out.Plaintext, 'base64').toString(), 'before the loss');
  assert.equal((await restoredVault.ok<Api.VerifyVaultResponse>(['verify-vault'])).Ok, true);
  await restoredVault.fails(['restore-backup', '--in', backup, '--passphrase-file', backupPassFile], 'AlreadyExistsException');
});

test('verify-vault on a directory without a vault reports it and creates nothing', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'kv-cli-empty-'));
  try {
    const r = await runCli(['--vault-dir', empty, 'verify-vault']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as Api.VerifyVaultResponse).Ok, false);
    assert.equal(existsSync(join(empty, 'vault.json')), false);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
