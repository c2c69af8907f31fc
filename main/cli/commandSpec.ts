/**
 * The shape of a CLI command as data: its name, its flags (with the kind of value each takes and
 * whether it is required) and the handler that maps the parsed flags onto one vault service call.
 * Parsing, help text and the documentation check all read the same table (commandTable.ts).
 *
 * Only types from the vault are imported here, so loading the table costs nothing at start-up.
 */
import type { VaultService } from '../vault/vaultService.js';

/**
 * How a flag's value is read:
 * - `text`: any string; `file://PATH` reads the file as UTF-8 text.
 * - `switch`: takes no value; present means true.
 * - `boolean`: takes `true` or `false`.
 * - `integer`: a whole number written in decimal.
 * - `choice`: one of `choices`.
 * - `json`: a JSON document (inline or `file://PATH`).
 * - `blob`: base64 (inline or `file://PATH`), or raw bytes with `fileb://PATH` (sent base64-encoded).
 */
export type FlagKind = 'text' | 'switch' | 'boolean' | 'integer' | 'choice' | 'json' | 'blob';

export interface FlagSpec {
  /** Without the leading dashes, e.g. `key-id`. */
  name: string;
  kind: FlagKind;
  required?: boolean;
  /** Placeholder shown in help, e.g. `KEY`. */
  value?: string;
  choices?: readonly string[];
  help: string;
}

/** A parsed flag value: text/choice/blob → string, integer → number, switch/boolean → boolean, json → unknown. */
export type FlagValue = string | number | boolean | JsonValue;
export type JsonValue = null | string | number | boolean | JsonValue[] | { [key: string]: JsonValue };

/** Typed read access to the flags of one invocation (required flags are checked before handlers run). */
export class ParsedFlags {
  constructor(private readonly values: ReadonlyMap<string, FlagValue>) {}

  has(name: string): boolean {
    return this.values.has(name);
  }

  names(): string[] {
    return [...this.values.keys()];
  }

  text(name: string): string | undefined {
    const v = this.values.get(name);
    return typeof v === 'string' ? v : undefined;
  }

  /** For required text flags: the parser has already refused an invocation without them. */
  requiredText(name: string): string {
    const v = this.text(name);
    if (v === undefined) throw new Error(`internal: required flag --${name} has no value`);
    return v;
  }

  integer(name: string): number | undefined {
    const v = this.values.get(name);
    return typeof v === 'number' ? v : undefined;
  }

  boolean(name: string): boolean | undefined {
    const v = this.values.get(name);
    return typeof v === 'boolean' ? v : undefined;
  }

  /** A JSON flag's parsed value (its shape is checked by the service, which knows the rules). */
  json<T>(name: string): T | undefined {
    return this.values.has(name) ? (this.values.get(name) as T) : undefined;
  }
}

export interface CommandContext {
  service: VaultService;
  flags: ParsedFlags;
}

/** What a command that runs without opening the vault gets: the vault directory and its flags. */
export interface StandaloneContext {
  dir: string;
  flags: ParsedFlags;
  env: NodeJS.ProcessEnv;
}

export interface CommandSpec {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The service operation it calls (shown in help). */
  operation: string;
  flags: readonly FlagSpec[];
  /**
   * Whether opening the vault runs the catch-up first (default true). `run-maintenance` turns it
   * off so that it performs, and reports, the catch-up itself.
   */
  catchUp?: boolean;
  run(ctx: CommandContext): Promise<unknown>;
  /**
   * For commands that must work when the vault cannot be opened normally (no keychain entry, no
   * vault yet, a damaged document): called INSTEAD of opening the vault, so they never go through
   * its create path or catch-up. `run` is not called for them.
   */
  standalone?(ctx: StandaloneContext): Promise<unknown>;
  /** A standalone command that works on an existing vault only: refused before the folder is touched. */
  needsExistingVault?: boolean;
}
