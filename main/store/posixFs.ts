/**
 * The POSIX file calls node:fs lacks, from the native addon in native/posixfs (N-API, so one
 * build loads in Node and Electron): flock(2) for the vault lock (vaultLock.ts), and unnamed
 * O_TMPFILE outputs and buffer alignment for O_DIRECT for the file jobs (files/unnamedOutput.ts,
 * files/directIo.ts), syncfs(2) for batched header rewrites (files/rewrapBatch.ts). Built by
 * `npm ci` / `npm run build:native`; loaded lazily, so only what uses it needs it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getSystemErrorName } from 'node:util';
import { KMSInternalException } from '../core/errors.js';

export interface PosixFs {
  /** flock(2): true when taken; false when held elsewhere (only with `nonblocking`). */
  lock(fd: number, exclusive: boolean, nonblocking: boolean): boolean;
  unlock(fd: number): void;
  /** A new file with no name in `dir` (Linux O_TMPFILE); its descriptor. */
  openUnnamed(dir: string, mode: number): number;
  /** Names the unnamed file open as `fd` `path` (linkat); EEXIST when `path` exists. */
  linkUnnamed(fd: number, path: string): void;
  /** syncfs(2) on the thread pool: everything written to the filesystem of `fd` made durable (Linux; EOPNOTSUPP elsewhere). */
  syncfs(fd: number): Promise<void>;
  /** Bytes from the start of `view` to the first `align`-aligned address (absent in older builds). */
  alignOffset?(view: Uint8Array, align: number): number;
}

const ADDON_PATH = ['native', 'posixfs', 'build', 'Release', 'posixfs.node'];
const FUNCTIONS = ['lock', 'unlock', 'openUnnamed', 'linkUnnamed', 'syncfs'] as const;

let loaded: PosixFs | undefined;

function isPosixFs(value: unknown): value is PosixFs {
  if (typeof value !== 'object' || value === null) return false;
  return FUNCTIONS.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');
}

/** The addon throws errors carrying `errno`; give them the `code` node:fs errors have. */
function withCodes(raw: PosixFs): PosixFs {
  const withCode = (err: unknown): unknown => {
    const errno = (err as { errno?: unknown }).errno;
    if (err instanceof Error && typeof errno === 'number') Object.assign(err, { code: getSystemErrorName(-errno) });
    return err;
  };
  const wrap =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): R => {
      try {
        return fn(...args);
      } catch (err) {
        throw withCode(err);
      }
    };
  return {
    lock: wrap(raw.lock.bind(raw)),
    unlock: wrap(raw.unlock.bind(raw)),
    openUnnamed: wrap(raw.openUnnamed.bind(raw)),
    linkUnnamed: wrap(raw.linkUnnamed.bind(raw)),
    syncfs: (fd) =>
      wrap(raw.syncfs.bind(raw))(fd).catch((err: unknown) => {
        throw withCode(err);
      }),
    ...(typeof raw.alignOffset === 'function' ? { alignOffset: wrap(raw.alignOffset.bind(raw)) } : {}),
  };
}

/**
 * Loads the addon's build, looked for in the folders above `from` (this module in a checkout,
 * out/main or out/cli in a build, the app root inside the packaged asar, where it is unpacked).
 */
export function loadPosixFs(from?: string): PosixFs {
  if (from === undefined && loaded) return loaded;
  let dir = from ?? dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    const candidate = join(dir, ...ADDON_PATH);
    if (existsSync(candidate)) {
      const addon: unknown = createRequire(import.meta.url)(candidate);
      if (!isPosixFs(addon)) throw new KMSInternalException(`${candidate} is not the posixfs addon of Key Vault: run \`npm run build:native\`.`);
      const api = withCodes(addon);
      if (from === undefined) loaded = api;
      return api;
    }
    dir = dirname(dir);
  }
  throw new KMSInternalException(
    'Key Vault needs its native addon (native/posixfs, for the vault lock), which is not built: run `npm run build:native` (it needs a C compiler and node-gyp).',
  );
}
