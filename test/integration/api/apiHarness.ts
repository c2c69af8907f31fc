/**
 * `keyvault serve` as a child process on a private temporary vault (the real OS keychain), with
 * KMS clients pointed at it. Cleans up the vault, its root secret and its API credentials.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import type { ClientRequest } from 'node:http';
import { request } from 'node:http';
import { KMSClient } from '@aws-sdk/client-kms';
import { createKeytarKeychain, keychainAccountForApiCredentials } from '../../../main/keychain/keychain.js';
import { CliVault, ROOT } from '../cli/cliHarness.js';

const FAKETIME_LIB = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

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
    // libfaketime preloaded directly (not through the faketime wrapper, which would not pass SIGTERM on).
    const env = opts.faketime ? { ...process.env, LD_PRELOAD: FAKETIME_LIB, FAKETIME: opts.faketime } : process.env;
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
    if (id)
      await createKeytarKeychain()
        .deleteSecret(keychainAccountForApiCredentials(id))
        .catch(() => false);
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

export interface RawResponse {
  status: number;
  body: string;
  /** Whether the server closed the connection after answering. */
  closed: boolean;
}

/**
 * A request written by hand on a fresh connection (for the guards a client library would not let
 * us break). `body` may be a function that writes the body itself, slowly or in chunks.
 */
export function rawRequest(
  port: number,
  headers: Record<string, string | number>,
  body: string | Buffer | ((req: ClientRequest) => void) = '{}',
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers, agent: false, setHost: false }, (res) => {
      answered = true;
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, closed: res.headers.connection === 'close' }));
    });
    // After the answer, a reset of the connection the server closed is expected, not a failure.
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    if (typeof body === 'function') body(req);
    else req.end(body);
  });
}

/** SigV4 headers for `POST /` with this body, written independently of the server's code. */
export function signedHeaders(opts: { port: number; target: string; body: string; creds: Credentials; region: string; now?: Date }): Record<string, string> {
  const now = opts.now ?? new Date();
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    'content-type': 'application/x-amz-json-1.1',
    host: `127.0.0.1:${opts.port}`,
    'x-amz-date': amzDate,
    'x-amz-target': `TrentService.${opts.target}`,
  };
  const names = Object.keys(headers).sort();
  const canonical = ['POST', '/', '', ...names.map((n) => `${n}:${headers[n]}`), '', names.join(';'), sha256(opts.body)].join('\n');
  const scope = `${day}/${opts.region}/kms/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  let key: Buffer = createHmac('sha256', `AWS4${opts.creds.SecretAccessKey}`).update(day).digest();
  for (const part of [opts.region, 'kms', 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${opts.creds.AccessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
