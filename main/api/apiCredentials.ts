/**
 * The API's credentials: one access key id and secret per vault, kept in the OS keychain under
 * `api-<vault-id>` (never in vault.json, never on disk in plain text). Created on first use.
 *
 * A running server caches the pair and checks, on every request, a small generation file in the
 * vault directory (a random token, no secret). Rotation writes the new pair to the keychain first,
 * then a new token, so the server drops the old pair as soon as the rotation command returns.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KMSInternalException } from '../core/errors.js';
import type { Keychain } from '../keychain/keychain.js';
import { keychainAccountForApiCredentials } from '../keychain/keychain.js';

export interface ApiCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
}

export const CREDENTIALS_GENERATION_FILE = 'api-credentials.generation';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** `AKKV` and 16 base32 characters: the shape of an AWS access key id, recognisably ours. */
function newAccessKeyId(): string {
  const bytes = randomBytes(16);
  let id = 'AKKV';
  for (let i = 0; i < 16; i++) id += BASE32[bytes[i]! & 31];
  return id;
}

function newPair(): ApiCredentials {
  return { AccessKeyId: newAccessKeyId(), SecretAccessKey: randomBytes(30).toString('base64') };
}

function parsePair(raw: Buffer): ApiCredentials {
  try {
    const v = JSON.parse(raw.toString('utf8')) as Partial<ApiCredentials>;
    if (typeof v.AccessKeyId === 'string' && typeof v.SecretAccessKey === 'string') return { AccessKeyId: v.AccessKeyId, SecretAccessKey: v.SecretAccessKey };
  } catch {
    // reported below
  }
  throw new KMSInternalException('The API credentials in the OS keychain are not readable; run `keyvault rotate-api-credentials`.');
}

export class ApiCredentialStore {
  private readonly account: string;
  private readonly generationFile: string;

  constructor(
    private readonly keychain: Keychain,
    vaultId: string,
    vaultDir: string,
  ) {
    this.account = keychainAccountForApiCredentials(vaultId);
    this.generationFile = join(vaultDir, CREDENTIALS_GENERATION_FILE);
  }

  /** The current pair, or null when none was ever created. */
  async read(): Promise<ApiCredentials | null> {
    const raw = await this.keychain.getSecret(this.account);
    if (!raw) return null;
    try {
      return parsePair(raw);
    } finally {
      raw.fill(0);
    }
  }

  /** The current pair, created (and stored) on first use. */
  async getOrCreate(): Promise<ApiCredentials> {
    return (await this.read()) ?? this.rotate();
  }

  /** Replaces the pair; the old one stops working at once, in running servers too. */
  async rotate(): Promise<ApiCredentials> {
    const pair = newPair();
    await this.keychain.setSecret(this.account, Buffer.from(JSON.stringify(pair), 'utf8'));
    this.bumpGeneration();
    return pair;
  }

  /** The token that changes with every rotation ('' before the first). */
  generation(): string {
    try {
      return readFileSync(this.generationFile, 'utf8');
    } catch {
      return '';
    }
  }

  private bumpGeneration(): void {
    const tmp = `${this.generationFile}.${process.pid}.tmp`;
    writeFileSync(tmp, randomBytes(12).toString('hex'), { mode: 0o600 });
    renameSync(tmp, this.generationFile);
  }
}

/** What the server uses per request: the pair, re-read from the keychain whenever the generation moved. */
export class CredentialCache {
  private cached: { generation: string; pair: ApiCredentials | null } | undefined;
  private loading: Promise<ApiCredentials | null> | undefined;

  constructor(private readonly store: ApiCredentialStore) {}

  async current(): Promise<ApiCredentials | null> {
    const generation = this.store.generation();
    if (this.cached && this.cached.generation === generation) return this.cached.pair;
    this.loading ??= (async () => {
      try {
        const pair = await this.store.read();
        this.cached = { generation, pair };
        return pair;
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }
}
