/**
 * The file commands of the table (commandTable.ts): age file jobs and the recovery recipients,
 * identities and passphrases they use. Progress goes to stderr, and only when stderr is a
 * terminal, so scripts get exactly one JSON document on stdout and nothing else.
 */
import { randomUUID } from 'node:crypto';
import type { FileJobRequest, FileJobResult, FileProgressEvent } from '../core/api.js';
import { CancelledException, ValidationException } from '../core/errors.js';
import type { CommandContext, CommandSpec } from './commandSpec.js';

const inFlag = { name: 'in', kind: 'text', required: true, value: 'PATH', help: 'The input file.' } as const;
const outFlag = { name: 'out', kind: 'text', value: 'PATH', help: 'The output file (default: see below).' } as const;
const overwriteFlag = { name: 'overwrite', kind: 'switch', help: 'Replace the output file if it exists (never done otherwise).' } as const;

const CANCEL_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function formatBytes(n: number): string {
  return n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(2)} GiB` : `${(n / (1 << 20)).toFixed(1)} MiB`;
}

/** Runs one file job, drawing a progress line on stderr when it is a terminal. */
async function runJob({ service }: CommandContext, req: Omit<FileJobRequest, 'JobId'>): Promise<FileJobResult> {
  const JobId = randomUUID();
  const tty = process.stderr.isTTY === true;
  const onProgress = (e: FileProgressEvent): void => {
    if (e.JobId !== JobId) return;
    const pct = e.BytesTotal > 0 ? Math.floor((e.BytesDone / e.BytesTotal) * 100) : 100;
    process.stderr.write(`\r${req.Operation} ${pct}% (${formatBytes(e.BytesDone)} of ${formatBytes(e.BytesTotal)})`);
  };
  if (tty) service.events.on('fileProgress', onProgress);
  // Ctrl-C, a terminal hang-up or a polite kill cancels the job, which removes its partial output
  // (plaintext, after a decrypt), instead of ending the process mid-write. The job then fails with
  // CancelledException. Only SIGKILL can still leave a part; the next job in that folder sweeps it.
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    stoppedBy ??= signal;
    void service.cancelFileJob({ JobId });
  };
  for (const signal of CANCEL_SIGNALS) process.on(signal, onSignal);
  try {
    return await service.runFileJob({ JobId, ...req });
  } catch (err) {
    if (stoppedBy !== undefined && err instanceof CancelledException) {
      throw new CancelledException(`The file job was cancelled by ${stoppedBy}; its partial output was removed.`, { cause: err });
    }
    throw err;
  } finally {
    for (const signal of CANCEL_SIGNALS) process.off(signal, onSignal);
    if (tty) {
      service.events.off('fileProgress', onProgress);
      process.stderr.write('\r\x1b[K');
    }
  }
}

/** A small input file (identity file, passphrase file); an unreadable one is a ValidationException. */
async function readInputFile(path: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const reason = err instanceof Error && 'code' in err ? String(err.code) : 'unreadable';
    throw new ValidationException(`${path} cannot be read (${reason}).`);
  }
}

async function readPassphraseFile(path: string): Promise<string> {
  return (await import('./passphraseInput.js')).readPassphraseFile(path, 'passphrase');
}

export const FILE_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'encrypt-file',
    summary: 'Encrypt a file to a standard age file under a vault key (and the recovery recipients).',
    operation: 'RunFileJob (Encrypt)',
    flags: [
      { name: 'key-id', kind: 'text', required: true, value: 'KEY', help: 'The key: key id, key ARN, alias name (alias/...) or alias ARN.' },
      inFlag,
      { ...outFlag, help: 'The age file to write (default: the input path with .age added).' },
      overwriteFlag,
      { name: 'armor', kind: 'switch', help: 'Write the ASCII-armored (PEM) form.' },
    ],
    run: (c) =>
      runJob(c, {
        Operation: 'Encrypt',
        InputPath: c.flags.requiredText('in'),
        KeyId: c.flags.requiredText('key-id'),
        ...(c.flags.text('out') !== undefined ? { OutputPath: c.flags.text('out') } : {}),
        ...(c.flags.boolean('overwrite') ? { Overwrite: true } : {}),
        ...(c.flags.boolean('armor') ? { Armor: true } : {}),
      }),
  },
  {
    name: 'decrypt-file',
    summary: 'Decrypt an age file (vault key, stored identity or passphrase); output appears only when complete.',
    operation: 'RunFileJob (Decrypt)',
    flags: [inFlag, { ...outFlag, help: 'The file to write (default: the input path without .age, or with .decrypted added).' }, overwriteFlag],
    run: (c) =>
      runJob(c, {
        Operation: 'Decrypt',
        InputPath: c.flags.requiredText('in'),
        ...(c.flags.text('out') !== undefined ? { OutputPath: c.flags.text('out') } : {}),
        ...(c.flags.boolean('overwrite') ? { Overwrite: true } : {}),
      }),
  },
  {
    name: 're-encrypt-file',
    summary: "Rewrap an age file's key under the current primary version (or another key), in place, without touching the payload.",
    operation: 'RunFileJob (ReEncrypt)',
    flags: [inFlag, { name: 'destination-key-id', kind: 'text', value: 'KEY', help: "The key to move the file to (default: the file's own key)." }],
    run: (c) =>
      runJob(c, {
        Operation: 'ReEncrypt',
        InputPath: c.flags.requiredText('in'),
        ...(c.flags.text('destination-key-id') !== undefined ? { KeyId: c.flags.text('destination-key-id') } : {}),
      }),
  },
  {
    name: 'inspect-file',
    summary: 'Describe an age file from its header: key, version, recipients, sizes (nothing is decrypted).',
    operation: 'RunFileJob (Inspect)',
    flags: [inFlag],
    // The inspection itself is the answer: {InputPath, KeyId, KeyVersionId, IsPrimaryVersion, RecoveryRecipients, Size, ...}.
    run: async (c) => {
      const result = await runJob(c, { Operation: 'Inspect', InputPath: c.flags.requiredText('in') });
      return { InputPath: result.InputPath, ...result.Inspection };
    },
  },
  {
    name: 'add-recovery-recipient',
    summary: 'Add an age X25519 recipient (age1...) that every file encrypted from now on also opens for.',
    operation: 'AddRecoveryRecipient',
    flags: [{ name: 'recipient', kind: 'text', required: true, value: 'AGE1', help: 'An age X25519 recipient, age1...' }],
    run: ({ service, flags }) => service.addRecoveryRecipient({ Recipient: flags.requiredText('recipient') }),
  },
  {
    name: 'list-recovery-recipients',
    summary: 'List the recovery recipients of the vault.',
    operation: 'ListRecoveryRecipients',
    flags: [],
    run: ({ service }) => service.listRecoveryRecipients(),
  },
  {
    name: 'remove-recovery-recipient',
    summary: 'Remove a recovery recipient (files already encrypted keep their stanza for it).',
    operation: 'RemoveRecoveryRecipient',
    flags: [{ name: 'recipient', kind: 'text', required: true, value: 'AGE1', help: 'The recipient to remove, age1...' }],
    run: ({ service, flags }) => service.removeRecoveryRecipient({ Recipient: flags.requiredText('recipient') }),
  },
  {
    name: 'add-identity',
    summary: 'Store the X25519 identities of an age identity file (sealed) to open age files made elsewhere.',
    operation: 'AddIdentity',
    flags: [{ name: 'identity-file', kind: 'text', required: true, value: 'PATH', help: 'An age identity file (AGE-SECRET-KEY-1... lines, # comments).' }],
    run: async ({ service, flags }) => service.addIdentity({ IdentityFileText: await readInputFile(flags.requiredText('identity-file')) }),
  },
  {
    name: 'list-identities',
    summary: 'List the stored identities (public recipients only) and passphrases (labels only).',
    operation: 'ListIdentities',
    flags: [],
    run: ({ service }) => service.listIdentities(),
  },
  {
    name: 'remove-identity',
    summary: 'Remove a stored identity or passphrase.',
    operation: 'RemoveIdentity',
    flags: [{ name: 'id', kind: 'text', required: true, value: 'ID', help: 'The Id shown by list-identities.' }],
    run: ({ service, flags }) => service.removeIdentity({ Id: flags.requiredText('id') }),
  },
  {
    name: 'add-passphrase',
    summary: 'Store a passphrase (sealed) to open passphrase-encrypted age files.',
    operation: 'AddPassphrase',
    flags: [
      { name: 'passphrase-file', kind: 'text', required: true, value: 'PATH', help: 'A file whose first line is the passphrase.' },
      { name: 'label', kind: 'text', value: 'TEXT', help: 'A name to tell it apart in list-identities.' },
    ],
    run: async ({ service, flags }) =>
      service.addPassphrase({
        Passphrase: await readPassphraseFile(flags.requiredText('passphrase-file')),
        ...(flags.text('label') !== undefined ? { Label: flags.text('label') } : {}),
      }),
  },
];
