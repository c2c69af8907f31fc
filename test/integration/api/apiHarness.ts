/**
 * `keyvault serve` as a child process on a private temporary vault (the real OS keychain), with
 * KMS clients pointed at it. Cleans up the vault, its root secret and its API credentials.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { KMSClient } from '@aws-sdk/client-kms';
import { createKeytarKeychain, keychainAccountForApiCredentials } from '../../../main/keychain/keychain.js';
import { CliVault, ROOT } from '../cli/cliHarness.js';

export interface Credentials {
  AccessKeyId: string;
  SecretAccessKey: string;
}

export interface ServeOptions {
  faketime?: string;
  args?: string[];
}

export class ServedVault {
  readonly cli = new CliVault('kv-api-');
  child: ChildProcess | undefined;
  endpoint = '';
  region = '';
  port = 0;
  private stderr = '';

  /** Starts `keyvault serve --port 0` and waits for its ready line. */
  async start(opts: ServeOptions = {}): Promise<void> {
    const args = ['bin/keyvault', '--vault-dir', this.cli.dir, 'serve', '--port', '0', ...(opts.args ?? [])];
    const [file, argv] = opts.faketime ? ['/usr/bin/faketime', ['-f', opts.faketime, process.execPath, ...args]] : [process.execPath, args];
    const child = spawn(file, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.stderr = '';
    child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${this.stderr}`)), 20_000);
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const nl = out.indexOf('\n');
        if (nl >= 0) {
          clearTimeout(timer);
          resolve(out.slice(0, nl));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`serve exited (${code}) before it was ready: ${this.stderr}`));
      });
    });
    const ready = JSON.parse(line) as { Endpoint: string; Region: string };
    this.endpoint = ready.Endpoint;
    this.region = ready.Region;
    this.port = Number(new URL(ready.Endpoint).port);
  }

  /** SIGTERM and the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(signal);
    const code = await exited;
    this.child = undefined;
    return code;
  }

  async credentials(): Promise<Credentials> {
    const doc = await this.cli.ok<{ Version: number } & Credentials>(['get-api-credentials']);
    assert.equal(doc.Version, 1);
    return { AccessKeyId: doc.AccessKeyId, SecretAccessKey: doc.SecretAccessKey };
  }

  client(creds: Credentials, extra: Record<string, unknown> = {}): KMSClient {
    return new KMSClient({
      endpoint: this.endpoint,
      region: this.region,
      credentials: { accessKeyId: creds.AccessKeyId, secretAccessKey: creds.SecretAccessKey },
      maxAttempts: 1,
      ...extra,
    });
  }

  async destroy(): Promise<void> {
    await this.stop();
    const id = this.cli.vaultId();
    if (id) await createKeytarKeychain().deleteSecret(keychainAccountForApiCredentials(id)).catch(() => false);
    await this.cli.destroy();
  }
}

/** The exception name of a rejected SDK call. */
export async function errorName(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { name: string }).name;
  }
  assert.fail('the call should have failed');
}
