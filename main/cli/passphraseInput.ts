/**
 * Passphrases for the recovery and backup commands come from a prompt on the terminal (nothing is
 * echoed) or, for scripts, from `--passphrase-file PATH`. Never from a command-line argument, which
 * other users of the machine can read in the process list and which lands in shell history.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { checkPassphraseLength, MAX_PASSPHRASE_CHARACTERS } from '../core/passphrasePolicy.js';
import { CancelledException, ValidationException } from '../core/errors.js';
import type { FlagSpec, ParsedFlags } from './commandSpec.js';

export const passphraseFileFlag = (what: string): FlagSpec => ({
  name: 'passphrase-file',
  kind: 'text',
  value: 'PATH',
  help: `Read the ${what} from this file (its first line) instead of asking on the terminal.`,
});

export interface PassphraseRequest {
  /** What it is, for the prompt: "recovery passphrase", "backup passphrase". */
  what: string;
  /** Ask twice and compare (when a new passphrase is being chosen). */
  confirm: boolean;
}

/** The passphrase from --passphrase-file, else from a prompt on the terminal. */
export async function readPassphrase(flags: ParsedFlags, req: PassphraseRequest): Promise<string> {
  const file = flags.text('passphrase-file');
  if (file !== undefined) return readPassphraseFile(file, req.what);
  return checkPassphraseLength(await askHidden(req, 'passphrase-file'), req.what);
}

export const recoveryKeyFileFlag: FlagSpec = {
  name: 'recovery-key-file',
  kind: 'text',
  value: 'PATH',
  help: 'Recover with the printed recovery key, read from this file (case, spaces, dashes and line breaks do not matter).',
};

/** The recovery key from --recovery-key-file, else typed (not echoed) on the terminal. */
export async function readRecoveryKey(flags: ParsedFlags): Promise<string> {
  const file = flags.text('recovery-key-file');
  if (file === undefined) return askHidden({ what: 'recovery key', confirm: false }, 'recovery-key-file');
  const bytes = readSecretFileBytes(file, 'recovery key');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).trim();
  } catch {
    throw new ValidationException(`The recovery key file ${file} is not UTF-8 text.`);
  } finally {
    bytes.fill(0);
  }
}

/** Asks on the terminal with nothing echoed (twice when `confirm`). */
async function askHidden(req: PassphraseRequest, fileFlag: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    throw new ValidationException(`There is no terminal to ask for the ${req.what} on: give it with --${fileFlag} PATH.`);
  }
  // Raw mode (no echo) is on before the first prompt appears and stays on until the last answer:
  // nothing typed early or pasted at once is ever echoed.
  const reader = new HiddenLineReader(stdin);
  try {
    const first = await reader.prompt(`Enter the ${req.what}: `);
    if (!req.confirm) return first;
    const second = await reader.prompt(`Enter the ${req.what} again: `);
    if (first !== second) throw new ValidationException(`The two ${req.what}s typed differ; nothing was changed.`);
    return first;
  } finally {
    reader.close();
  }
}

/** Passphrase, recovery-key and identity files larger than this are refused unread. */
export const MAX_SECRET_FILE_BYTES = 64 * 1024;

/**
 * Reads a small secret file as bytes, bounded: a non-regular file (a device such as /dev/zero, a
 * FIFO, a directory) is refused before any byte is read, and so is one over MAX_SECRET_FILE_BYTES.
 * Opened non-blocking so that a FIFO without a writer cannot hang the open itself.
 */
export function readSecretFileBytes(path: string, what: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    throw new ValidationException(`The ${what} file ${path} cannot be read (${errorCode(err)}).`);
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw new ValidationException(`The ${what} file ${path} is not a regular file.`);
    if (info.size > MAX_SECRET_FILE_BYTES) {
      throw new ValidationException(`The ${what} file ${path} is larger than ${MAX_SECRET_FILE_BYTES} bytes, too large to hold a ${what}.`);
    }
    // One byte more than the bound: a file that grew since fstat is still caught.
    const buffer = Buffer.alloc(MAX_SECRET_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > MAX_SECRET_FILE_BYTES) throw new ValidationException(`The ${what} file ${path} is larger than ${MAX_SECRET_FILE_BYTES} bytes.`);
    }
    return buffer.subarray(0, length);
  } catch (err) {
    if (err instanceof ValidationException) throw err;
    throw new ValidationException(`The ${what} file ${path} cannot be read (${errorCode(err)}).`);
  } finally {
    closeSync(fd);
  }
}

/**
 * The first line of a passphrase file, without its line ending (editors add one). The bytes must be
 * valid UTF-8: a lossy decode would turn different binary files into the same passphrase.
 */
export function readPassphraseFile(path: string, what: string): string {
  const bytes = readSecretFileBytes(path, what);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new ValidationException(`The ${what} file ${path} is not UTF-8 text; a passphrase file must hold text.`);
  } finally {
    bytes.fill(0);
  }
  const line = text.split(/\r?\n/, 1)[0] ?? '';
  if (line.length === 0) throw new ValidationException(`The ${what} file ${path} is empty.`);
  return checkPassphraseLength(line, what);
}

function errorCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : 'unreadable';
}

/** Lines typed on the terminal in raw mode, echoing nothing. */
class HiddenLineReader {
  private pending = '';
  private waiting: { resolve: (line: string) => void; reject: (err: Error) => void } | null = null;
  private failure: Error | null = null;
  private readonly lines: string[] = [];
  private readonly onData = (chunk: string): void => this.take(chunk);

  constructor(private readonly stdin: NodeJS.ReadStream) {
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    stdin.on('data', this.onData);
    stdin.resume();
  }

  prompt(text: string): Promise<string> {
    process.stderr.write(text);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.deliver();
    });
  }

  close(): void {
    this.stdin.off('data', this.onData);
    this.stdin.setRawMode(false);
    this.stdin.pause();
  }

  private take(chunk: string): void {
    for (const ch of chunk) {
      if (ch === '\r' || ch === '\n') {
        this.lines.push(this.pending);
        this.pending = '';
      } else if (ch === '\u0003') {
        this.failure = new CancelledException('Cancelled at the passphrase prompt.');
      } else if (ch === '\u0004' && this.pending.length === 0) {
        this.failure = new CancelledException('No passphrase was typed.');
      } else if (ch === '\u007f' || ch === '\b') {
        this.pending = [...this.pending].slice(0, -1).join('');
      } else if (ch >= ' ') {
        // Bounded like every passphrase: a runaway paste is refused, not held.
        if (this.pending.length > MAX_PASSPHRASE_CHARACTERS * 2) {
          this.failure = new ValidationException(`What was typed is longer than ${MAX_PASSPHRASE_CHARACTERS} characters.`);
        } else {
          this.pending += ch;
        }
      }
    }
    this.deliver();
  }

  private deliver(): void {
    const waiting = this.waiting;
    if (!waiting) return;
    if (this.failure) {
      this.waiting = null;
      process.stderr.write('\n');
      waiting.reject(this.failure);
    } else if (this.lines.length > 0) {
      this.waiting = null;
      process.stderr.write('\n');
      waiting.resolve(this.lines.shift()!);
    }
  }
}
