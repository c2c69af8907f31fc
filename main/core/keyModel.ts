/** The stored shape of keys, versions and aliases. Key material appears only sealed. */
import type { KeyTag } from './keyTags.js';

export const KeyState = {
  Enabled: 'Enabled',
  Disabled: 'Disabled',
  PendingDeletion: 'PendingDeletion',
  PendingImport: 'PendingImport',
} as const;
export type KeyState = (typeof KeyState)[keyof typeof KeyState];

export type Origin = 'VAULT' | 'EXTERNAL';
export type KeyManager = 'CUSTOMER' | 'VAULT';
export type RotationType = 'INITIAL' | 'AUTOMATIC' | 'ON_DEMAND' | 'IMPORT';
export type AutomaticRotation = 'Enabled' | 'Disabled' | 'Suspended';

/** The life of one key version (as Google Cloud KMS has it). Absent in the store means Enabled. */
export const KeyVersionState = {
  Enabled: 'Enabled',
  Disabled: 'Disabled',
  PendingDestruction: 'PendingDestruction',
  Destroyed: 'Destroyed',
} as const;
export type KeyVersionState = (typeof KeyVersionState)[keyof typeof KeyVersionState];

export interface KeyVersionRecord {
  KeyVersionId: string;
  CreationDate: string;
  RotationType: RotationType;
  /**
   * base64 of iv | ciphertext | tag, AES-256-GCM under the root key, bound to key and version ids.
   * Absent once the version is Destroyed: the material is gone from the store and every later backup.
   */
  SealedMaterial?: string;
  KeyVersionState?: KeyVersionState;
  /** While PendingDestruction: when the material will be erased. */
  DestructionDate?: string;
  /** When destruction was scheduled; nothing is destroyed while the clock reads earlier. */
  DestructionScheduledDate?: string;
  /** When the material was erased. */
  DestroyedDate?: string;
}

export interface RotationPolicyRecord {
  Enabled: boolean;
  IntervalSeconds: number;
  /** Last automatic rotation, or when rotation was (re-)enabled if none since. */
  AnchorDate?: string;
}

export interface KeyRecord {
  KeyId: string;
  Description: string;
  KeyState: KeyState;
  Origin: Origin;
  KeyManager: KeyManager;
  CreationDate: string;
  DeletionDate?: string;
  /** When ScheduleKeyDeletion was called; deletion never happens if the clock reads earlier. */
  DeletionScheduledDate?: string;
  PrimaryKeyVersionId?: string;
  Rotation: RotationPolicyRecord;
  Versions: KeyVersionRecord[];
  /** TagResource tags (absent when the key has none). */
  Tags?: KeyTag[];
}

export interface AliasRecord {
  AliasName: string;
  TargetKeyId: string;
  CreationDate: string;
}

export const DEFAULT_KEY_ALIAS = 'alias/keyvault/default';
export const RESERVED_ALIAS_PREFIX = 'alias/keyvault/';
