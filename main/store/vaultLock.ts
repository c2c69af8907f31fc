/**
 * One exclusive lock per vault directory, shared by the desktop app and any number of CLI
 * processes, that the operating system releases when its holder dies (even by SIGKILL).
 *
 * - Linux, macOS and other POSIX systems: flock(2) on `<vault>/.vault.lock`, a regular file
 *   inside the 0700 vault directory (posixFs.ts, a tiny N-API addon: Node has no flock). Only
 *   the vault's owner can reach the file, so no other local user can take or squat the lock (the
 *   abstract unix socket used before had a name anyone could bind first). The kernel drops the
 *   lock with the holder's last descriptor, so a killed holder never leaves it taken. The file is
 *   never deleted: removing a lock file while others wait on it is what breaks lock files.
 * - Windows: a named pipe `\\.\pipe\keyvault-lock-<sha256(dir)>` (only one server may bind it;
 *   the system frees it with the process).
 *
 * Within one process the lock is also an async mutex keyed by directory, so concurrent
 * transactions queue instead of failing on their own process's lock. The lock is not
 * re-entrant: acquiring it again while holding it waits for the timeout.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, existsSync, fstatSync, lstatSync, openSync, realpathSync, statSync } from 'node:fs';
import type { Server } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { DependencyTimeoutException, KMSInternalException, KMSInvalidStateException } from '../core/errors.js';
import { errnoCode } from './durableFiles.js';
import { loadPosixFs } from './posixFs.js';

export type VaultLockStrategy = 'flock' | 'named-pipe';

export interface VaultLockOptions {
  /** How long to wait for the lock. Default 10 s. */
  timeoutMs?: number;
  /** Override of the platform's mechanism. */
  strategy?: VaultLockStrategy;
}

export interface VaultLockHandle {
  readonly dir: string;
  /** Releases the lock. Safe to call more than once. */
  release(): Promise<void>;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
export const LOCK_FILE_NAME = '.vault.lock';
const MIN_BACKOFF_MS = 5;
const MAX_BACKOFF_MS = 100;

export function defaultLockStrategy(): VaultLockStrategy {
  return process.platform === 'win32' ? 'named-pipe' : 'flock';
}

function canonicalDir(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return resolve(dir);
  }
}

// ---- in-process mutex ----

const queues = new Map<string, Promise<void>>();

/**
 * Waits for this process's previous holder of `key`, then returns the function that lets the next
 * one in. On timeout the place in the queue is given up (the next waiter passes straight through
 * it) and null is returned.
 */
async function enterLocalQueue(key: string, deadline: number): Promise<(() => void) | null> {
  const previous = queues.get(key) ?? Promise.resolve();
  let leave!: () => void;
  const mine = new Promise<void>((r) => {
    leave = r;
  });
  const tail = previous.then(() => mine);
  queues.set(key, tail);
  const done = (): void => {
    leave();
    if (queues.get(key) === tail) queues.delete(key);
  };

  const remaining = deadline - Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((r) => {
    timer = setTimeout(() => r(true), Math.max(0, remaining));
  });
  const won = await Promise.race([previous.then(() => false), timedOut]);
  clearTimeout(timer);
  if (won) {
    done();
    return null;
  }
  return done;
}

// ---- cross-process mechanisms ----

/** One way of holding the lock across processes: try once, release. */
interface Attempt {
  /** True when taken. */
  tryTake(): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * Opens the lock file without following links and accepts only a regular file of ours: a file
 * planted by another user (possible only while the directory had looser modes) is refused by
 * name rather than waited on forever.
 */
function openLockFile(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o600);
  } catch (err) {
    if (errnoCode(err) === 'ELOOP')
      throw new KMSInvalidStateException(`The vault lock file ${path} is a symbolic link; Key Vault will not use it. Remove it and try again.`);
    if (errnoCode(err) === 'EACCES' && existsSync(path)) throw untrustedLockFile(path, `cannot be opened (it belongs to user id ${statSync(path).uid})`);
    throw err;
  }
  const st = fstatSync(fd);
  const uid = process.getuid?.();
  const problem = !st.isFile()
    ? 'is not a regular file'
    : uid !== undefined && st.uid !== uid
      ? `belongs to user id ${st.uid}, not to you (user id ${uid})`
      : null;
  if (problem !== null) {
    closeSync(fd);
    throw untrustedLockFile(path, problem);
  }
  return fd;
}

function untrustedLockFile(path: string, problem: string): KMSInvalidStateException {
  return new KMSInvalidStateException(
    `The vault lock file ${path} ${problem}: another user may have planted it to block the vault. Key Vault will not use it; remove it and check who can write to ${dirname(path)}.`,
  );
}

function flockAttempt(canonical: string): Attempt {
  const addon = loadPosixFs();
  const path = join(canonical, LOCK_FILE_NAME);
  let fd: number | null = null;
  return {
    async tryTake() {
      fd ??= openLockFile(path);
      if (!addon.lock(fd, true, true)) return false;
      // Held. The file is never removed by Key Vault; if something replaced it meanwhile, this
      // lock would exclude nobody, so let go and start over on the new file.
      const onDisk = lstatSync(path, { throwIfNoEntry: false });
      const held = fstatSync(fd);
      if (onDisk && onDisk.ino === held.ino && onDisk.dev === held.dev) return true;
      closeSync(fd);
      fd = null;
      return false;
    },
    async release() {
      if (fd === null) return;
      const held = fd;
      fd = null;
      closeSync(held); // closing the last descriptor drops the flock
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function listen(server: Server, address: string): Promise<'bound' | 'busy'> {
  return new Promise((resolvePromise, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      if (errnoCode(err) === 'EADDRINUSE') resolvePromise('busy');
      else reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolvePromise('bound');
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(address);
  });
}

function namedPipeAttempt(canonical: string): Attempt {
  const address = `\\\\.\\pipe\\keyvault-lock-${createHash('sha256').update(canonical).digest('hex')}`;
  let server: Server | null = null;
  return {
    async tryTake() {
      const { createServer } = await import('node:net'); // Windows only: not loaded elsewhere
      const candidate = createServer((socket) => socket.destroy());
      candidate.unref(); // holding the lock must not keep the process alive
      if ((await listen(candidate, address)) !== 'bound') return false;
      server = candidate;
      return true;
    },
    async release() {
      const held = server;
      server = null;
      if (held) await new Promise<void>((r) => held.close(() => r()));
    },
  };
}

function lockedMessage(dir: string, timeoutMs: number): string {
  return `The vault at ${dir} is locked by another process (waited ${timeoutMs} ms). Close other Key Vault windows or commands using it and try again.`;
}

/**
 * Acquires the exclusive lock of the vault in `dir`, waiting with a small jittered backoff.
 * Throws DependencyTimeoutException when it is still held by someone else after `timeoutMs`,
 * KMSInvalidStateException when the lock file is not one Key Vault can trust.
 */
export async function acquireVaultLock(dir: string, options: VaultLockOptions = {}): Promise<VaultLockHandle> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const strategy = options.strategy ?? defaultLockStrategy();
  const canonical = canonicalDir(dir);
  const deadline = Date.now() + timeoutMs;

  const leaveQueue = await enterLocalQueue(canonical, deadline);
  if (!leaveQueue) throw new DependencyTimeoutException(lockedMessage(dir, timeoutMs));

  let attempt: Attempt | null = null;
  try {
    attempt = strategy === 'flock' ? flockAttempt(canonical) : namedPipeAttempt(canonical);
    let backoff = MIN_BACKOFF_MS;
    while (!(await attempt.tryTake())) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new DependencyTimeoutException(lockedMessage(dir, timeoutMs));
      await sleep(Math.min(backoff * (0.5 + Math.random()), remaining));
      backoff = Math.min(backoff * 1.5, MAX_BACKOFF_MS);
    }
  } catch (err) {
    await attempt?.release().catch(() => undefined);
    leaveQueue();
    if (err instanceof DependencyTimeoutException || err instanceof KMSInvalidStateException || err instanceof KMSInternalException) throw err;
    throw new KMSInternalException(`Could not take the lock of the vault at ${dir}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }

  const held = attempt;
  let released: Promise<void> | null = null;
  return {
    dir: canonical,
    release(): Promise<void> {
      released ??= held.release().finally(leaveQueue);
      return released;
    },
  };
}

/** Runs `fn` while holding the vault lock, releasing it afterwards whatever happens. */
export async function withVaultLock<T>(dir: string, fn: () => Promise<T> | T, options: VaultLockOptions = {}): Promise<T> {
  const lock = await acquireVaultLock(dir, options);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
