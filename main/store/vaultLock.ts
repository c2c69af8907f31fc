/**
 * One exclusive lock per vault directory, shared by the desktop app and any number of CLI
 * processes, that the operating system releases when its holder dies (even by SIGKILL).
 *
 * The lock is a listening local socket whose name is derived from the vault directory:
 * - Linux: an abstract-namespace unix socket (`\0keyvault-lock-<sha256(realpath)>`). Binding
 *   fails with EADDRINUSE while another process holds it; the kernel frees the name when the
 *   holder's socket closes, which includes the process dying. Nothing touches the file system.
 * - Windows: a named pipe `\\.\pipe\keyvault-lock-<hash>`, with the same semantics.
 * - Elsewhere (macOS): a socket file in the vault directory. A dead holder leaves the file
 *   behind, so a busy name is probed by connecting: "connection refused" means nobody listens,
 *   and the stale file is removed and the bind retried. Binding, probing and removal all happen
 *   under a short-lived `mkdir` guard (held for milliseconds, never while the lock is held), so
 *   no process can remove a socket another has just bound. A guard left by a process that died
 *   in those milliseconds is considered stale after 5 s.
 *
 * Within one process the lock is also an async mutex keyed by directory, so concurrent
 * transactions queue instead of failing on their own process's socket. The lock is not
 * re-entrant: acquiring it again while holding it waits for the timeout.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, realpathSync, rmdirSync, statSync, unlinkSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import type { Server } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DependencyTimeoutException, KMSInternalException } from '../core/errors.js';
import { errnoCode } from './durableFiles.js';

export type VaultLockStrategy = 'abstract-socket' | 'named-pipe' | 'socket-file';

export interface VaultLockOptions {
  /** How long to wait for the lock. Default 10 s. */
  timeoutMs?: number;
  /** Override of the platform's mechanism (for tests of the portable fallback). */
  strategy?: VaultLockStrategy;
}

export interface VaultLockHandle {
  readonly dir: string;
  /** Releases the lock. Safe to call more than once. */
  release(): Promise<void>;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
export const LOCK_SOCKET_FILE_NAME = '.vault.lock.sock';
const MIN_BACKOFF_MS = 5;
const MAX_BACKOFF_MS = 100;
/** A bind guard older than this was left by a process that died while binding. */
const STALE_GUARD_MS = 5_000;
/** Unix socket paths longer than this do not fit sockaddr_un on macOS. */
const MAX_SOCKET_PATH = 100;

export function defaultLockStrategy(): VaultLockStrategy {
  if (process.platform === 'linux') return 'abstract-socket';
  if (process.platform === 'win32') return 'named-pipe';
  return 'socket-file';
}

function canonicalDir(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return resolve(dir);
  }
}

function lockName(canonical: string): string {
  return `keyvault-lock-${createHash('sha256').update(canonical).digest('hex')}`;
}

function socketFilePath(canonical: string): string {
  const inDir = join(canonical, LOCK_SOCKET_FILE_NAME);
  if (Buffer.byteLength(inDir) <= MAX_SOCKET_PATH) return inDir;
  // Too long for a socket path: fall back to the per-user temp directory.
  const tmp = process.env.TMPDIR ?? '/tmp';
  return join(tmp, `${lockName(canonical).slice(0, 40)}.sock`);
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

// ---- cross-process socket ----

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

/** For the socket-file strategy: is anybody listening on `path`? */
function someoneListens(path: string): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolvePromise(true);
    });
    socket.once('error', (err) => {
      socket.destroy();
      const code = errnoCode(err);
      // Refused or gone: a leftover file with no listener. Anything else: assume it is held.
      resolvePromise(!(code === 'ECONNREFUSED' || code === 'ENOENT'));
    });
  });
}

function takeGuard(guard: string): boolean {
  try {
    mkdirSync(guard);
    return true;
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') return false;
    try {
      if (Date.now() - statSync(guard).mtimeMs > STALE_GUARD_MS) rmdirSync(guard);
    } catch {
      // someone else removed it
    }
    return false;
  }
}

function newServer(): Server {
  const server = createServer((socket) => socket.destroy());
  server.unref(); // holding the lock must not keep the process alive
  return server;
}

/** One attempt to bind the lock address; returns the listening server, or null when it is held. */
async function tryBind(address: string, strategy: VaultLockStrategy): Promise<Server | null> {
  if (strategy !== 'socket-file') {
    const server = newServer();
    return (await listen(server, address)) === 'bound' ? server : null;
  }
  // Socket file: binding, probing a leftover file and removing it happen under a short mkdir
  // guard, so nobody can remove a socket another process has just bound.
  const guard = `${address}.guard`;
  if (!takeGuard(guard)) return null;
  try {
    const server = newServer();
    if ((await listen(server, address)) === 'bound') return server;
    // The file exists. If nobody listens on it, its holder died: remove it and bind again.
    if (await someoneListens(address)) return null;
    try {
      unlinkSync(address);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
    const retry = newServer();
    return (await listen(retry, address)) === 'bound' ? retry : null;
  } finally {
    try {
      rmdirSync(guard);
    } catch {
      // already gone
    }
  }
}

function addressFor(canonical: string, strategy: VaultLockStrategy): string {
  switch (strategy) {
    case 'abstract-socket':
      return `\0${lockName(canonical)}`;
    case 'named-pipe':
      return `\\\\.\\pipe\\${lockName(canonical)}`;
    case 'socket-file':
      return socketFilePath(canonical);
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((r) => server.close(() => r()));
}

function lockedMessage(dir: string, timeoutMs: number): string {
  return `The vault at ${dir} is locked by another process (waited ${timeoutMs} ms). Close other Key Vault windows or commands using it and try again.`;
}

/**
 * Acquires the exclusive lock of the vault in `dir`, waiting with a small jittered backoff.
 * Throws DependencyTimeoutException when it is still held by someone else after `timeoutMs`.
 */
export async function acquireVaultLock(dir: string, options: VaultLockOptions = {}): Promise<VaultLockHandle> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const strategy = options.strategy ?? defaultLockStrategy();
  const canonical = canonicalDir(dir);
  const deadline = Date.now() + timeoutMs;

  const leaveQueue = await enterLocalQueue(canonical, deadline);
  if (!leaveQueue) throw new DependencyTimeoutException(lockedMessage(dir, timeoutMs));

  const address = addressFor(canonical, strategy);
  let server: Server | null = null;
  try {
    let backoff = MIN_BACKOFF_MS;
    for (;;) {
      server = await tryBind(address, strategy);
      if (server) break;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new DependencyTimeoutException(lockedMessage(dir, timeoutMs));
      const jittered = backoff * (0.5 + Math.random());
      await sleep(Math.min(jittered, remaining));
      backoff = Math.min(backoff * 1.5, MAX_BACKOFF_MS);
    }
  } catch (err) {
    leaveQueue();
    if (err instanceof DependencyTimeoutException) throw err;
    throw new KMSInternalException(`Could not take the lock of the vault at ${dir}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }

  const held = server;
  let released: Promise<void> | null = null;
  return {
    dir: canonical,
    release(): Promise<void> {
      released ??= closeServer(held).finally(leaveQueue);
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
