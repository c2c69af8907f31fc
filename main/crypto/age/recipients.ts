/**
 * The pluggable recipient/identity interfaces, and the two native types this project implements:
 * X25519 (age1... / AGE-SECRET-KEY-1...) and scrypt (passphrase).
 */
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes, scrypt as scryptCallback, type KeyObject } from 'node:crypto';
import { bech32Decode, bech32Encode, decodeBase64NoPad, encodeBase64NoPad } from './encoding.js';
import { headerError, invalidInput } from './errors.js';
import type { Stanza } from './header.js';
import { FILE_KEY_SIZE, hkdf32, openZeroNonce, sealZeroNonce } from './primitives.js';

/** Wraps a file key into one or more stanzas. */
export interface Recipient {
  wrap(fileKey: Buffer): Stanza[] | Promise<Stanza[]>;
}

/**
 * Unwraps a file key from a header's stanzas. Returns null when no stanza is addressed to this
 * identity; throws when one is addressed to it but is malformed or fails in a way that must abort.
 */
export interface Identity {
  unwrap(stanzas: readonly Stanza[]): Buffer | null | Promise<Buffer | null>;
}

const WRAPPED_KEY_SIZE = FILE_KEY_SIZE + 16;

// ---------------------------------------------------------------------------------------------
// X25519

const X25519_INFO = 'age-encryption.org/v1/X25519';
const X25519_TYPE = 'X25519';
const RECIPIENT_HRP = 'age';
const IDENTITY_HRP = 'age-secret-key-';
// Fixed DER prefixes of the X25519 SPKI and PKCS#8 structures (RFC 8410), followed by the raw key.
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

function publicKeyObject(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

function privateKeyObject(raw: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
}

function rawPublicKey(key: KeyObject): Buffer {
  const der = key.export({ format: 'der', type: 'spki' });
  return Buffer.from(der.subarray(der.length - 32));
}

function rawPrivateKey(key: KeyObject): Buffer {
  const der = key.export({ format: 'der', type: 'pkcs8' });
  return Buffer.from(der.subarray(der.length - 32));
}

/** X25519 with an all-zero result reported as null (OpenSSL refuses to return it). */
function x25519(privateKey: KeyObject, publicKey: KeyObject): Buffer | null {
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey, publicKey });
  } catch {
    return null;
  }
  return shared.every((b) => b === 0) ? null : shared;
}

export class X25519Recipient implements Recipient {
  readonly publicKey: Buffer;
  private readonly keyObject: KeyObject;

  constructor(publicKey: Uint8Array) {
    if (publicKey.length !== 32) throw invalidInput('an X25519 public key is 32 bytes');
    this.publicKey = Buffer.from(publicKey);
    this.keyObject = publicKeyObject(this.publicKey);
  }

  /** Parses an `age1...` recipient string. */
  static parse(text: string): X25519Recipient {
    const decoded = bech32Decode(text);
    if (decoded === null || text !== text.toLowerCase()) throw invalidInput('not a valid age recipient (expected age1...)');
    if (decoded.hrp !== RECIPIENT_HRP) {
      throw invalidInput(`unsupported recipient type "${decoded.hrp}" (only X25519 age1... recipients are supported)`);
    }
    if (decoded.data.length !== 32) throw invalidInput('age recipient has the wrong length');
    return new X25519Recipient(decoded.data);
  }

  toString(): string {
    return bech32Encode(RECIPIENT_HRP, this.publicKey);
  }

  wrap(fileKey: Buffer): Stanza[] {
    const { privateKey, publicKey } = generateKeyPairSync('x25519');
    const share = rawPublicKey(publicKey);
    const shared = x25519(privateKey, this.keyObject);
    if (shared === null) throw invalidInput('age recipient is a low-order point');
    const wrapKey = hkdf32(shared, Buffer.concat([share, this.publicKey]), X25519_INFO);
    return [{ type: X25519_TYPE, args: [encodeBase64NoPad(share)], body: sealZeroNonce(wrapKey, fileKey) }];
  }
}

export class X25519Identity implements Identity {
  private readonly privateKey: KeyObject;
  readonly recipient: X25519Recipient;

  constructor(secretKey: Uint8Array) {
    if (secretKey.length !== 32) throw invalidInput('an X25519 secret key is 32 bytes');
    this.privateKey = privateKeyObject(secretKey);
    this.recipient = new X25519Recipient(rawPublicKey(createPublicKey(this.privateKey)));
  }

  static generate(): X25519Identity {
    return new X25519Identity(randomBytes(32));
  }

  /** Parses an `AGE-SECRET-KEY-1...` string. The message never repeats the input. */
  static parse(text: string): X25519Identity {
    if (text.startsWith('AGE-SECRET-KEY-PQ-')) throw invalidInput('post-quantum (ML-KEM) identities are not supported');
    if (text.startsWith('AGE-PLUGIN-')) throw invalidInput('age plugin identities are not supported');
    const decoded = bech32Decode(text);
    if (decoded === null || text !== text.toUpperCase() || decoded.hrp !== IDENTITY_HRP || decoded.data.length !== 32) {
      throw invalidInput('not a valid age identity (expected AGE-SECRET-KEY-1...)');
    }
    return new X25519Identity(decoded.data);
  }

  /** The identity in its `AGE-SECRET-KEY-1...` form. Secret: handle with care. */
  toString(): string {
    return bech32Encode(IDENTITY_HRP, rawPrivateKey(this.privateKey)).toUpperCase();
  }

  unwrap(stanzas: readonly Stanza[]): Buffer | null {
    for (const s of stanzas) {
      if (s.type !== X25519_TYPE) continue;
      if (s.args.length !== 1) throw headerError('X25519 stanza must have exactly one argument');
      const share = decodeBase64NoPad(s.args[0] as string);
      if (share === null || share.length !== 32) throw headerError('X25519 stanza share is not 32 bytes of canonical base64');
      if (s.body.length !== WRAPPED_KEY_SIZE) throw headerError('X25519 stanza body has the wrong length');
      let shareKey: KeyObject;
      try {
        shareKey = publicKeyObject(share);
      } catch (err) {
        throw headerError('X25519 stanza share is not a valid public key', err);
      }
      const shared = x25519(this.privateKey, shareKey);
      if (shared === null) throw headerError('X25519 stanza share is a low-order point');
      const wrapKey = hkdf32(shared, Buffer.concat([share, this.recipient.publicKey]), X25519_INFO);
      const fileKey = openZeroNonce(wrapKey, s.body);
      if (fileKey !== null) return fileKey;
    }
    return null;
  }
}

/** Parses an `age1...` recipient string (the only recipient string type supported). */
export function parseRecipient(text: string): Recipient {
  return X25519Recipient.parse(text.trim());
}

/**
 * Parses an identity file: one `AGE-SECRET-KEY-1...` per line, `#` comments and blank lines
 * ignored, LF or CRLF. Errors name the line number, never its content.
 */
export function parseIdentityFile(text: string): X25519Identity[] {
  const identities: X25519Identity[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    try {
      identities.push(X25519Identity.parse(line));
    } catch (err) {
      const reason = err instanceof Error ? err.message : 'invalid';
      throw invalidInput(`identity file line ${i + 1}: ${reason}`);
    }
  }
  if (identities.length === 0) throw invalidInput('identity file contains no identities');
  return identities;
}

// ---------------------------------------------------------------------------------------------
// scrypt

const SCRYPT_TYPE = 'scrypt';
const SCRYPT_SALT_LABEL = 'age-encryption.org/v1/scrypt';
const SCRYPT_SALT_SIZE = 16;
export const DEFAULT_SCRYPT_WORK_FACTOR = 18;
export const DEFAULT_MAX_SCRYPT_WORK_FACTOR = 22;
const DECIMAL = /^[1-9][0-9]*$/;

function passphraseBytes(passphrase: string | Uint8Array): Buffer {
  const bytes = typeof passphrase === 'string' ? Buffer.from(passphrase, 'utf8') : Buffer.from(passphrase);
  if (bytes.length === 0) throw invalidInput('the passphrase must not be empty');
  return bytes;
}

function scryptKey(passphrase: Buffer, salt: Buffer, logN: number): Promise<Buffer> {
  const N = 2 ** logN;
  const fullSalt = Buffer.concat([Buffer.from(SCRYPT_SALT_LABEL, 'latin1'), salt]);
  return new Promise((resolve, reject) => {
    scryptCallback(passphrase, fullSalt, 32, { N, r: 8, p: 1, maxmem: 256 * N * 8 + (1 << 24) }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Wraps the file key under a passphrase. A scrypt stanza must be the file's only stanza. */
export class ScryptRecipient implements Recipient {
  private readonly passphrase: Buffer;
  readonly workFactor: number;

  constructor(passphrase: string | Uint8Array, options: { workFactor?: number } = {}) {
    this.passphrase = passphraseBytes(passphrase);
    const wf = options.workFactor ?? DEFAULT_SCRYPT_WORK_FACTOR;
    if (!Number.isInteger(wf) || wf < 1 || wf > 30) throw invalidInput('scrypt work factor must be an integer in 1..30');
    this.workFactor = wf;
  }

  async wrap(fileKey: Buffer): Promise<Stanza[]> {
    const salt = randomBytes(SCRYPT_SALT_SIZE);
    const key = await scryptKey(this.passphrase, salt, this.workFactor);
    return [{ type: SCRYPT_TYPE, args: [encodeBase64NoPad(salt), String(this.workFactor)], body: sealZeroNonce(key, fileKey) }];
  }
}

/** Unwraps a passphrase-encrypted file key, refusing work factors above `maxWorkFactor`. */
export class ScryptIdentity implements Identity {
  private readonly passphrase: Buffer;
  readonly maxWorkFactor: number;

  constructor(passphrase: string | Uint8Array, options: { maxWorkFactor?: number } = {}) {
    this.passphrase = passphraseBytes(passphrase);
    const max = options.maxWorkFactor ?? DEFAULT_MAX_SCRYPT_WORK_FACTOR;
    if (!Number.isInteger(max) || max < 1 || max > 30) throw invalidInput('maximum scrypt work factor must be an integer in 1..30');
    this.maxWorkFactor = max;
  }

  async unwrap(stanzas: readonly Stanza[]): Promise<Buffer | null> {
    const mine = stanzas.filter((s) => s.type === SCRYPT_TYPE);
    if (mine.length === 0) return null;
    if (stanzas.length !== 1) throw headerError('an scrypt stanza must be the only stanza in the header');
    const s = mine[0] as Stanza;
    if (s.args.length !== 2) throw headerError('scrypt stanza must have exactly two arguments');
    const salt = decodeBase64NoPad(s.args[0] as string);
    if (salt === null || salt.length !== SCRYPT_SALT_SIZE) throw headerError('scrypt salt is not 16 bytes of canonical base64');
    const wfText = s.args[1] as string;
    if (!DECIMAL.test(wfText)) throw headerError('scrypt work factor is not a canonical decimal number');
    const logN = wfText.length > 3 ? Infinity : Number(wfText);
    if (logN > this.maxWorkFactor) {
      throw headerError(`scrypt work factor ${wfText.length > 10 ? 'is too large' : `2^${wfText}`} exceeds the limit 2^${this.maxWorkFactor}`);
    }
    if (s.body.length !== WRAPPED_KEY_SIZE) throw headerError('scrypt stanza body has the wrong length');
    const key = await scryptKey(this.passphrase, salt, logN);
    return openZeroNonce(key, s.body);
  }
}
