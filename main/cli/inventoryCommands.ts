/**
 * Commands for retiring key versions (issue 12): version states and the file inventory. Each
 * maps its flags onto one vault service call and prints the service's response unchanged.
 */
import { randomUUID } from 'node:crypto';
import type { CommandContext, CommandSpec, FlagSpec, ParsedFlags } from './commandSpec.js';

const keyIdFlag: FlagSpec = {
  name: 'key-id',
  kind: 'text',
  required: true,
  value: 'KEY',
  help: 'The key: key id, key ARN, alias name (alias/...) or alias ARN.',
};
const versionFlag: FlagSpec = { name: 'key-version-id', kind: 'text', required: true, value: 'VERSION', help: 'The version id.' };

const versionRequest = (flags: ParsedFlags): { KeyId: string; KeyVersionId: string } => ({
  KeyId: flags.requiredText('key-id'),
  KeyVersionId: flags.requiredText('key-version-id'),
});

type VersionService = CommandContext['service'];

/** A command that names one key version and makes one service call with just that. */
function versionCommand(
  name: string,
  summary: string,
  operation: string,
  call: (service: VersionService, req: { KeyId: string; KeyVersionId: string }) => Promise<unknown>,
): CommandSpec {
  return { name, summary, operation, flags: [keyIdFlag, versionFlag], run: ({ service, flags }) => call(service, versionRequest(flags)) };
}

export const INVENTORY_COMMANDS: readonly CommandSpec[] = [
  versionCommand('disable-key-version', 'Disable one version of a key: nothing under it decrypts until it is enabled again.', 'DisableKeyVersion', (s, req) =>
    s.disableKeyVersion(req),
  ),
  versionCommand('enable-key-version', 'Enable a disabled key version.', 'EnableKeyVersion', (s, req) => s.enableKeyVersion(req)),
  {
    name: 'schedule-key-version-destruction',
    summary: "Schedule the destruction of a key version's material after a waiting period.",
    operation: 'ScheduleKeyVersionDestruction',
    flags: [
      keyIdFlag,
      versionFlag,
      { name: 'pending-window-in-days', kind: 'integer', value: 'DAYS', help: 'Waiting period, 7 to 30 days (default 30).' },
      { name: 'force', kind: 'switch', help: 'Schedule even though known files still use the version (they will no longer open).' },
    ],
    run: ({ service, flags }) =>
      service.scheduleKeyVersionDestruction({
        ...versionRequest(flags),
        PendingWindowInDays: flags.integer('pending-window-in-days'),
        ...(flags.boolean('force') ? { Force: true } : {}),
      }),
  },
  versionCommand(
    'cancel-key-version-destruction',
    'Cancel a scheduled version destruction (the version comes back disabled).',
    'CancelKeyVersionDestruction',
    (s, req) => s.cancelKeyVersionDestruction(req),
  ),
  {
    name: 'list-files',
    summary: 'List the age files the vault knows, with the key version each one uses.',
    operation: 'ListFiles',
    flags: [
      { name: 'key-id', kind: 'text', value: 'KEY', help: 'Only files under this key.' },
      { name: 'key-version-id', kind: 'text', value: 'VERSION', help: 'Only files under this version.' },
      { name: 'stale', kind: 'switch', help: "Only files not on their key's primary version." },
      { name: 'limit', kind: 'integer', value: 'N', help: 'At most N files, 1 to 10000 (default 1000).' },
      { name: 'marker', kind: 'text', value: 'MARKER', help: 'Continue after the page that returned this NextMarker.' },
    ],
    run: ({ service, flags }) =>
      service.listFiles({
        ...(flags.text('key-id') !== undefined ? { KeyId: flags.text('key-id') } : {}),
        ...(flags.text('key-version-id') !== undefined ? { KeyVersionId: flags.text('key-version-id') } : {}),
        ...(flags.boolean('stale') ? { Stale: true } : {}),
        ...(flags.integer('limit') !== undefined ? { Limit: flags.integer('limit') } : {}),
        ...(flags.text('marker') !== undefined ? { Marker: flags.text('marker') } : {}),
      }),
  },
  {
    name: 'scan-files',
    summary: "Find the age files under a folder that use this vault's keys, and remember them.",
    operation: 'ScanFiles',
    flags: [{ name: 'dir', kind: 'text', required: true, value: 'DIR', help: 'The folder to search (recursively; links are not followed).' }],
    run: ({ service, flags }) => service.scanFiles({ Directory: flags.requiredText('dir') }),
  },
  {
    name: 're-encrypt-files',
    summary: "Rewrap every known file that is not on its key's primary version (header only, in place).",
    operation: 'ReEncryptFiles',
    flags: [
      { name: 'key-id', kind: 'text', value: 'KEY', help: 'Only files under this key.' },
      { name: 'dir', kind: 'text', value: 'DIR', help: 'Only known files under this folder.' },
    ],
    run: async ({ service, flags }) => {
      const JobId = randomUUID();
      // Ctrl-C stops after the files in hand; run the command again to carry on.
      const onSigint = (): void => void service.inventory.cancel(JobId);
      process.once('SIGINT', onSigint);
      // Progress on stderr only when it is a terminal, so scripts get nothing but the JSON result.
      const tty = process.stderr.isTTY === true;
      const onProgress = (done: number, total: number): void => void process.stderr.write(`\rre-encrypt-files ${done} of ${total} files`);
      try {
        return await service.inventory.reEncryptFiles(
          {
            JobId,
            ...(flags.text('key-id') !== undefined ? { KeyId: flags.text('key-id') } : {}),
            ...(flags.text('dir') !== undefined ? { Directory: flags.text('dir') } : {}),
          },
          tty ? onProgress : undefined,
        );
      } finally {
        process.off('SIGINT', onSigint);
        if (tty) process.stderr.write('\r\x1b[K');
      }
    },
  },
];
