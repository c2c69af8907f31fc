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

/** One problem in a document: where it is and what is wrong. */
export class DocumentProblem extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = 'DocumentProblem';
  }
}

const ISO_DATE_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
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

// Character tables for the hot checks (plain loops are 2-3x faster than the equivalent regexes).
const BASE64_CHARS = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') BASE64_CHARS[c.charCodeAt(0)] = 1;
const LOWER_HEX_CHARS = new Uint8Array(128);
for (const c of '0123456789abcdef') LOWER_HEX_CHARS[c.charCodeAt(0)] = 1;
const EQUALS = 61;
const HYPHEN = 45;

/** Standard, padded, non-empty base64. */
export function isBase64(s: string): boolean {
  const n = s.length;
  if (n === 0 || n % 4 !== 0) return false;
  let end = n;
  if (s.charCodeAt(n - 1) === EQUALS) {
    end--;
    if (s.charCodeAt(n - 2) === EQUALS) end--;
  }
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c > 127 || BASE64_CHARS[c] === 0) return false;
  }
  return true;
}

/** A lowercase UUID (8-4-4-4-12 hex digits), the form crypto.randomUUID produces. */
function isLowerUuid(s: string): boolean {
  if (s.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== HYPHEN) return false;
    } else if (c > 127 || LOWER_HEX_CHARS[c] === 0) return false;
  }
  return true;
}

const digit = (s: string, i: number): number => s.charCodeAt(i) - 48;

/** For a string matching ISO_DATE_RE: is the day within its month (no 31 April, 29 February only in leap years)? */
function dayExists(s: string): boolean {
  const year = digit(s, 0) * 1000 + digit(s, 1) * 100 + digit(s, 2) * 10 + digit(s, 3);
  const month = digit(s, 5) * 10 + digit(s, 6);
  const day = digit(s, 8) * 10 + digit(s, 9);
  if (day <= 28) return true;
  if (month === 2) return day === 29 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31);
}

export function isIsoDateTime(s: string): boolean {
  return ISO_DATE_RE.test(s) && dayExists(s);
}

type Json = Record<string, unknown>;

/**
 * Where the walk is, kept as a stack of segments and only turned into text when a problem is
 * found (building a path string for each of 50,000 versions would cost more than the checks).
 */
type Segment = string | number | { key: string };
const trail: Segment[] = [];

function renderPath(last?: string): string {
  let out = '';
  for (const seg of last === undefined ? trail : [...trail, last]) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string') out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg.key)}]`;
  }
  return out === '' ? '(document)' : out;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/** Reports a problem at the current place (or at its field `name`). */
function fail(name: string | undefined, problem: string): never {
  const path = renderPath(name);
  trail.length = 0;
  throw new DocumentProblem(path, problem);
}

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks that the value at the current place is an object carrying only the allowed fields. */
function object(value: unknown, allowed: ReadonlySet<string>): Json {
  if (!isPlainObject(value)) fail(undefined, `expected an object, got ${describe(value)}`);
  for (const name in value) {
    if (!allowed.has(name)) fail(name, 'is not a known field');
  }
  return value;
}

function record(obj: Json, name: string): Json {
  const v = obj[name];
  if (!isPlainObject(v)) fail(name, `expected an object map, got ${describe(v)}`);
  return v;
}

function array(obj: Json, name: string): unknown[] {
  const v = obj[name];
  if (!Array.isArray(v)) fail(name, `expected an array, got ${describe(v)}`);
  return v;
}

function string(obj: Json, name: string): string {
  const v = obj[name];
  if (typeof v !== 'string') fail(name, `expected a string, got ${describe(v)}`);
  return v;
}

function uuid(obj: Json, name: string): string {
  const v = string(obj, name);
  if (!isLowerUuid(v)) fail(name, `expected a lowercase UUID, got ${describe(v)}`);
  return v;
}

function isoDate(obj: Json, name: string): void {
  const v = string(obj, name);
  if (!isIsoDateTime(v)) fail(name, `expected an ISO-8601 date-time, got ${describe(v)}`);
}

function optionalIsoDate(obj: Json, name: string): void {
  if (obj[name] !== undefined) isoDate(obj, name);
}

function base64(obj: Json, name: string): void {
  if (!isBase64(string(obj, name))) fail(name, 'expected non-empty standard base64');
}

function oneOf(obj: Json, name: string, allowed: ReadonlySet<string>): string {
  const v = string(obj, name);
  if (!allowed.has(v)) fail(name, `expected one of ${[...allowed].join(', ')}, got ${describe(v)}`);
  return v;
}

function integer(obj: Json, name: string, min: number): number {
  const v = obj[name];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) fail(name, `expected a whole number ≥ ${min}, got ${describe(v)}`);
  return v;
}

function boolean(obj: Json, name: string): void {
  if (typeof obj[name] !== 'boolean') fail(name, `expected true or false, got ${describe(obj[name])}`);
}

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

/** Walks the whole document; throws a DocumentProblem at the first thing that is wrong. */
export function checkVaultDocument(json: unknown): asserts json is VaultDocument {
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
  const seenVersionIds = new Set<string>();
  for (const id in keys) {
    trail.push('Keys', { key: id });
    checkKey(keys[id], id, seenVersionIds);
    trail.length = 0;
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
    let count = 0;
    for (const path in files) {
      if (++count > MAX_INVENTORY_FILES) fail('Files', `holds more than ${MAX_INVENTORY_FILES} files`);
      trail.push('Files', { key: path });
      checkFile(files[path], path);
      trail.length = 0;
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

/**
 * Validates parsed JSON as a VaultDocument and returns it (the same object, not a copy). Any
 * problem becomes a KMSInternalException naming the file and the path of the first problem.
 */
export function parseVaultDocument(json: unknown, file: string): VaultDocument {
  try {
    checkVaultDocument(json);
    return json;
  } catch (err) {
    if (err instanceof DocumentProblem) {
      throw new KMSInternalException(`The vault document ${file} is not valid: ${err.path}: ${err.problem}.`, { cause: err });
    }
    throw err;
  }
}
