/**
 * Validation of the vault document at the persistence boundary.
 *
 * Every load of `vault.json` (and every commit, before it reaches the disk) goes through
 * `parseVaultDocument`. The checks are strict: no unknown fields, ISO-8601 date strings, UUID
 * ids, standard base64 for sealed material, and cross-checks between records (map keys equal the
 * record ids, the primary version exists, alias targets exist, version ids are unique).
 *
 * Why not zod: this runs on every load of a vault of up to 10,000 keys × 5 versions (~15 MB of
 * JSON). Measured on Node 20, an equivalent zod 4 schema took 85–170 ms for that document (on
 * top of JSON.parse), before any cross-checks; this hand-written walk takes a fraction of that
 * (see test/unit/store/documentSchema.test.ts), and it validates in place without copying.
 * The first problem found is reported with its path, e.g. `Keys["…"].Versions[2].SealedMaterial`.
 */
import { KMSInternalException } from '../core/errors.js';
import type { FileInventoryRecord } from '../core/fileInventory.js';
import { MAX_INVENTORY_FILES, MAX_INVENTORY_PATH_LENGTH } from '../core/fileInventory.js';
import type { AliasRecord, KeyRecord, KeyVersionRecord, RotationPolicyRecord } from '../core/keyModel.js';
import { MAX_TAGS_PER_KEY, tagProblem } from '../core/keyTags.js';
import type { RecoveryRecord, SealedSecretRecord, VaultDocument } from './vaultDocument.js';
import { VAULT_FORMAT_VERSION } from './vaultDocument.js';
import { MAX_DESCRIPTION_LENGTH } from '../core/limits.js';
import {
  array,
  base64,
  boolean,
  describe,
  DocumentProblem,
  fail,
  integer,
  isoDate,
  object,
  oneOf,
  optionalIsoDate,
  record,
  string,
  trail,
  uuid,
  type Json,
} from './schemaPrimitives.js';

export { DocumentProblem, isBase64, isIsoDateTime } from './schemaPrimitives.js';

/** Same rule as alias names accepted by the API (core/keyIdentifier.ts). */
const ALIAS_NAME_RE = /^alias\/[a-zA-Z0-9/_-]{1,250}$/;

const KEY_STATES: ReadonlySet<string> = new Set(['Enabled', 'Disabled', 'PendingDeletion', 'PendingImport']);
const ORIGINS: ReadonlySet<string> = new Set(['VAULT', 'EXTERNAL']);
const KEY_MANAGERS: ReadonlySet<string> = new Set(['CUSTOMER', 'VAULT']);
const ROTATION_TYPES: ReadonlySet<string> = new Set(['INITIAL', 'AUTOMATIC', 'ON_DEMAND', 'IMPORT']);
const SECRET_KINDS: ReadonlySet<string> = new Set(['X25519Identity', 'Passphrase']);

type Fields<T> = ReadonlySet<keyof T & string>;
const fields = <T>(...names: (keyof T & string)[]): Fields<T> => new Set(names);

const DOCUMENT_FIELDS = fields<VaultDocument>(
  'FormatVersion',
  'VaultId',
  'CreationDate',
  'Revision',
  'RootKeyCheck',
  'Keys',
  'Aliases',
  'RecoveryRecipients',
  'Secrets',
  'Recovery',
  'RecoveryKey',
  'LastSeenDate',
  'Files',
  'LastBackupDate',
);
const KEY_FIELDS = fields<KeyRecord>(
  'KeyId',
  'Description',
  'KeyState',
  'Origin',
  'KeyManager',
  'CreationDate',
  'DeletionDate',
  'DeletionScheduledDate',
  'PrimaryKeyVersionId',
  'Rotation',
  'Versions',
  'Tags',
);
const VERSION_FIELDS = fields<KeyVersionRecord>(
  'KeyVersionId',
  'CreationDate',
  'RotationType',
  'SealedMaterial',
  'KeyVersionState',
  'DestructionDate',
  'DestructionScheduledDate',
  'DestroyedDate',
);
const VERSION_STATES: ReadonlySet<string> = new Set(['Enabled', 'Disabled', 'PendingDestruction', 'Destroyed']);
const FILE_FIELDS = fields<FileInventoryRecord>('Path', 'Size', 'KeyId', 'KeyVersionId', 'HeaderDigest', 'LastSeenDate', 'Moved');
const ROTATION_FIELDS = fields<RotationPolicyRecord>('Enabled', 'IntervalSeconds', 'AnchorDate');
const ALIAS_FIELDS = fields<AliasRecord>('AliasName', 'TargetKeyId', 'CreationDate');
const SECRET_FIELDS = fields<SealedSecretRecord>('Id', 'Kind', 'Label', 'CreationDate', 'Sealed');
const RECOVERY_FIELDS = fields<RecoveryRecord>('WrappedRootSecret', 'CreationDate');

function checkVersion(value: unknown, seenVersionIds: Set<string>): string {
  const v = object(value, VERSION_FIELDS);
  const id = uuid(v, 'KeyVersionId');
  isoDate(v, 'CreationDate');
  oneOf(v, 'RotationType', ROTATION_TYPES);
  const state = v.KeyVersionState === undefined ? 'Enabled' : oneOf(v, 'KeyVersionState', VERSION_STATES);
  // A destroyed version has no material left; every other version must have it.
  if (state === 'Destroyed') {
    if (v.SealedMaterial !== undefined) fail('SealedMaterial', 'must be absent once the version is Destroyed');
    isoDate(v, 'DestroyedDate');
  } else {
    base64(v, 'SealedMaterial');
    if (v.DestroyedDate !== undefined) fail('DestroyedDate', 'is only for a Destroyed version');
  }
  if (state === 'PendingDestruction') {
    isoDate(v, 'DestructionDate');
    isoDate(v, 'DestructionScheduledDate');
  } else if (v.DestructionDate !== undefined || v.DestructionScheduledDate !== undefined) {
    fail('DestructionDate', 'is only for a version pending destruction');
  }
  if (seenVersionIds.has(id)) fail('KeyVersionId', `${id} is used by more than one key version`);
  seenVersionIds.add(id);
  return id;
}

function checkKey(value: unknown, mapKey: string, seenVersionIds: Set<string>): void {
  const k = object(value, KEY_FIELDS);
  const keyId = uuid(k, 'KeyId');
  if (keyId !== mapKey) fail('KeyId', `does not match its map key (${describe(keyId)})`);
  if (string(k, 'Description').length > MAX_DESCRIPTION_LENGTH) fail('Description', `is longer than ${MAX_DESCRIPTION_LENGTH} characters`);
  const state = oneOf(k, 'KeyState', KEY_STATES);
  oneOf(k, 'Origin', ORIGINS);
  oneOf(k, 'KeyManager', KEY_MANAGERS);
  isoDate(k, 'CreationDate');
  optionalIsoDate(k, 'DeletionDate');
  optionalIsoDate(k, 'DeletionScheduledDate');
  if (state === 'PendingDeletion' && k.DeletionDate === undefined) fail('DeletionDate', 'is required while the key is PendingDeletion');
  const primary = k.PrimaryKeyVersionId === undefined ? undefined : uuid(k, 'PrimaryKeyVersionId');

  trail.push('Rotation');
  const rotation = object(k.Rotation, ROTATION_FIELDS);
  boolean(rotation, 'Enabled');
  integer(rotation, 'IntervalSeconds', 1);
  optionalIsoDate(rotation, 'AnchorDate');
  trail.pop();

  const versions = array(k, 'Versions');
  let primaryFound = false;
  trail.push('Versions', 0);
  for (let i = 0; i < versions.length; i++) {
    trail[trail.length - 1] = i;
    if (checkVersion(versions[i], seenVersionIds) === primary) primaryFound = true;
  }
  trail.length -= 2;
  if (primary !== undefined && !primaryFound) fail('PrimaryKeyVersionId', `${primary} is not one of the key's versions`);
  if (primary === undefined && versions.length > 0) fail('PrimaryKeyVersionId', 'is required when the key has versions');
  if (k.Tags !== undefined) checkTags(array(k, 'Tags'));
}

/** Optional key tags: at most 50, each valid, no key twice. */
function checkTags(tags: unknown[]): void {
  if (tags.length > MAX_TAGS_PER_KEY) fail('Tags', `has more than ${MAX_TAGS_PER_KEY} tags`);
  const seen = new Set<string>();
  trail.push('Tags', 0);
  for (let i = 0; i < tags.length; i++) {
    trail[trail.length - 1] = i;
    const problem = tagProblem(tags[i]);
    if (problem !== undefined) fail(undefined, problem);
    const key = (tags[i] as { TagKey: string }).TagKey;
    if (seen.has(key)) fail('TagKey', `${JSON.stringify(key)} appears more than once`);
    seen.add(key);
  }
  trail.length -= 2;
}

function checkFile(value: unknown, mapKey: string): void {
  const f = object(value, FILE_FIELDS);
  const path = string(f, 'Path');
  if (path !== mapKey) fail('Path', 'does not match its map key');
  if (path.length === 0 || path.length > MAX_INVENTORY_PATH_LENGTH || path.includes('\0'))
    fail('Path', `must be 1 to ${MAX_INVENTORY_PATH_LENGTH} characters without NUL`);
  integer(f, 'Size', 0);
  uuid(f, 'KeyId');
  uuid(f, 'KeyVersionId');
  base64(f, 'HeaderDigest');
  isoDate(f, 'LastSeenDate');
  if (f.Moved !== undefined) boolean(f, 'Moved');
}

function checkAlias(value: unknown, mapKey: string, keys: Json): void {
  const a = object(value, ALIAS_FIELDS);
  const name = string(a, 'AliasName');
  if (!ALIAS_NAME_RE.test(name)) fail('AliasName', `${describe(name)} is not a valid alias name`);
  if (name !== mapKey) fail('AliasName', 'does not match its map key');
  const target = uuid(a, 'TargetKeyId');
  if (!Object.prototype.hasOwnProperty.call(keys, target)) fail('TargetKeyId', `${target} is not a key of this vault`);
  isoDate(a, 'CreationDate');
}

function checkSecret(value: unknown, seenIds: Set<string>): void {
  const s = object(value, SECRET_FIELDS);
  const id = uuid(s, 'Id');
  if (seenIds.has(id)) fail('Id', `${id} is used by more than one secret`);
  seenIds.add(id);
  oneOf(s, 'Kind', SECRET_KINDS);
  string(s, 'Label');
  isoDate(s, 'CreationDate');
  base64(s, 'Sealed');
}

/**
 * Everything in the document but the contents of its key and file records: the top-level fields,
 * that `Keys` and `Files` are maps (and `Files` not too large), aliases and their targets, recovery
 * data and stored secrets. The records themselves are checked by checkKeyEntry / checkFileEntry.
 */
export function checkDocumentFrame(json: unknown, countFiles?: FileCounter): asserts json is VaultDocument {
  checkDocument(json, false, countFiles);
}

/** How many records a Files map holds, counting at most `limit` + 1 (a commit asks its serializer, which knows when the map did not change). */
export type FileCounter = (files: Record<string, FileInventoryRecord>, limit: number) => number;

/** The frame, and every record too when `records` (in the document's order: the first problem found is reported). */
function checkDocument(json: unknown, records: boolean, countFiles?: FileCounter): asserts json is VaultDocument {
  trail.length = 0;
  const doc = object(json, DOCUMENT_FIELDS);
  const formatVersion = integer(doc, 'FormatVersion', 1);
  if (formatVersion > VAULT_FORMAT_VERSION) {
    fail('FormatVersion', `${formatVersion} is newer than this version of Key Vault understands (${VAULT_FORMAT_VERSION})`);
  }
  uuid(doc, 'VaultId');
  isoDate(doc, 'CreationDate');
  integer(doc, 'Revision', 0);
  if (doc.LastSeenDate !== undefined) isoDate(doc, 'LastSeenDate');
  base64(doc, 'RootKeyCheck');
  optionalIsoDate(doc, 'LastBackupDate');

  const keys = record(doc, 'Keys');
  if (records) {
    const seenVersionIds = new Set<string>();
    for (const id in keys) checkKeyEntry(keys[id], id, seenVersionIds);
  }
  const aliases = record(doc, 'Aliases');
  for (const name in aliases) {
    trail.push('Aliases', { key: name });
    checkAlias(aliases[name], name, keys);
    trail.length = 0;
  }

  const recipients = array(doc, 'RecoveryRecipients');
  for (let i = 0; i < recipients.length; i++) {
    const r = recipients[i];
    if (typeof r !== 'string' || r.length === 0 || /\s/.test(r)) {
      trail.push('RecoveryRecipients', i);
      fail(undefined, `expected a recipient string without spaces, got ${describe(r)}`);
    }
  }

  const secrets = array(doc, 'Secrets');
  const seenSecretIds = new Set<string>();
  for (let i = 0; i < secrets.length; i++) {
    trail.push('Secrets', i);
    checkSecret(secrets[i], seenSecretIds);
    trail.length = 0;
  }

  if (doc.Files !== undefined) {
    const files = record(doc, 'Files');
    const tooMany = (): never => fail('Files', `holds more than ${MAX_INVENTORY_FILES} files`);
    if (countFiles !== undefined && !records) {
      if (countFiles(files as Record<string, FileInventoryRecord>, MAX_INVENTORY_FILES) > MAX_INVENTORY_FILES) tooMany();
    } else {
      let count = 0;
      for (const path in files) {
        if (++count > MAX_INVENTORY_FILES) tooMany();
        if (records) checkFileEntry(files[path], path);
      }
    }
  }

  for (const field of ['Recovery', 'RecoveryKey'] as const) {
    if (doc[field] === undefined) continue;
    trail.push(field);
    const recovery = object(doc[field], RECOVERY_FIELDS);
    if (string(recovery, 'WrappedRootSecret').length === 0) fail('WrappedRootSecret', 'is empty');
    isoDate(recovery, 'CreationDate');
    trail.length = 0;
  }
}

/** The key record at `Keys[mapKey]`. `seenVersionIds` holds the version ids of the records checked with it: none may repeat. */
export function checkKeyEntry(value: unknown, mapKey: string, seenVersionIds: Set<string>): void {
  trail.length = 0;
  trail.push('Keys', { key: mapKey });
  checkKey(value, mapKey, seenVersionIds);
  trail.length = 0;
}

/** The inventory record at `Files[mapKey]`. */
export function checkFileEntry(value: unknown, mapKey: string): void {
  trail.length = 0;
  trail.push('Files', { key: mapKey });
  checkFile(value, mapKey);
  trail.length = 0;
}

/** Walks the whole document, every record; throws a DocumentProblem at the first thing that is wrong. */
export function checkVaultDocument(json: unknown): asserts json is VaultDocument {
  checkDocument(json, true);
}

/** A DocumentProblem as the KMSInternalException that names the file; anything else as it is. */
export function documentFailure(err: unknown, file: string): unknown {
  return err instanceof DocumentProblem
    ? new KMSInternalException(`The vault document ${file} is not valid: ${err.path}: ${err.problem}.`, { cause: err })
    : err;
}

/**
 * Validates parsed JSON as a VaultDocument and returns it (the same object, not a copy). Any
 * problem becomes a KMSInternalException naming the file and the path of the first problem.
 */
export function parseVaultDocument(json: unknown, file: string): VaultDocument {
  return checked(json, file, true);
}

/** parseVaultDocument() for a document whose records need no walk (documentIntegrity.ts says when). */
export function parseDocumentFrame(json: unknown, file: string): VaultDocument {
  return checked(json, file, false);
}

function checked(json: unknown, file: string, records: boolean): VaultDocument {
  try {
    checkDocument(json, records);
    return json;
  } catch (err) {
    throw documentFailure(err, file);
  }
}
