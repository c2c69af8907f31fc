/**
 * One `keyvault` invocation: parse, open the vault (which runs the catch-up), call the service,
 * print one JSON document, close. Returns the exit code; never throws and never prints a stack
 * trace unless KEYVAULT_DEBUG=1.
 *
 * The vault modules are imported only once a command is about to run, so `--help` and usage
 * errors never load the store or the keychain.
 */
import { isKmsError, KMSInvalidStateException, toKmsError } from '../core/errors.js';
import type { CommandSpec } from './commandSpec.js';
import { COMMANDS } from './commandTable.js';
import { commandHelp, generalHelp, helpHint } from './helpText.js';
import { parseArguments, UsageError } from './parseArguments.js';
import type { ParsedFlags } from './commandSpec.js';
import { captureWarnings, withWarnings } from './warningCapture.js';

export const EXIT_OK = 0;
export const EXIT_USAGE = 252;
export const EXIT_FAILED = 254;

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
}

export async function runCli(argv: readonly string[], io: CliIo, commands: readonly CommandSpec[] = COMMANDS): Promise<number> {
  const warnings = captureWarnings();
  try {
    const invocation = parseArguments(argv, commands);
    if (invocation.kind === 'help') {
      await warnings.finish();
      io.stdout(invocation.command ? commandHelp(invocation.command) : generalHelp(commands));
      return EXIT_OK;
    }
    const result = await execute(invocation.command, invocation.flags, invocation.vaultDir, io.env);
    io.stdout(formatJson(withWarnings(result ?? {}, await warnings.finish())));
    return EXIT_OK;
  } catch (err) {
    return reportError(err, io, await warnings.finish());
  }
}

async function execute(command: CommandSpec, flags: ParsedFlags, vaultDir: string | undefined, env: NodeJS.ProcessEnv): Promise<unknown> {
  const { defaultVaultDirectory } = await import('../vault/vaultLocation.js');
  const dir = vaultDir ?? defaultVaultDirectory(env);
  if (command.needsExistingVault) await assertVaultEntry(dir);
  if (command.standalone) return command.standalone({ dir, flags, env });
  const { openVault } = await import('../vault/openVault.js');
  // A commit's revision floor goes to the keychain while the command goes on; the process waits for it before it ends.
  const service = await openVault({ dir, catchUp: command.catchUp ?? true, settleInBackground: true });
  try {
    return await command.run({ service, flags });
  } finally {
    await service.store.settled();
    service.close();
  }
}

/** Refuses a folder with no vault.json entry, without creating the folder (`recover` in the wrong place). */
async function assertVaultEntry(dir: string): Promise<void> {
  const { lstat } = await import('node:fs/promises');
  const { join, resolve } = await import('node:path');
  const entry = await lstat(join(dir, 'vault.json')).catch(() => null);
  if (entry === null) {
    throw new KMSInvalidStateException(`There is no vault in ${resolve(dir)}; nothing was created there.`);
  }
}

export function formatJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/** Prints the error as one line of JSON on stderr (with any warnings) and picks the exit code. */
export function reportError(err: unknown, io: CliIo, warnings: readonly string[] = []): number {
  if (err instanceof UsageError) {
    io.stderr(JSON.stringify(withWarnings({ __type: err.__type, message: err.message, hint: helpHint(err.command) }, warnings)) + '\n');
    return EXIT_USAGE;
  }
  const kms = isKmsError(err) ? err : toKmsError(err);
  io.stderr(JSON.stringify(withWarnings(kms.toJSON(), warnings)) + '\n');
  if (io.env.KEYVAULT_DEBUG === '1') {
    const original = err instanceof Error ? err : kms;
    io.stderr(`${original.stack ?? original.message}\n`);
  }
  return EXIT_FAILED;
}
