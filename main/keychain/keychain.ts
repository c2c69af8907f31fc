/**
 * The root secret lives in the OS keychain (Keychain on macOS, Credential Manager on Windows,
 * the Secret Service on Linux) behind this tiny interface.
 *
 * The keytar-backed implementation loads the native module lazily, so importing this file never
 * fails (a machine without libsecret can still run `keyvault --help`). Every call is bounded by a
 * timeout, and every failure of the keychain itself (no Secret Service, a locked or dismissed
 * keyring, a missing native library) is reported as DependencyTimeoutException carrying the
 * underlying reason. Secrets are stored base64-encoded, since keychains store text.
 */
import { createRequire } from 'node:module';
import { DependencyTimeoutException, KMSInternalException } from '../core/errors.js';

export interface Keychain {
  /** The secret stored for `account`, or null when there is none. */
  getSecret(account: string): Promise<Buffer | null>;
  /** Stores (or replaces) the secret for `account`. */
  setSecret(account: string, secret: Buffer): Promise<void>;
  /** Removes the secret for `account`; false when there was none. */
  deleteSecret(account: string): Promise<boolean>;
}

export interface KeytarKeychainOptions {
  /** Service name the entries are filed under. Default "Key Vault". */
  service?: string;
  /** Upper bound for each keychain call. Default 5000 ms. */
  timeoutMs?: number;
}

export const DEFAULT_KEYCHAIN_SERVICE = 'Key Vault';
export const DEFAULT_KEYCHAIN_TIMEOUT_MS = 5000;

/** The keychain account under which a vault's root secret is stored. */
export function keychainAccountForVault(vaultId: string): string {
  return `vault-${vaultId}`;
}

/** The part of keytar this module uses. */
interface KeytarModule {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

let keytarModule: KeytarModule | null = null;

function loadKeytar(): KeytarModule {
  if (keytarModule === null) {
    try {
      keytarModule = createRequire(import.meta.url)('keytar') as KeytarModule;
    } catch (err) {
      throw new DependencyTimeoutException(
        `The OS keychain is not available: its native module could not be loaded (${err instanceof Error ? err.message : String(err)}).`,
        { cause: err },
      );
    }
  }
  return keytarModule;
}

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? `${s}s` : `${s.toFixed(1)}s`;
}

let timedOutCalls = 0;

/** How many keychain calls were abandoned unanswered: each still holds a thread (the CLI's exit must release it). */
export function keychainCallsTimedOut(): number {
  return timedOutCalls;
}

/** Runs one keychain call, bounding it by `timeoutMs` and typing its failures. */
async function bounded<T>(what: string, timeoutMs: number, call: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOutCalls += 1;
      reject(new DependencyTimeoutException(`The OS keychain did not answer within ${formatSeconds(timeoutMs)} (${what}).`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([
      (async () => {
        try {
          return await call();
        } catch (err) {
          if (err instanceof DependencyTimeoutException) throw err;
          const reason = err instanceof Error ? err.message : String(err);
          throw new DependencyTimeoutException(`The OS keychain could not ${what}: ${reason}`, { cause: err });
        }
      })(),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A Keychain over keytar. */
export function createKeytarKeychain(options: KeytarKeychainOptions = {}): Keychain {
  const service = options.service ?? DEFAULT_KEYCHAIN_SERVICE;
  const timeoutMs = options.timeoutMs ?? DEFAULT_KEYCHAIN_TIMEOUT_MS;
  return {
    async getSecret(account) {
      const stored = await bounded('read a secret', timeoutMs, () => loadKeytar().getPassword(service, account));
      if (stored === null) return null;
      if (!BASE64_RE.test(stored)) {
        throw new KMSInternalException(`The OS keychain entry "${account}" of "${service}" is not a Key Vault secret (not base64).`);
      }
      return Buffer.from(stored, 'base64');
    },
    async setSecret(account, secret) {
      await bounded('store a secret', timeoutMs, () => loadKeytar().setPassword(service, account, secret.toString('base64')));
    },
    async deleteSecret(account) {
      return bounded('delete a secret', timeoutMs, () => loadKeytar().deletePassword(service, account));
    },
  };
}

/** The keychain account under which a vault's AWS-compatible API credentials are stored. */
export function keychainAccountForApiCredentials(vaultId: string): string {
  return `api-${vaultId}`;
}
