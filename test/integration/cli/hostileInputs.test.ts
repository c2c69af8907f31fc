/**
 * Issue 13 (items 2, 3, 8) and issue 9 (secrets out of argv and error messages), tried the way an
 * adversary would: real character devices, real symbolic links, real stdin, an unwritable audit
 * log. Every input read is bounded and refused quickly when it is not a regular file.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type * as Api from '../../../main/core/api.js';
import { MAX_INPUT_BYTES } from '../../../main/cli/boundedInput.js';
import { assertBuilt, b64, CliVault, ROOT, type CliResult } from './cliHarness.js';

const vault = new CliVault('kv-cli-hostile-');
let keyId = '';

before(async () => {
  assertBuilt();
  keyId = (await vault.ok<Api.KeyMetadataResponse>(['create-key', '--description', 'hostile'])).KeyMetadata.KeyId;
});
after(() => vault.destroy());

/** Runs the CLI with `input` on its standard input (a pipe). */
function runWithStdin(args: readonly string[], input: Buffer | string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [join(ROOT, 'bin', 'keyvault'), ...args],
      { cwd: ROOT, env: { ...process.env, KEYVAULT_DEBUG: '' }, encoding: 'utf8' },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
      },
    );
    child.stdin!.on('error', () => undefined); // the CLI may stop reading an endless input early
    child.stdin!.end(input);
  });
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}

function usageMessage(r: CliResult): string {
  assert.equal(r.code, 252, `expected a usage error: ${r.stdout}${r.stderr}`);
  const err = JSON.parse(r.stderr) as { __type: string; message: string };
  assert.equal(err.__type, 'UsageError');
  return err.message;
}

// Start-up of the CLI is ~0.3 s; the bound leaves room for a loaded machine, far below an endless read.
const QUICK_MS = 3000;

describe('bounded inputs (13.3)', () => {
  test('--description file:///dev/zero is refused at once as not a regular file', async () => {
    const { value, ms } = await timed(() => vault.run(['create-key', '--description', 'file:///dev/zero']));
    assert.match(usageMessage(value), /--description: cannot read \/dev\/zero: it is not a regular file/);
    assert.ok(ms < QUICK_MS, `took ${ms} ms`);
  });

  test('--plaintext fileb:///dev/zero is refused at once', async () => {
    const { value, ms } = await timed(() => vault.run(['encrypt', '--key-id', keyId, '--plaintext', 'fileb:///dev/zero']));
    assert.match(usageMessage(value), /not a regular file/);
    assert.ok(ms < QUICK_MS, `took ${ms} ms`);
  });

  test('a regular file over the bound is refused without reading it', async () => {
    const big = join(vault.dir, 'big.bin');
    writeFileSync(big, Buffer.alloc(MAX_INPUT_BYTES + 1));
    try {
      assert.match(
        usageMessage(await vault.run(['encrypt', '--key-id', keyId, '--plaintext', `fileb://${big}`])),
        new RegExp(`larger than ${MAX_INPUT_BYTES} bytes`),
      );
    } finally {
      rmSync(big);
    }
  });

  test('endless standard input (--plaintext -) stops at the bound', async () => {
    const { value, ms } = await timed(() =>
      runWithStdin(['--vault-dir', vault.dir, 'encrypt', '--key-id', keyId, '--plaintext', '-'], Buffer.alloc(4 * MAX_INPUT_BYTES)),
    );
    assert.match(usageMessage(value), /--plaintext: standard input is larger than/);
    assert.ok(ms < QUICK_MS, `took ${ms} ms`);
  });

  test('vault.json linked to /dev/zero: commands and verify-vault refuse it at once, nothing is replaced', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kv-cli-devzero-'));
    try {
      symlinkSync('/dev/zero', join(dir, 'vault.json'));
      const { value, ms } = await timed(() => runWithStdin(['--vault-dir', dir, 'list-keys'], ''));
      assert.equal(value.code, 254, value.stderr);
      assert.equal((JSON.parse(value.stderr) as { __type: string }).__type, 'NotARegularFileException');
      assert.ok(ms < QUICK_MS, `took ${ms} ms`);
      const verify = await timed(() => runWithStdin(['--vault-dir', dir, 'verify-vault'], ''));
      assert.ok(verify.ms < QUICK_MS, `verify-vault took ${verify.ms} ms`);
      const report = JSON.parse(verify.value.stdout || verify.value.stderr) as { Ok?: boolean; Problems?: { Problem: string }[]; __type?: string };
      assert.notEqual(report.Ok, true, 'verify-vault must not call it Ok');
      assert.match(JSON.stringify(report), /not a regular file/);
      assert.equal(readlinkSync(join(dir, 'vault.json')), '/dev/zero', 'the link is still there');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('symbolic links to vault.json (13.2)', () => {
  test('a dangling link is refused: no new vault is created in its place', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kv-cli-dangling-'));
    try {
      symlinkSync('/nonexistent-drive/keyvault/vault.json', join(dir, 'vault.json'));
      const r = await runWithStdin(['--vault-dir', dir, 'list-keys'], '');
      assert.equal(r.code, 254, r.stdout + r.stderr);
      const err = JSON.parse(r.stderr) as { __type: string; message: string };
      assert.equal(err.__type, 'KMSInvalidStateException');
      assert.match(err.message, /symbolic link to \/nonexistent-drive\/keyvault\/vault\.json, which does not exist/);
      assert.ok(lstatSync(join(dir, 'vault.json')).isSymbolicLink(), 'the link was not replaced');
      assert.deepEqual(
        readdirSync(dir).filter((n) => n.startsWith('vault.json') || n.startsWith('.vault.json')),
        ['vault.json'],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a resolving link is followed: writes go to its target and the link stays a link', async () => {
    const linked = new CliVault('kv-cli-linked-');
    const elsewhere = mkdtempSync(join(tmpdir(), 'kv-cli-target-'));
    try {
      await linked.ok(['list-keys']);
      const vaultId = linked.vaultId()!;
      renameSync(linked.vaultFile(), join(elsewhere, 'real-vault.json'));
      symlinkSync(join(elsewhere, 'real-vault.json'), linked.vaultFile());
      const created = (await linked.ok<Api.KeyMetadataResponse>(['create-key', '--description', 'through the link'])).KeyMetadata.KeyId;
      assert.ok(lstatSync(linked.vaultFile()).isSymbolicLink(), 'vault.json is still a link');
      const target = JSON.parse(readFileSync(join(elsewhere, 'real-vault.json'), 'utf8')) as { VaultId: string; Keys: Record<string, unknown> };
      assert.equal(target.VaultId, vaultId);
      assert.ok(created in target.Keys, 'the new key is in the target file');
      assert.deepEqual(readdirSync(elsewhere), ['real-vault.json'], 'no temp file left beside the target');
      const listed = await linked.ok<Api.ListKeysResponse>(['list-keys']);
      assert.ok(listed.Keys.some((k) => k.KeyId === created));
    } finally {
      await linked.destroy();
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});

describe('secrets stay out of argv and error messages (issue 9)', () => {
  test('--plaintext - reads the bytes from standard input', async () => {
    const secret = Buffer.from([0, 1, 2, 250, 255, 10, 13]);
    const enc = await runWithStdin(['--vault-dir', vault.dir, 'encrypt', '--key-id', keyId, '--plaintext', '-'], secret);
    assert.equal(enc.code, 0, enc.stderr);
    const blob = (JSON.parse(enc.stdout) as Api.EncryptResponse).CiphertextBlob;
    const dec = await vault.ok<Api.DecryptResponse>(['decrypt', '--ciphertext-blob', blob]);
    assert.ok(Buffer.from(dec.Plaintext, 'base64').equals(secret));
  });

  test('--key-material - reads the bytes from standard input', async () => {
    const external = (await vault.ok<Api.KeyMetadataResponse>(['create-key', '--origin', 'EXTERNAL'])).KeyMetadata.KeyId;
    const r = await runWithStdin(['--vault-dir', vault.dir, 'import-key-material', '--key-id', external, '--key-material', '-'], Buffer.alloc(32, 7));
    assert.equal(r.code, 0, r.stderr);
    const described = await vault.ok<Api.KeyMetadataResponse>(['describe-key', '--key-id', external]);
    assert.equal(described.KeyMetadata.KeyState, 'Enabled');
  });

  test('a JSON error names the position, never the text', async () => {
    const message = usageMessage(await vault.run(['encrypt', '--key-id', keyId, '--plaintext', b64('x'), '--encryption-context', '{"token":hunter2}']));
    assert.doesNotMatch(message, /hunter2/);
    assert.match(message, /--encryption-context is not valid JSON \(at character 10\)/);
  });

  test('a stray argument is named by its position, not echoed', async () => {
    const message = usageMessage(await vault.run(['encrypt', '--key-id', keyId, 'hunter2', '--plaintext', b64('x')]));
    assert.doesNotMatch(message, /hunter2/);
    assert.match(message, /position 6/);
  });

  test('a value of the wrong kind is not echoed', async () => {
    const message = usageMessage(await vault.run(['list-audit-events', '--limit', 'hunter2']));
    assert.doesNotMatch(message, /hunter2/);
  });

  test('decrypting a blob whose key was deleted is NotFoundException in decrypt and re-encrypt', async () => {
    const doomed = (await vault.ok<Api.KeyMetadataResponse>(['create-key'])).KeyMetadata.KeyId;
    const blob = (await vault.ok<Api.EncryptResponse>(['encrypt', '--key-id', doomed, '--plaintext', b64('gone soon')])).CiphertextBlob;
    await vault.ok(['schedule-key-deletion', '--key-id', doomed, '--pending-window-in-days', '7']);
    await vault.ok(['list-keys'], { faketime: '+8d' }); // the catch-up purges the key
    const err = await vault.fails(['decrypt', '--ciphertext-blob', blob], 'NotFoundException', { faketime: '+8d' });
    assert.match(err.message, /not in this vault/);
    await vault.fails(['re-encrypt', '--ciphertext-blob', blob, '--destination-key-id', keyId], 'NotFoundException', { faketime: '+8d' });
  });
});

describe('warnings (13.8)', () => {
  test('an audit log that cannot be written gives a Warnings entry in the JSON, and nothing else on stderr', async () => {
    const other = new CliVault('kv-cli-warn-');
    try {
      await other.ok(['list-keys']);
      rmSync(join(other.dir, 'audit.log'), { force: true });
      mkdirSync(join(other.dir, 'audit.log')); // a directory where the log should be: appends fail
      const r = await other.run(['create-key', '--description', 'warned']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '', 'stderr stays empty on success');
      const out = JSON.parse(r.stdout) as { KeyMetadata: Api.KeyMetadata; Warnings?: string[] };
      assert.equal(out.KeyMetadata.Description, 'warned');
      assert.ok(
        out.Warnings?.some((w) => /could not write its audit log/.test(w)),
        JSON.stringify(out.Warnings),
      );
    } finally {
      await other.destroy();
    }
  });
});
