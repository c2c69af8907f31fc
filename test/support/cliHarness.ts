/**
 * Runs the built `keyvault` CLI as a child process on a private temporary vault, the way a user's
 * script does, and removes the vault (and its root secret in the real OS keychain) afterwards.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKeytarKeychain, keychainAccountForVault } from '../../main/keychain/keychain.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'keyvault');
const BUILT = join(ROOT, 'out', 'cli', 'keyvault.mjs');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** A FAKETIME specification for the whole process, e.g. '+31d' (run under /usr/bin/faketime). */
  faketime?: string;
  env?: NodeJS.ProcessEnv;
}

export function assertBuilt(): void {
  assert.ok(existsSync(BUILT), 'the CLI is not built: run `npm run build:cli` first');
}

export function runCli(args: readonly string[], opts: RunOptions = {}): Promise<CliResult> {
  const [file, argv] = opts.faketime ? ['/usr/bin/faketime', ['-f', opts.faketime, process.execPath, BIN, ...args]] : [process.execPath, [BIN, ...args]];
  return new Promise((resolve) => {
    execFile(file, argv, { cwd: ROOT, env: { ...process.env, KEYVAULT_DEBUG: '', ...opts.env }, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The parsed JSON error printed on stderr. */
export interface CliError {
  __type: string;
  message: string;
}

/** A temporary vault directory driven through the CLI. */
export class CliVault {
  readonly dir: string;

  constructor(prefix = 'kv-cli-') {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
  }

  run(args: readonly string[], opts?: RunOptions): Promise<CliResult> {
    return runCli(['--vault-dir', this.dir, ...args], opts);
  }

  /** Runs a command that must succeed and returns its JSON output. */
  async ok<T>(args: readonly string[], opts?: RunOptions): Promise<T> {
    const r = await this.run(args, opts);
    assert.equal(r.code, 0, `keyvault ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    assert.equal(r.stderr, '', `keyvault ${args.join(' ')} wrote to stderr`);
    return JSON.parse(r.stdout) as T;
  }

  /** Runs a command that must fail with exit 254 and the given KMS exception; returns the error. */
  async fails(args: readonly string[], type: string, opts?: RunOptions): Promise<CliError> {
    const r = await this.run(args, opts);
    assert.equal(r.code, 254, `keyvault ${args.join(' ')} should exit 254, got ${r.code}: ${r.stdout}${r.stderr}`);
    assert.equal(r.stdout, '', 'nothing on stdout for a failure');
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `stderr is one JSON line: ${r.stderr}`);
    const err = JSON.parse(lines[0]!) as CliError;
    assert.deepEqual(Object.keys(err).sort(), ['__type', 'message']);
    assert.equal(err.__type, type, `expected ${type}: ${err.message}`);
    return err;
  }

  vaultFile(): string {
    return join(this.dir, 'vault.json');
  }

  vaultId(): string | undefined {
    if (!existsSync(this.vaultFile())) return undefined;
    return (JSON.parse(readFileSync(this.vaultFile(), 'utf8')) as { VaultId: string }).VaultId;
  }

  /** Removes the root secret from the OS keychain and the directory. */
  async destroy(): Promise<void> {
    const id = this.vaultId();
    if (id) await createKeytarKeychain().deleteSecret(keychainAccountForVault(id));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const b64 = (text: string | Buffer): string => Buffer.from(text).toString('base64');

export const DAY_MS = 86_400_000;
