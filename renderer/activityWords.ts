/** The Activity screen's words: each audit operation as what a person did or saw. Pure. */

const WORDS: Record<string, string> = {
  CreateKey: 'Key created',
  EnableKey: 'Key enabled',
  DisableKey: 'Key disabled',
  ScheduleKeyDeletion: 'Deletion scheduled',
  CancelKeyDeletion: 'Deletion cancelled',
  DeleteKey: 'Key deleted',
  CreateAlias: 'Alias added',
  DeleteAlias: 'Alias removed',
  EnableKeyRotation: 'Automatic rotation turned on',
  DisableKeyRotation: 'Automatic rotation turned off',
  UpdateRotationPolicy: 'Rotation schedule changed',
  RotateKeyOnDemand: 'Rotated now',
  ImportKeyMaterial: 'Key material imported',
  Encrypt: 'Text encrypted',
  Decrypt: 'Text decrypted',
  ReEncrypt: 'Text re-encrypted',
  GenerateDataKey: 'Data key made',
  GenerateDataKeyWithoutPlaintext: 'Data key made',
  EncryptFile: 'File encrypted',
  DecryptFile: 'File decrypted',
  ReEncryptFile: 'File re-encrypted',
  InspectFile: 'File inspected',
  AddRecoveryRecipient: 'Recovery recipient added',
  RemoveRecoveryRecipient: 'Recovery recipient removed',
  AddIdentity: 'Identity added',
  AddPassphrase: 'Passphrase identity added',
  RemoveIdentity: 'Identity removed',
  CreateRecoveryKey: 'Recovery key created',
  SetRecoveryPassphrase: 'Recovery passphrase set',
  RemoveRecoveryPassphrase: 'Recovery passphrase removed',
  ExportBackup: 'Backup saved',
  RestoreBackup: 'Backup restored',
  RecoverVault: 'Vault recovered',
  TightenVaultDirectory: 'Vault folder permissions tightened',
  DescribeKey: 'Key looked up',
  DescribeKeyVersion: 'Key version looked up',
  ListKeyVersions: 'Key versions listed',
  ListKeyRotations: 'Rotations listed',
  GetKeyRotationStatus: 'Rotation status read',
};

const ROTATION_WORDS: Record<string, string> = {
  INITIAL: 'First version made',
  AUTOMATIC: 'Rotated on schedule',
  ON_DEMAND: 'Rotated now',
};

/** "CreateKey" → "Key created"; an unknown name is split into words ("FooBar" → "Foo bar"). */
export function activityWords(e: { Operation: string; RotationType?: string | undefined }): string {
  if (e.Operation === 'Rotation') return ROTATION_WORDS[e.RotationType ?? ''] ?? 'Rotated';
  const known = WORDS[e.Operation];
  if (known) return known;
  const split = e.Operation.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return split.charAt(0).toUpperCase() + split.slice(1);
}

/** The failure in words: the exception name without "Exception" ("Disabled"), or "Failed". */
export function failureWords(errorType: string | undefined): string {
  if (!errorType) return 'Failed';
  const bare = errorType
    .replace(/Exception$/, '')
    .replace(/^KMS(?=[A-Z])/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return `Failed: ${bare}`;
}
