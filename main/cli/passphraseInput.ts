/**
 * Passphrases for the recovery and backup commands come from a prompt on the terminal (nothing is
 * echoed) or, for scripts, from `--passphrase-file PATH`. Never from a command-line argument, which
 * other users of the machine can read in the process list and which lands in shell history.
 */
import { readFileSync } from 'node:fs';
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
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    throw new ValidationException(`There is no terminal to ask for the ${req.what} on: give it with --passphrase-file PATH.`);
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

function readPassphraseFile(path: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ValidationException(`The ${what} file ${path} cannot be read: ${err instanceof Error ? err.message : String(err)}`);
  }
  // The first line, without its line ending (editors add one).
  const line = text.split(/\r?\n/, 1)[0] ?? '';
  if (line.length === 0) throw new ValidationException(`The ${what} file ${path} is empty.`);
  return line;
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
        this.pending += ch;
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
