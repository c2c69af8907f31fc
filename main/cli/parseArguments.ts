/**
 * Turns argv into an invocation: `[--vault-dir DIR] <command> [--flag value | --flag=value ...]`.
 * Anything the user typed wrong (unknown command or flag, missing value or required flag, a value
 * of the wrong syntax, an unreadable or oversized file://) is a UsageError (exit 252). Messages name
 * flags and positions, never the values typed (they may be secrets). Whether a well-formed value
 * makes sense (an interval of 3d, a plaintext of 5000 bytes) is for the service to say.
 */
import { homedir } from 'node:os';
import { InputError, readInputFile, readStandardInput } from './boundedInput.js';
import { jsonErrorPosition } from './jsonErrorPosition.js';
import type { CommandSpec, FlagSpec, FlagValue, JsonValue } from './commandSpec.js';
import { ParsedFlags } from './commandSpec.js';

export class UsageError extends Error {
  readonly __type = 'UsageError';
  /** The command the error is about, for the help hint. */
  readonly command: string | undefined;
  constructor(message: string, command?: string) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

export type Invocation = { kind: 'help'; command?: CommandSpec } | { kind: 'run'; command: CommandSpec; flags: ParsedFlags; vaultDir: string | undefined };

const GLOBAL_VAULT_DIR = 'vault-dir';

function isHelpToken(token: string): boolean {
  return token === '--help' || token === '-h';
}

/** Splits `--name=value` / `--name`; undefined for a token that is not a long flag. */
function splitFlag(token: string): { name: string; inline: string | undefined } | undefined {
  if (!token.startsWith('--') || token.length === 2) return undefined;
  const eq = token.indexOf('=');
  if (eq === -1) return { name: token.slice(2), inline: undefined };
  return { name: token.slice(2, eq), inline: token.slice(eq + 1) };
}

export function parseArguments(argv: readonly string[], commands: readonly CommandSpec[]): Invocation {
  let vaultDir: string | undefined;
  let help = false;
  let i = 0;

  const takeVaultDir = (inline: string | undefined, command?: string): void => {
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError('--vault-dir needs a directory.', command);
      value = next;
      i += 1;
    }
    if (value.length === 0) throw new UsageError('--vault-dir needs a directory.', command);
    if (vaultDir !== undefined) throw new UsageError('--vault-dir is given more than once.', command);
    vaultDir = value;
  };

  // Global options before the command.
  for (; i < argv.length; i++) {
    const token = argv[i]!;
    if (isHelpToken(token)) {
      help = true;
      continue;
    }
    const flag = splitFlag(token);
    if (!flag) break;
    if (flag.name !== GLOBAL_VAULT_DIR) throw new UsageError(`Unknown option --${flag.name} before the command (only --vault-dir and --help go there).`);
    takeVaultDir(flag.inline);
  }

  const name = argv[i];
  if (name === undefined) {
    if (help) return { kind: 'help' };
    throw new UsageError('No command given.');
  }
  i += 1;

  if (name === 'help') {
    const topic = argv[i];
    if (topic === undefined) return { kind: 'help' };
    if (argv.length > i + 1) throw new UsageError('help takes at most one command name.');
    return { kind: 'help', command: lookup(topic, commands) };
  }

  const command = lookup(name, commands);
  // Help wins over everything else on the line, even flags that would not parse.
  if (help || argv.slice(i).some(isHelpToken)) return { kind: 'help', command };
  const raw = new Map<string, string | true>();
  for (; i < argv.length; i++) {
    const token = argv[i]!;
    const flag = splitFlag(token);
    if (!flag) throw new UsageError(`Unexpected argument at position ${i + 1}: ${command.name} takes only --flags.`, command.name);
    if (flag.name === GLOBAL_VAULT_DIR) {
      takeVaultDir(flag.inline, command.name);
      continue;
    }
    const spec = command.flags.find((f) => f.name === flag.name);
    if (!spec) throw new UsageError(`Unknown flag --${flag.name} for ${command.name}.`, command.name);
    if (raw.has(spec.name)) throw new UsageError(`--${spec.name} is given more than once.`, command.name);
    if (spec.kind === 'switch') {
      if (flag.inline !== undefined) throw new UsageError(`--${spec.name} takes no value.`, command.name);
      raw.set(spec.name, true);
      continue;
    }
    let value = flag.inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`--${spec.name} needs a value (${spec.value ?? 'VALUE'}).`, command.name);
      value = next;
      i += 1;
    }
    raw.set(spec.name, value);
  }

  const missing = command.flags.filter((f) => f.required && !raw.has(f.name)).map((f) => `--${f.name}`);
  if (missing.length > 0) {
    throw new UsageError(`${command.name} needs ${missing.join(', ')}.`, command.name);
  }

  const fromStdin = command.flags.filter((f) => f.kind === 'blob' && raw.get(f.name) === STDIN);
  if (fromStdin.length > 1) {
    throw new UsageError(`Only one flag can read standard input (-): ${fromStdin.map((f) => `--${f.name}`).join(', ')}.`, command.name);
  }
  const values = new Map<string, FlagValue>();
  for (const spec of command.flags) {
    const v = raw.get(spec.name);
    if (v === undefined) continue;
    values.set(spec.name, v === true ? true : convertValue(spec, v, command.name));
  }
  return { kind: 'run', command, flags: new ParsedFlags(values), vaultDir };
}

function lookup(name: string, commands: readonly CommandSpec[]): CommandSpec {
  const command = commands.find((c) => c.name === name);
  if (command) return command;
  const near = closest(
    name,
    commands.map((c) => c.name),
  );
  throw new UsageError(`Unknown command "${name}".${near ? ` Did you mean ${near}?` : ''}`);
}

/** Reads one flag value according to its kind. */
export function convertValue(spec: FlagSpec, value: string, command?: string): FlagValue {
  const flag = `--${spec.name}`;
  switch (spec.kind) {
    case 'switch':
      throw new UsageError(`${flag} takes no value.`, command);
    case 'text':
      return readText(flag, value, command);
    case 'boolean': {
      const v = value.toLowerCase();
      if (v === 'true') return true;
      if (v === 'false') return false;
      throw new UsageError(`${flag} takes true or false.`, command);
    }
    case 'integer': {
      if (!/^[+-]?[0-9]{1,15}$/.test(value)) throw new UsageError(`${flag} takes a whole number.`, command);
      return Number(value);
    }
    case 'choice': {
      const choices = spec.choices ?? [];
      if (!choices.includes(value)) throw new UsageError(`${flag} takes one of ${choices.join(', ')}.`, command);
      return value;
    }
    case 'json': {
      const text = readText(flag, value, command);
      try {
        return JSON.parse(text) as JsonValue;
      } catch {
        // V8's message can quote the input; name only where it goes wrong.
        const at = jsonErrorPosition(text);
        throw new UsageError(`${flag} is not valid JSON${at === undefined ? '' : ` (at character ${at + 1})`}.`, command);
      }
    }
    case 'blob': {
      if (value === STDIN) return readStdin(flag, command).toString('base64');
      if (value.startsWith('fileb://')) return readFile(flag, value.slice('fileb://'.length), command).toString('base64');
      if (value.startsWith('file://')) return readText(flag, value, command).trim();
      return value;
    }
  }
}

/** A text value, or the UTF-8 contents of file://PATH. */
function readText(flag: string, value: string, command: string | undefined): string {
  if (value.startsWith('fileb://')) throw new UsageError(`${flag} takes text: use file://PATH, not fileb://.`, command);
  if (!value.startsWith('file://')) return value;
  return readFile(flag, value.slice('file://'.length), command).toString('utf8');
}

function readFile(flag: string, path: string, command: string | undefined): Buffer {
  if (path.length === 0) throw new UsageError(`${flag}: the file path after file:// or fileb:// is empty.`, command);
  const resolved = path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path;
  try {
    return readInputFile(resolved);
  } catch (err) {
    if (err instanceof InputError) throw new UsageError(`${flag}: ${err.message}.`, command);
    throw err;
  }
}

/** `-`: the value is the raw bytes on standard input (kept out of argv, where others can see it). */
const STDIN = '-';

function readStdin(flag: string, command: string | undefined): Buffer {
  try {
    return readStandardInput();
  } catch (err) {
    if (err instanceof InputError) throw new UsageError(`${flag}: ${err.message}.`, command);
    throw err;
  }
}

/** The nearest name by edit distance, if it is close enough to be a likely typo. */
function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}
