/**
 * The AWS-compatible KMS endpoint: AWS JSON 1.1 over node:http, on a loopback address only.
 *
 * Order of checks for each request, so that nothing is read or done for a caller who is not
 * known: the browser guards (Host must be the bound address or localhost with the port, no Origin
 * header), the route (POST /), the SigV4 header and the access key (no body read yet), then the
 * body (at most 1 MiB, within the request time-out), the signature over it, and only then the
 * operation. Every call, refused or served, is one audit entry with the access key id, never data.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isKmsError, toKmsError } from '../core/errors.js';
import type { VaultService } from '../vault/vaultService.js';
import type { CredentialCache } from './apiCredentials.js';
import { ApiError } from './apiErrors.js';
import { AwsNames } from './awsNames.js';
import { findOperation } from './operations.js';
import { parseAuthorization, verifySignature } from './sigv4.js';

export const MAX_BODY_BYTES = 1024 * 1024;
export const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', '::1', 'localhost'];
const TARGET_PREFIX = 'TrentService.';

export interface ApiServerOptions {
  service: VaultService;
  credentials: CredentialCache;
  region: string;
  host?: string;
  port?: number;
  /** Header and whole-request time-outs (ms). */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
}

export interface ApiServerStatus {
  Listening: boolean;
  Endpoint?: string;
  Region: string;
  RequestsServed: number;
  LastError?: string;
}

export interface ApiServer {
  readonly endpoint: string;
  readonly region: string;
  status(): ApiServerStatus;
  /** Stops accepting, lets in-flight requests finish, then closes every connection. */
  close(): Promise<void>;
}

/** Refuses anything but a loopback address (the endpoint must never be reachable from elsewhere). */
export function checkLoopbackHost(host: string): void {
  if (!LOOPBACK_HOSTS.includes(host)) {
    throw new ApiError('AccessDeniedException', `The endpoint binds loopback only (${LOOPBACK_HOSTS.join(', ')}), not "${host}".`);
  }
}

export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const host = opts.host ?? '127.0.0.1';
  checkLoopbackHost(host);
  const names = new AwsNames(opts.service.vaultId, opts.region);
  const stats = { served: 0, lastError: undefined as string | undefined, closing: false, inFlight: 0 };
  let allowedHosts = new Set<string>();

  const server: Server = createServer((req, res) => {
    stats.inFlight++;
    res.on('close', () => {
      stats.inFlight--;
    });
    void handle(req, res);
  });
  server.headersTimeout = opts.headersTimeoutMs ?? 10_000;
  server.requestTimeout = opts.requestTimeoutMs ?? 30_000;
  server.keepAliveTimeout = 5_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let operation = 'Unknown';
    let accessKeyId: string | undefined;
    let keyRef: unknown;
    try {
      guardBrowser(req, allowedHosts);
      if (req.method !== 'POST' || (req.url ?? '/').split('?')[0] !== '/') {
        throw new ApiError('UnknownOperationException', 'The endpoint answers POST / with an X-Amz-Target header only.', 404);
      }
      const target = req.headers['x-amz-target'];
      if (typeof target === 'string' && target.startsWith(TARGET_PREFIX)) operation = target.slice(TARGET_PREFIX.length).slice(0, 64);
      const signed = { method: req.method, url: req.url ?? '/', rawHeaders: req.rawHeaders };
      const auth = parseAuthorization(signed, { region: opts.region, service: 'kms' }, opts.service.clock.now());
      accessKeyId = auth.accessKeyId.slice(0, 128);
      const pair = await opts.credentials.current();
      if (!pair || pair.AccessKeyId !== auth.accessKeyId) {
        throw new ApiError('UnrecognizedClientException', 'The security token included in the request is invalid (unknown access key id).');
      }
      const body = await readBody(req);
      verifySignature(signed, auth, pair.SecretAccessKey, body);
      if (typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) {
        throw new ApiError('UnknownOperationException', 'X-Amz-Target must be TrentService.<Operation>.');
      }
      const run = findOperation(operation);
      const request = parseJsonObject(body);
      keyRef = request.KeyId ?? request.TargetKeyId ?? request.DestinationKeyId;
      const result = names.toAws(await run({ service: opts.service, names }, request));
      stats.served++;
      audit(operation, accessKeyId, keyFromResult(result) ?? keyRef, undefined);
      send(res, 200, result);
    } catch (err) {
      const { status, type, message } = describeError(err);
      if (status >= 500) stats.lastError = `${type}: ${message}`;
      audit(operation, accessKeyId, keyRef, type);
      send(res, status, { __type: type, message }, status === 413 || status === 408);
    }
  }

  function audit(operation: string, accessKeyId: string | undefined, keyRef: unknown, errorType: string | undefined): void {
    const keyId = auditKeyId(keyRef);
    opts.service.audit.append(
      {
        Time: opts.service.clock.now().toISOString(),
        Operation: `Api:${operation}`,
        ...(keyId ? { KeyId: keyId } : {}),
        Outcome: errorType ? 'Failure' : 'Success',
        ...(errorType ? { ErrorType: errorType } : {}),
        Detail: `AccessKeyId=${accessKeyId ?? '(none)'}`,
      },
      true,
    );
  }

  function send(res: ServerResponse, status: number, body: unknown, close = false): void {
    if (res.headersSent) return;
    const text = JSON.stringify(body);
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/x-amz-json-1.1',
      'Content-Length': Buffer.byteLength(text),
      'x-amzn-RequestId': randomUUID(),
    };
    if (status !== 200) headers['x-amzn-ErrorType'] = (body as { __type: string }).__type;
    if (close || stats.closing) headers.Connection = 'close';
    res.writeHead(status, headers);
    res.end(text);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const bound = host === '::1' ? '[::1]' : host;
  allowedHosts = new Set([`${bound}:${port}`, `localhost:${port}`]);
  const endpoint = `http://${bound}:${port}`;

  return {
    endpoint,
    region: opts.region,
    status: () => ({
      Listening: server.listening,
      Endpoint: endpoint,
      Region: opts.region,
      RequestsServed: stats.served,
      ...(stats.lastError ? { LastError: stats.lastError } : {}),
    }),
    close: () =>
      new Promise<void>((resolve) => {
        stats.closing = true;
        server.close(() => resolve());
        server.closeIdleConnections();
        // Connections still busy close once their response is sent (Connection: close above).
        const sweep = setInterval(() => {
          server.closeIdleConnections();
          if (stats.inFlight === 0) server.closeAllConnections();
        }, 50);
        server.once('close', () => clearInterval(sweep));
      }),
  };
}

/** DNS rebinding and cross-site requests: only the bound address or localhost, never a browser origin. */
function guardBrowser(req: IncomingMessage, allowedHosts: ReadonlySet<string>): void {
  const host = (req.headers.host ?? '').toLowerCase();
  if (!allowedHosts.has(host)) {
    throw new ApiError('AccessDeniedException', `Host "${host.slice(0, 100)}" is not this endpoint (${[...allowedHosts].join(' or ')}).`, 403);
  }
  if (req.headers.origin !== undefined) {
    throw new ApiError('AccessDeniedException', 'Requests from web pages (with an Origin header) are refused.', 403);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    return Promise.reject(new ApiError('RequestEntityTooLargeException', `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`, 413));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.pause();
        reject(new ApiError('RequestEntityTooLargeException', `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`, 413));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => reject(new ApiError('RequestTimeoutException', 'The request body did not arrive in time.', 408)));
    req.on('aborted', () => reject(new ApiError('RequestTimeoutException', 'The request was aborted.', 408)));
  });
}

function parseJsonObject(body: Buffer): Record<string, unknown> {
  let value: unknown;
  try {
    value = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    throw new ApiError('SerializationException', 'The request body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ApiError('SerializationException', 'The request body must be a JSON object.');
  return value as Record<string, unknown>;
}

function describeError(err: unknown): { status: number; type: string; message: string } {
  if (err instanceof ApiError) return { status: err.status, type: err.__type, message: err.message };
  const kms = isKmsError(err) ? err : toKmsError(err);
  return { status: kms.__type === 'KMSInternalException' ? 500 : 400, type: kms.__type, message: kms.message };
}

function keyFromResult(result: Record<string, unknown>): string | undefined {
  const meta = result.KeyMetadata as { KeyId?: unknown } | undefined;
  const id = meta?.KeyId ?? result.KeyId;
  return typeof id === 'string' ? id : undefined;
}

/** The key id (a UUID) in an ARN or id, for the audit line; aliases are left out rather than resolved. */
function auditKeyId(ref: unknown): string | undefined {
  if (typeof ref !== 'string') return undefined;
  const m = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/.exec(ref);
  return m?.[1];
}
