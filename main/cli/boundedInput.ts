/**
 * Reads the contents behind a flag value (file://PATH, fileb://PATH, or `-` for standard input)
 * with a size bound, so an endless input (/dev/zero, `yes |`) is refused after at most
 * MAX_INPUT_BYTES + 1 bytes instead of filling memory. Paths must name a regular file or a pipe
 * (`fileb:///dev/stdin`, `<(...)`); devices, sockets and directories are refused before any read.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** The largest value read from a file or from standard input (1 MiB; KMS values are far smaller). */
export const MAX_INPUT_BYTES = 1024 * 1024;

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

function errnoOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

function describeOpenFailure(err: unknown): string {
  switch (errnoOf(err)) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'it is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENAMETOOLONG':
      return 'the name is too long';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'ELOOP':
      return 'too many symbolic links';
    default:
      return `cannot open it (${errnoOf(err) ?? 'unknown error'})`;
  }
}

/** Blocks this thread briefly (a non-blocking stdin answered EAGAIN). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Reads `fd` to its end, refusing more than `limit` bytes. `what` names the source in errors. */
export function readAllBounded(fd: number, what: string, limit = MAX_INPUT_BYTES): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.alloc(Math.min(64 * 1024, limit + 1 - total));
    let n: number;
    try {
      n = readSync(fd, chunk, 0, chunk.length, null);
    } catch (err) {
      if (errnoOf(err) === 'EAGAIN') {
        pause(5);
        continue;
      }
      if (errnoOf(err) === 'EOF') break; // Windows console
      throw new InputError(`cannot read ${what} (${errnoOf(err) ?? 'unknown error'})`);
    }
    if (n === 0) break;
    chunks.push(chunk.subarray(0, n));
    total += n;
    if (total > limit) throw new InputError(`${what} is larger than ${limit} bytes`);
  }
  return Buffer.concat(chunks, total);
}

/** The bytes of the regular file (or pipe) at `path`, at most `limit` of them. */
export function readInputFile(path: string, limit = MAX_INPUT_BYTES): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new InputError(`cannot read ${path}: ${describeOpenFailure(err)}`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new InputError(`cannot read ${path}: it is a directory`);
    if (!st.isFile() && !st.isFIFO()) throw new InputError(`cannot read ${path}: it is not a regular file (a device or socket)`);
    if (st.isFile() && st.size > limit) throw new InputError(`${path} is larger than ${limit} bytes`);
    return readAllBounded(fd, path, limit);
  } finally {
    closeSync(fd);
  }
}

/** Standard input to its end, at most `limit` bytes (the caller lets only one flag take it). */
export function readStandardInput(limit = MAX_INPUT_BYTES): Buffer {
  return readAllBounded(0, 'standard input', limit);
}
