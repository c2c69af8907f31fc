/**
 * Issue 13.11: full disks, read-only mounts, refused permissions, over-long names and directories
 * in the wrong place each come back as their own typed error naming the file (errno code kept in
 * the message), never as a KMSInternalException with raw errno text. Real mounts: a 256 KiB tmpfs
 * (the test runs as root; it is skipped with the reason otherwise).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type * as Api from '../../../main/core/api.js';
import { assertBuilt, CliVault } from './cliHarness.js';

const isRoot = process.getuid?.() === 0;
const vault = new CliVault('kv-cli-disks-');
const scratch = mkdtempSync(join(tmpdir(), 'kv-cli-disks-files-'));
const mountPoint = join(scratch, 'small');
let mounted = false;
let keyId = '';

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
}

before(async () => {
  assertBuilt();
  keyId = (await vault.ok<Api.KeyMetadataResponse>(['create-key'])).KeyMetadata.KeyId;
  writeFileSync(join(scratch, 'input.bin'), Buffer.alloc(1 << 20, 1));
  if (isRoot) {
    mkdirSync(mountPoint);
    sh('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mountPoint]);
    mounted = true;
  }
});

after(async () => {
  if (mounted) spawnSync('umount', [mountPoint]);
  rmSync(scratch, { recursive: true, force: true });
  await vault.destroy();
});

const parts = (dir: string): string[] => readdirSync(dir).filter((n) => n.includes('.keyvault-part'));

describe('file commands', () => {
  test('a full disk is StorageFullException naming the output, and no part is left', async (t) => {
    if (!isRoot) return t.skip('needs root to mount a small tmpfs');
    const out = join(mountPoint, 'input.bin.age');
    const err = await vault.fails(['encrypt-file', '--key-id', keyId, '--in', join(scratch, 'input.bin'), '--out', out], 'StorageFullException');
    assert.ok(err.message.includes(out), err.message);
    assert.match(err.message, /ENOSPC/);
    assert.deepEqual(parts(mountPoint), []);
    assert.ok(!existsSync(out));
  });

  test('a read-only file system is ReadOnlyStorageException naming the output', async (t) => {
    if (!isRoot) return t.skip('needs root to remount the tmpfs read-only');
    sh('mount', ['-o', 'remount,ro', mountPoint]);
    try {
      const out = join(mountPoint, 'x.age');
      const err = await vault.fails(['encrypt-file', '--key-id', keyId, '--in', join(scratch, 'input.bin'), '--out', out], 'ReadOnlyStorageException');
      assert.ok(err.message.includes(out), err.message);
      assert.match(err.message, /EROFS/);
    } finally {
      sh('mount', ['-o', 'remount,rw', mountPoint]);
    }
  });

  test('a folder that refuses new files (immutable) is FileAccessDeniedException', async (t) => {
    const locked = join(scratch, 'locked');
    mkdirSync(locked);
    if (spawnSync('chattr', ['+i', locked]).status !== 0) return t.skip('chattr +i is not supported here');
    try {
      const out = join(locked, 'x.age');
      const err = await vault.fails(['encrypt-file', '--key-id', keyId, '--in', join(scratch, 'input.bin'), '--out', out], 'FileAccessDeniedException');
      assert.ok(err.message.includes(out), err.message);
      assert.match(err.message, /EPERM|EACCES/);
    } finally {
      spawnSync('chattr', ['-i', locked]);
    }
  });

  test('an over-long output name is FileNameTooLongException', async () => {
    const out = join(scratch, `${'n'.repeat(300)}.age`);
    const err = await vault.fails(['encrypt-file', '--key-id', keyId, '--in', join(scratch, 'input.bin'), '--out', out], 'FileNameTooLongException');
    assert.match(err.message, /ENAMETOOLONG/);
  });

  test('a directory as input is NotARegularFileException naming it', async () => {
    const err = await vault.fails(['encrypt-file', '--key-id', keyId, '--in', scratch], 'NotARegularFileException');
    assert.ok(err.message.includes(scratch), err.message);
  });

  test('--out with an empty path (the current directory) is ValidationException', async () => {
    const err = await vault.fails(['encrypt-file', '--key-id', keyId, '--in', join(scratch, 'input.bin'), '--out', ''], 'ValidationException');
    assert.match(err.message, /OutputPath/);
  });
});

describe('the vault file', () => {
  test('a full disk under the vault is StorageFullException and vault.json is unchanged', async (t) => {
    if (!isRoot) return t.skip('needs root to mount a small tmpfs');
    const dir = join(mountPoint, 'vault');
    try {
      const r0 = await runIn(dir, ['list-keys']);
      assert.equal(r0.code, 0, r0.stderr);
      const before = readFileSync(join(dir, 'vault.json'));
      rmSync(join(dir, 'audit.log'), { force: true });
      // Fill the disk.
      const filler = join(mountPoint, 'filler');
      spawnSync('sh', ['-c', `head -c 1000000 /dev/zero > '${filler}'`]);
      const r = await runIn(dir, ['create-key', '--description', 'x'.repeat(4000)]);
      assert.equal(r.code, 254, r.stdout + r.stderr);
      const err = JSON.parse(r.stderr.trim().split('\n')[0]!) as { __type: string; message: string };
      assert.equal(err.__type, 'StorageFullException', err.message);
      assert.ok(err.message.includes(join(dir, 'vault.json')), err.message);
      assert.ok(readFileSync(join(dir, 'vault.json')).equals(before), 'vault.json unchanged');
      assert.deepEqual(
        readdirSync(dir).filter((n) => n.endsWith('.tmp')),
        [],
        'no temp file left',
      );
      rmSync(filler);
    } finally {
      if (existsSync(join(dir, 'vault.json'))) await destroyVaultIn(dir);
    }
  });

  test('recover on a folder without a vault refuses and creates nothing', async () => {
    const missing = join(scratch, 'no-vault-here');
    const passFile = join(scratch, 'pass.txt');
    writeFileSync(passFile, 'correct horse battery staple\n');
    const r = await runIn(missing, ['recover', '--passphrase-file', passFile]);
    assert.equal(r.code, 254, r.stdout + r.stderr);
    assert.equal((JSON.parse(r.stderr) as { __type: string }).__type, 'KMSInvalidStateException');
    assert.ok(!existsSync(missing), 'the folder was not created');
  });

  test('verify-vault on a deeply nested document reports a bounded-depth problem, not a stack overflow', async () => {
    const dir = join(scratch, 'deep');
    mkdirSync(dir);
    const depth = 200_000;
    writeFileSync(join(dir, 'vault.json'), `{"FormatVersion":1,"Keys":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    const r = await runIn(dir, ['verify-vault']);
    const report = JSON.parse(r.stdout) as { Ok: boolean; Problems: { Problem: string }[] };
    assert.equal(report.Ok, false);
    assert.ok(
      report.Problems.some((p) => /nested more than 64 levels/.test(p.Problem)),
      JSON.stringify(report.Problems),
    );
    assert.doesNotMatch(r.stdout, /call stack/);
    const list = await runIn(dir, ['list-keys']);
    assert.equal((JSON.parse(list.stderr) as { __type: string }).__type, 'ValidationException');
  });
});

async function runIn(dir: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { runCli } = await import('./cliHarness.js');
  return runCli(['--vault-dir', dir, ...args]);
}

async function destroyVaultIn(dir: string): Promise<void> {
  const id = (JSON.parse(readFileSync(join(dir, 'vault.json'), 'utf8')) as { VaultId: string }).VaultId;
  const { createKeytarKeychain, keychainAccountForVault } = await import('../../../main/keychain/keychain.js');
  await createKeytarKeychain().deleteSecret(keychainAccountForVault(id));
}
