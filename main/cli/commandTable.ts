/**
 * Every `keyvault` command, one entry each. A handler only maps flags onto the request object of
 * one vault service method and returns the service's response unchanged (the KMS field names).
 * Adding a command is one entry here (and a paragraph in docs/cli.md, which a test checks).
 */
import type { EncryptionContext } from '../core/api.js';
import type { CommandSpec, FlagSpec, ParsedFlags } from './commandSpec.js';
import { API_COMMANDS } from './apiCommands.js';
import { FILE_COMMANDS } from './fileCommands.js';
import { pagedList, pagingFlags } from './listPaging.js';
import { INVENTORY_COMMANDS } from './inventoryCommands.js';
import { RECOVERY_COMMANDS } from './recoveryCommands.js';

// ---------------------------------------------------------------- shared flags

const keyIdFlag = (help = 'The key: key id, key ARN, alias name (alias/...) or alias ARN.'): FlagSpec => ({
  name: 'key-id',
  kind: 'text',
  required: true,
  value: 'KEY',
  help,
});

const contextFlag = (name: string, help: string): FlagSpec => ({ name, kind: 'json', value: 'JSON', help });

const encryptionContextFlag = contextFlag(
  'encryption-context',
  'Encryption context: a JSON object of string pairs, e.g. {"purpose":"backup"}. Decryption needs the same pairs.',
);

const dataKeyFlags: readonly FlagSpec[] = [
  keyIdFlag('The key that encrypts the data key.'),
  { name: 'key-spec', kind: 'choice', choices: ['AES_256', 'AES_128'], value: 'SPEC', help: 'Length of the data key (give this or --number-of-bytes).' },
  { name: 'number-of-bytes', kind: 'integer', value: 'N', help: 'Length of the data key in bytes, 1 to 1024 (give this or --key-spec).' },
  encryptionContextFlag,
];

const ctx = (flags: ParsedFlags, name: string): EncryptionContext | undefined => flags.json<EncryptionContext>(name);

const keyId = (flags: ParsedFlags): { KeyId: string } => ({ KeyId: flags.requiredText('key-id') });

// ---------------------------------------------------------------- the table

export const COMMANDS: readonly CommandSpec[] = [
  // ---- keys
  {
    name: 'create-key',
    summary: 'Create a symmetric key (VAULT origin, or EXTERNAL to import material later).',
    operation: 'CreateKey',
    flags: [
      { name: 'description', kind: 'text', value: 'TEXT', help: 'A description of the key.' },
      {
        name: 'origin',
        kind: 'choice',
        choices: ['VAULT', 'EXTERNAL'],
        value: 'ORIGIN',
        help: 'VAULT (default) generates the key material; EXTERNAL waits for import-key-material.',
      },
      { name: 'enable-automatic-rotation', kind: 'switch', help: 'Turn on automatic rotation.' },
      {
        name: 'rotation-interval',
        kind: 'text',
        value: 'INTERVAL',
        help: 'Rotation interval, 7 to 2560 days: 30d, 720h, or a number of days. Applies once rotation is on (default 365d).',
      },
      { name: 'alias-name', kind: 'text', value: 'ALIAS', help: 'Also create this alias (alias/...) for the new key.' },
    ],
    run: ({ service, flags }) =>
      service.createKey({
        Description: flags.text('description'),
        Origin: flags.text('origin') as 'VAULT' | 'EXTERNAL' | undefined,
        EnableAutomaticRotation: flags.boolean('enable-automatic-rotation'),
        RotationInterval: flags.text('rotation-interval'),
        AliasName: flags.text('alias-name'),
      }),
  },
  {
    name: 'describe-key',
    summary: 'Show the metadata of a key.',
    operation: 'DescribeKey',
    flags: [keyIdFlag()],
    run: ({ service, flags }) => service.describeKey(keyId(flags)),
  },
  {
    name: 'list-keys',
    summary: 'List the keys of the vault.',
    operation: 'ListKeys',
    flags: pagingFlags(1000),
    run: async ({ service, flags }) => pagedList('Keys', (await service.listKeys()).Keys, (k) => k.KeyId, flags, 1000),
  },
  {
    name: 'enable-key',
    summary: 'Enable a disabled key (an overdue rotation happens at once).',
    operation: 'EnableKey',
    flags: [keyIdFlag()],
    run: ({ service, flags }) => service.enableKey(keyId(flags)),
  },
  {
    name: 'disable-key',
    summary: 'Disable a key: it can no longer encrypt or decrypt, and its rotation is suspended.',
    operation: 'DisableKey',
    flags: [keyIdFlag()],
    run: ({ service, flags }) => service.disableKey(keyId(flags)),
  },
  {
    name: 'schedule-key-deletion',
    summary: 'Schedule the deletion of a key after a waiting period.',
    operation: 'ScheduleKeyDeletion',
    flags: [keyIdFlag(), { name: 'pending-window-in-days', kind: 'integer', value: 'DAYS', help: 'Waiting period, 7 to 30 days (default 30).' }],
    run: ({ service, flags }) => service.scheduleKeyDeletion({ ...keyId(flags), PendingWindowInDays: flags.integer('pending-window-in-days') }),
  },
  {
    name: 'cancel-key-deletion',
    summary: 'Cancel a scheduled deletion (the key comes back disabled).',
    operation: 'CancelKeyDeletion',
    flags: [keyIdFlag()],
    run: ({ service, flags }) => service.cancelKeyDeletion(keyId(flags)),
  },

  // ---- aliases
  {
    name: 'create-alias',
    summary: 'Give a key a friendly name.',
    operation: 'CreateAlias',
    flags: [
      { name: 'alias-name', kind: 'text', required: true, value: 'ALIAS', help: 'The alias, alias/ followed by letters, digits, /, _ or -.' },
      { name: 'target-key-id', kind: 'text', required: true, value: 'KEY', help: 'The key id or key ARN it names.' },
    ],
    run: ({ service, flags }) => service.createAlias({ AliasName: flags.requiredText('alias-name'), TargetKeyId: flags.requiredText('target-key-id') }),
  },
  {
    name: 'delete-alias',
    summary: 'Delete an alias (the key is not affected).',
    operation: 'DeleteAlias',
    flags: [{ name: 'alias-name', kind: 'text', required: true, value: 'ALIAS', help: 'The alias to delete.' }],
    run: ({ service, flags }) => service.deleteAlias({ AliasName: flags.requiredText('alias-name') }),
  },
  {
    name: 'list-aliases',
    summary: 'List the aliases of the vault.',
    operation: 'ListAliases',
    flags: pagingFlags(100),
    run: async ({ service, flags }) => pagedList('Aliases', (await service.listAliases()).Aliases, (a) => a.AliasName, flags, 100),
  },

  // ---- rotation
  {
    name: 'enable-key-rotation',
    summary: 'Turn on automatic rotation of a key.',
    operation: 'EnableKeyRotation',
    flags: [
      keyIdFlag(),
      {
        name: 'rotation-period-in-days',
        kind: 'integer',
        value: 'DAYS',
        help: "Rotation period, 7 to 2560 days (default: the key's interval, 365 unless set).",
      },
    ],
    run: ({ service, flags }) => service.enableKeyRotation({ ...keyId(flags), RotationPeriodInDays: flags.integer('rotation-period-in-days') }),
  },
  {
    name: 'disable-key-rotation',
    summary: 'Turn off automatic rotation of a key.',
    operation: 'DisableKeyRotation',
    flags: [keyIdFlag()],
    run: ({ service, flags }) => service.disableKeyRotation(keyId(flags)),
  },
  {
    name: 'get-key-rotation-status',
    summary: 'Show whether a key rotates automatically, how often, and when next.',
    operation: 'GetKeyRotationStatus',
    flags: [keyIdFlag()],
    run: ({ service, flags }) => service.getKeyRotationStatus(keyId(flags)),
  },
  {
    name: 'update-rotation-policy',
    summary: "Set a key's automatic rotation on or off, and its interval.",
    operation: 'UpdateRotationPolicy',
    flags: [
      keyIdFlag(),
      { name: 'enable-automatic-rotation', kind: 'boolean', required: true, value: 'true|false', help: 'Whether the key rotates automatically.' },
      { name: 'rotation-interval', kind: 'text', value: 'INTERVAL', help: 'Rotation interval, 7 to 2560 days: 30d, 720h, or a number of days.' },
    ],
    run: ({ service, flags }) =>
      service.updateRotationPolicy({
        ...keyId(flags),
        EnableAutomaticRotation: flags.boolean('enable-automatic-rotation') === true,
        RotationInterval: flags.text('rotation-interval'),
      }),
  },
  {
    name: 'rotate-key-on-demand',
    summary: 'Rotate a key now (a new primary version; the schedule is not moved).',
    operation: 'RotateKeyOnDemand',
    flags: [keyIdFlag()],
    run: ({ service, flags }) => service.rotateKeyOnDemand(keyId(flags)),
  },
  {
    name: 'list-key-rotations',
    summary: 'List the rotations of a key (automatic and on demand).',
    operation: 'ListKeyRotations',
    flags: [keyIdFlag(), ...pagingFlags(1000)],
    run: async ({ service, flags }) =>
      pagedList('Rotations', (await service.listKeyRotations(keyId(flags))).Rotations, (r) => `${r.RotationDate}|${r.KeyVersionId}`, flags, 1000),
  },
  {
    name: 'list-key-versions',
    summary: "List every version of a key's material, marking the primary one.",
    operation: 'ListKeyVersions',
    flags: [keyIdFlag(), ...pagingFlags(1000)],
    run: async ({ service, flags }) =>
      pagedList('KeyVersions', (await service.listKeyVersions(keyId(flags))).KeyVersions, (v) => `${v.CreationDate}|${v.KeyVersionId}`, flags, 1000),
  },
  {
    name: 'describe-key-version',
    summary: 'Show one version of a key.',
    operation: 'DescribeKeyVersion',
    flags: [keyIdFlag(), { name: 'key-version-id', kind: 'text', required: true, value: 'VERSION', help: 'The version id.' }],
    run: ({ service, flags }) => service.describeKeyVersion({ ...keyId(flags), KeyVersionId: flags.requiredText('key-version-id') }),
  },
  {
    name: 'import-key-material',
    summary: 'Give an EXTERNAL key its 32 bytes of key material (once).',
    operation: 'ImportKeyMaterial',
    flags: [
      keyIdFlag(),
      { name: 'key-material', kind: 'blob', required: true, value: 'fileb://PATH', help: 'Exactly 32 bytes: fileb://PATH for a raw file, or base64.' },
    ],
    run: ({ service, flags }) => service.importKeyMaterial({ ...keyId(flags), KeyMaterial: flags.requiredText('key-material') }),
  },

  // ---- cryptographic operations
  {
    name: 'encrypt',
    summary: 'Encrypt up to 4096 bytes under a key.',
    operation: 'Encrypt',
    flags: [
      keyIdFlag('The key to encrypt under (its primary version is used).'),
      { name: 'plaintext', kind: 'blob', required: true, value: 'B64|fileb://PATH', help: 'The data: base64, or fileb://PATH for raw bytes. 1 to 4096 bytes.' },
      encryptionContextFlag,
    ],
    run: ({ service, flags }) =>
      service.encrypt({ ...keyId(flags), Plaintext: flags.requiredText('plaintext'), EncryptionContext: ctx(flags, 'encryption-context') }),
  },
  {
    name: 'decrypt',
    summary: 'Decrypt a ciphertext blob (the key is read from the blob).',
    operation: 'Decrypt',
    flags: [
      { name: 'ciphertext-blob', kind: 'blob', required: true, value: 'B64|fileb://PATH', help: 'The ciphertext: base64, or fileb://PATH for raw bytes.' },
      encryptionContextFlag,
      { name: 'key-id', kind: 'text', value: 'KEY', help: 'Refuse (IncorrectKeyException) unless the blob is under this key.' },
    ],
    run: ({ service, flags }) =>
      service.decrypt({
        CiphertextBlob: flags.requiredText('ciphertext-blob'),
        EncryptionContext: ctx(flags, 'encryption-context'),
        KeyId: flags.text('key-id'),
      }),
  },
  {
    name: 're-encrypt',
    summary: 'Decrypt a ciphertext blob and encrypt the data again under another key, inside the vault.',
    operation: 'ReEncrypt',
    flags: [
      { name: 'ciphertext-blob', kind: 'blob', required: true, value: 'B64|fileb://PATH', help: 'The ciphertext: base64, or fileb://PATH for raw bytes.' },
      { name: 'destination-key-id', kind: 'text', required: true, value: 'KEY', help: 'The key to encrypt under.' },
      contextFlag('source-encryption-context', 'Encryption context the blob was made with (JSON object).'),
      contextFlag('destination-encryption-context', 'Encryption context for the new blob (JSON object).'),
      { name: 'source-key-id', kind: 'text', value: 'KEY', help: 'Refuse (IncorrectKeyException) unless the blob is under this key.' },
    ],
    run: ({ service, flags }) =>
      service.reEncrypt({
        CiphertextBlob: flags.requiredText('ciphertext-blob'),
        DestinationKeyId: flags.requiredText('destination-key-id'),
        SourceEncryptionContext: ctx(flags, 'source-encryption-context'),
        DestinationEncryptionContext: ctx(flags, 'destination-encryption-context'),
        SourceKeyId: flags.text('source-key-id'),
      }),
  },
  {
    name: 'generate-data-key',
    summary: 'Make a random data key; returns it in plaintext and encrypted under the key.',
    operation: 'GenerateDataKey',
    flags: dataKeyFlags,
    run: ({ service, flags }) => service.generateDataKey(dataKeyRequest(flags)),
  },
  {
    name: 'generate-data-key-without-plaintext',
    summary: 'Make a random data key; returns it only encrypted under the key.',
    operation: 'GenerateDataKeyWithoutPlaintext',
    flags: dataKeyFlags,
    run: ({ service, flags }) => service.generateDataKeyWithoutPlaintext(dataKeyRequest(flags)),
  },

  // ---- the vault
  {
    name: 'list-audit-events',
    summary: 'Show the audit log, newest first (metadata only, never data).',
    operation: 'ListAuditEvents',
    flags: [
      { name: 'key-id', kind: 'text', value: 'KEY', help: 'Only events about this key.' },
      { name: 'limit', kind: 'integer', value: 'N', help: 'At most N events, 1 to 10000 (default 500).' },
    ],
    run: ({ service, flags }) => service.listAuditEvents({ KeyId: flags.text('key-id'), Limit: flags.integer('limit') }),
  },
  {
    name: 'vault-info',
    summary: 'Show the vault id, directory, creation date, keychain status and key count.',
    operation: 'GetVaultInfo',
    flags: [],
    run: ({ service }) => service.getVaultInfo(),
  },
  {
    name: 'run-maintenance',
    summary: 'Perform due rotations and elapsed deletions now, and report them.',
    operation: 'RunMaintenance',
    flags: [
      {
        name: 'confirm-clock',
        kind: 'switch',
        help: 'Confirm that the system date is right when it is more than a year past anything the vault has seen; until then key deletions wait.',
      },
    ],
    catchUp: false,
    run: ({ service, flags }) => service.runMaintenance(flags.boolean('confirm-clock') ? { ConfirmClock: true } : {}),
  },

  // ---- files (fileCommands.ts)
  ...FILE_COMMANDS,

  // ---- recovery and backup (recoveryCommands.ts)
  ...RECOVERY_COMMANDS,

  // ---- the AWS-compatible endpoint (apiCommands.ts)
  ...API_COMMANDS,
  // ---- retiring key versions: version states and the file inventory (inventoryCommands.ts)
  ...INVENTORY_COMMANDS,
];

function dataKeyRequest(flags: ParsedFlags) {
  return {
    ...keyId(flags),
    KeySpec: flags.text('key-spec') as 'AES_256' | 'AES_128' | undefined,
    NumberOfBytes: flags.integer('number-of-bytes'),
    EncryptionContext: ctx(flags, 'encryption-context'),
  };
}

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}
