/**
 * Verification of AWS Signature Version 4 (the Authorization header form) for service `kms`.
 *
 * Done in two steps so that nothing is read before the caller is known: `parseAuthorization`
 * checks the header's shape, the scope and the request time (no body needed); `verifySignature`
 * then recomputes the signature over the canonical request and compares in constant time.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ApiError } from './apiErrors.js';

export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
const ALGORITHM = 'AWS4-HMAC-SHA256';
const AMZ_DATE_RE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

export interface SignedRequest {
  method: string;
  /** Path and query as sent, e.g. `/` or `/?a=b`. */
  url: string;
  /** Raw header pairs as received (node's `req.rawHeaders`). */
  rawHeaders: readonly string[];
}

export interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
}

function headerValues(rawHeaders: readonly string[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const list = map.get(name);
    if (list) list.push(rawHeaders[i + 1]!);
    else map.set(name, [rawHeaders[i + 1]!]);
  }
  return map;
}

const incomplete = (why: string) => new ApiError('IncompleteSignatureException', why);

/** Reads and checks the Authorization header, the credential scope and the request time. */
export function parseAuthorization(req: SignedRequest, expected: { region: string; service: string }, now: Date): ParsedAuthorization {
  const headers = headerValues(req.rawHeaders);
  const auth = headers.get('authorization');
  if (!auth) {
    if (req.url.includes('X-Amz-Signature=')) throw incomplete('Query-string (presigned) signatures are not accepted; sign the Authorization header.');
    throw new ApiError('MissingAuthenticationTokenException', 'Missing Authentication Token: the request is not signed (AWS Signature Version 4).');
  }
  if (auth.length !== 1) throw incomplete('More than one Authorization header.');
  const value = auth[0]!.trim();
  if (!value.startsWith(`${ALGORITHM} `)) throw incomplete(`Authorization must use ${ALGORITHM}.`);
  const parts = new Map<string, string>();
  for (const item of value.slice(ALGORITHM.length + 1).split(',')) {
    const eq = item.indexOf('=');
    if (eq > 0) parts.set(item.slice(0, eq).trim(), item.slice(eq + 1).trim());
  }
  const credential = parts.get('Credential');
  const signedHeadersText = parts.get('SignedHeaders');
  const signature = parts.get('Signature');
  if (!credential || !signedHeadersText || !signature) {
    throw incomplete('Authorization header requires Credential, SignedHeaders and Signature.');
  }
  const scope = credential.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request' || !scope[0]) {
    throw incomplete('Credential must be <access key id>/<date>/<region>/<service>/aws4_request.');
  }
  if (!/^[0-9a-f]{64}$/.test(signature)) throw incomplete('Signature must be 64 lowercase hex digits.');
  const signedHeaders = signedHeadersText.split(';');
  if (!signedHeaders.includes('host')) throw incomplete("SignedHeaders must include 'host'.");

  const amzDates = headers.get('x-amz-date');
  if (!amzDates || amzDates.length !== 1) throw incomplete('The request needs one X-Amz-Date header.');
  const amzDate = amzDates[0]!.trim();
  const m = AMZ_DATE_RE.exec(amzDate);
  if (!m) throw incomplete(`X-Amz-Date "${amzDate}" is not in the form YYYYMMDDTHHMMSSZ.`);
  if (!signedHeaders.includes('x-amz-date')) throw incomplete("SignedHeaders must include 'x-amz-date'.");
  const [accessKeyId, date, region, service] = scope as [string, string, string, string];
  const requestTime = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  if (Math.abs(now.getTime() - requestTime) > MAX_CLOCK_SKEW_MS) {
    throw new ApiError(
      'InvalidSignatureException',
      `Signature expired: ${amzDate} is now earlier than ${compact(new Date(now.getTime() - MAX_CLOCK_SKEW_MS))} or later than ${compact(new Date(now.getTime() + MAX_CLOCK_SKEW_MS))} (15 min).`,
    );
  }
  if (date !== amzDate.slice(0, 8)) throw new ApiError('InvalidSignatureException', `Credential date ${date} does not match X-Amz-Date ${amzDate}.`);
  if (service !== expected.service) throw new ApiError('InvalidSignatureException', `Credential should be scoped to correct service: '${expected.service}'.`);
  if (region !== expected.region) throw new ApiError('InvalidSignatureException', `Credential should be scoped to a valid region, '${expected.region}'.`);
  return { accessKeyId, date, region, service, signedHeaders, signature, amzDate };
}

function compact(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** RFC 3986 encoding as SigV4 wants it (unreserved characters left alone). */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  const pairs = query
    .split('&')
    .filter(Boolean)
    .map((p) => {
      const eq = p.indexOf('=');
      const k = decodeURIComponent((eq < 0 ? p : p.slice(0, eq)).replace(/\+/g, ' '));
      const v = eq < 0 ? '' : decodeURIComponent(p.slice(eq + 1).replace(/\+/g, ' '));
      return [uriEncode(k), uriEncode(v)] as const;
    });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function canonicalPath(path: string): string {
  // Non-S3 services encode each (decoded) segment twice over; for `/` that is `/`.
  return path
    .split('/')
    .map((seg) => uriEncode(uriEncode(decodeURIComponent(seg))))
    .join('/');
}

export function canonicalRequest(req: SignedRequest, signedHeaders: readonly string[], payloadHash: string): string {
  const headers = headerValues(req.rawHeaders);
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const query = q < 0 ? '' : req.url.slice(q + 1);
  const lines = signedHeaders.map((name) => {
    const values = headers.get(name);
    if (!values) throw incomplete(`Signed header '${name}' is missing from the request.`);
    return `${name}:${values.map((v) => v.trim().replace(/\s+/g, ' ')).join(',')}\n`;
  });
  return [req.method, canonicalPath(path), canonicalQuery(query), lines.join(''), signedHeaders.join(';'), payloadHash].join('\n');
}

const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** Signing keys by secret/date/region/service: one HMAC chain per day instead of per request. */
const signingKeys = new Map<string, Buffer>();

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const id = `${secret}\n${date}\n${region}\n${service}`;
  let key = signingKeys.get(id);
  if (!key) {
    key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
    if (signingKeys.size > 64) signingKeys.clear();
    signingKeys.set(id, key);
  }
  return key;
}

/** Recomputes the signature of the request and compares it in constant time. */
export function verifySignature(req: SignedRequest, auth: ParsedAuthorization, secret: string, body: Buffer): void {
  const payloadHash = createHash('sha256').update(body).digest('hex');
  const claimed = headerValues(req.rawHeaders).get('x-amz-content-sha256')?.[0];
  if (claimed !== undefined && claimed !== payloadHash) {
    throw new ApiError('InvalidSignatureException', 'X-Amz-Content-Sha256 does not match the body.');
  }
  const canonical = canonicalRequest(req, auth.signedHeaders, payloadHash);
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = [ALGORITHM, auth.amzDate, scope, createHash('sha256').update(canonical, 'utf8').digest('hex')].join('\n');
  const expected = createHmac('sha256', signingKey(secret, auth.date, auth.region, auth.service))
    .update(stringToSign, 'utf8')
    .digest();
  const given = Buffer.from(auth.signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new ApiError(
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    );
  }
}
