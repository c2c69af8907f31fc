/** Help text, written from the command table so it can never disagree with the parser. */
import type { CommandSpec, FlagSpec } from './commandSpec.js';

const PROGRAM = 'keyvault';

function flagUsage(flag: FlagSpec): string {
  const value = flag.kind === 'switch' ? '' : ` ${flag.value ?? (flag.choices ? flag.choices.join('|') : 'VALUE')}`;
  const text = `--${flag.name}${value}`;
  return flag.required ? text : `[${text}]`;
}

export function commandUsage(command: CommandSpec): string {
  return [PROGRAM, '[--vault-dir DIR]', command.name, ...command.flags.map(flagUsage)].join(' ');
}

export function commandHelp(command: CommandSpec): string {
  const lines = [`${command.name}: ${command.summary}`, `Calls ${command.operation}.`, '', `Usage: ${commandUsage(command)}`];
  if (command.flags.length > 0) {
    lines.push('', 'Flags:');
    const width = Math.max(...command.flags.map((f) => f.name.length)) + 2;
    for (const f of command.flags) {
      const choices = f.choices ? ` One of: ${f.choices.join(', ')}.` : '';
      lines.push(`  --${f.name.padEnd(width)}${f.required ? '(required) ' : ''}${f.help}${choices}`);
    }
  }
  lines.push('', 'Prints one JSON document on stdout. Errors: JSON on stderr, exit 254 (service) or 252 (usage).');
  return lines.join('\n') + '\n';
}

export function generalHelp(commands: readonly CommandSpec[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return (
    [
      `Usage: ${PROGRAM} [--vault-dir DIR] <command> [--flag value | --flag=value ...]`,
      '',
      'Key Vault, an offline personal KMS. Each command prints one JSON document with the KMS field names.',
      "The vault directory defaults to $KEYVAULT_HOME, else the Key Vault app's data directory.",
      '',
      'Commands:',
      ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
      '',
      `Run \`${PROGRAM} help <command>\` or \`${PROGRAM} <command> --help\` for a command's flags.`,
      'Exit codes: 0 success, 252 usage error, 254 the operation failed (the error is JSON on stderr).',
    ].join('\n') + '\n'
  );
}

export function helpHint(command?: string): string {
  return command ? `Run '${PROGRAM} help ${command}' for its flags.` : `Run '${PROGRAM} help' for the list of commands.`;
}
