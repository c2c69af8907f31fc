/**
 * The Files screen's words: job results as sentences naming keys by alias and versions by date,
 * and why a chosen key cannot be used right now. Pure, so unit tests read them.
 */
import type { FileJobResult, FileOperation, KeyMetadata } from '../preload/contract.js';

/** What the sentences need to know about keys: a name, and when a version was made. */
export interface KeyNames {
  keyName(keyId: string): string | undefined;
  /** ISO creation date of a key version, when known. */
  versionDate(keyId: string, versionId: string): string | undefined;
}

export interface ResultWords {
  /** One sentence: what happened. */
  sentence: string;
  /** Optional second sentence: what it means or what to do. */
  note?: string;
}

const shortDate = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const sameYearDate = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });

/** "30 Nov" this year, "30 Nov 2025" otherwise. */
export function versionDateText(iso: string, now: Date = new Date()): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  return t.getUTCFullYear() === now.getUTCFullYear() ? sameYearDate.format(t) : shortDate.format(t);
}

export function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

/** "tax-returns (version of 30 Nov)", or just the name when the version's date is unknown. */
function keyAndVersion(names: KeyNames, keyId: string | undefined, versionId: string | undefined, now: Date): string {
  if (!keyId) return 'a key this vault does not hold';
  const name = names.keyName(keyId) ?? 'a key this vault does not hold';
  const date = versionId ? names.versionDate(keyId, versionId) : undefined;
  return date ? `${name} (version of ${versionDateText(date, now)})` : name;
}

export function describeResult(result: FileJobResult, names: KeyNames, now: Date = new Date()): ResultWords {
  const out = result.OutputPath ? baseName(result.OutputPath) : undefined;
  switch (result.Operation) {
    case 'Encrypt':
      return {
        sentence: `Encrypted under ${keyAndVersion(names, result.KeyId, result.KeyVersionId, now)}${out ? ` as ${out}` : ''}.`,
      };
    case 'Decrypt':
      return {
        sentence: `Decrypted${out ? ` to ${out}` : ''}${result.KeyId ? `; it was under ${keyAndVersion(names, result.KeyId, result.KeyVersionId, now)}` : ''}.`,
      };
    case 'ReEncrypt':
      if (result.AlreadyCurrent) {
        return { sentence: `Already under the current version of ${names.keyName(result.KeyId ?? '') ?? 'its key'}; nothing was changed.` };
      }
      return { sentence: `Re-encrypted under ${keyAndVersion(names, result.KeyId, result.KeyVersionId, now)}, the current version.` };
    case 'Inspect': {
      const i = result.Inspection;
      if (!i) return { sentence: 'Nothing could be read from this file.' };
      if (!i.KeyId) {
        return {
          sentence: 'This age file is not locked by a Key Vault key.',
          note: i.RecoveryRecipients.length > 0 ? 'Your recovery key can open it.' : 'Only whoever holds its age identity can open it.',
        };
      }
      const where = `Encrypted under ${keyAndVersion(names, i.KeyId, i.KeyVersionId, now)}`;
      const current = i.IsPrimaryVersion === false ? ', an older version' : i.IsPrimaryVersion === true ? ', the current version' : '';
      const notes: string[] = [];
      if (i.IsPrimaryVersion === false) notes.push('It still opens; Re-encrypt moves it to the current version.');
      if (i.RecoveryRecipients.length > 0) notes.push('Your recovery key can open it too.');
      return { sentence: `${where}${current}.`, ...(notes.length > 0 ? { note: notes.join(' ') } : {}) };
    }
    default:
      return { sentence: 'Done.' };
  }
}

/** The verb of a running or failed job, in words ("Re-encrypting"). */
export function operationWords(op: FileOperation): { doing: string; done: string } {
  switch (op) {
    case 'Encrypt':
      return { doing: 'Encrypting', done: 'Encrypt' };
    case 'Decrypt':
      return { doing: 'Decrypting', done: 'Decrypt' };
    case 'ReEncrypt':
      return { doing: 'Re-encrypting', done: 'Re-encrypt' };
    default:
      return { doing: 'Inspecting', done: 'Inspect' };
  }
}

export type KeyBlock =
  | { kind: 'none' }
  | { kind: 'missing' }
  | { kind: 'disabled'; name: string }
  | { kind: 'pending-deletion'; name: string; date?: string }
  | { kind: 'pending-import'; name: string };

/** Why the chosen key cannot encrypt now (kind 'none': it can). */
export function keyBlock(chosenKeyId: string, keys: readonly KeyMetadata[], label: (k: KeyMetadata) => string): KeyBlock {
  if (chosenKeyId === '') return { kind: 'missing' };
  const key = keys.find((k) => k.KeyId === chosenKeyId);
  if (!key) return { kind: 'missing' };
  const name = label(key);
  switch (key.KeyState) {
    case 'Enabled':
      return { kind: 'none' };
    case 'Disabled':
      return { kind: 'disabled', name };
    case 'PendingDeletion':
      return { kind: 'pending-deletion', name, ...(key.DeletionDate ? { date: key.DeletionDate } : {}) };
    default:
      return { kind: 'pending-import', name };
  }
}

/** The sentence shown in place of the drop zone's hint while the chosen key is blocked. */
export function keyBlockText(block: KeyBlock, now: Date = new Date()): string {
  switch (block.kind) {
    case 'none':
      return '';
    case 'missing':
      return 'Choose the key to encrypt with.';
    case 'disabled':
      return `${block.name} is disabled, so nothing can be encrypted under it.`;
    case 'pending-deletion':
      return `${block.name} is scheduled for deletion${block.date ? ` on ${versionDateText(block.date, now)}` : ''}, so nothing can be encrypted under it.`;
    case 'pending-import':
      return `${block.name} has no key material yet, so nothing can be encrypted under it.`;
  }
}

/** An `.age` file dropped in Encrypt mode: it is most likely encrypted already. */
export function looksEncrypted(fileName: string): boolean {
  return /\.age$/i.test(fileName) && fileName.length > 4;
}

/** The name Encrypt or Decrypt writes next to the input (what a name clash is about). */
export function outputName(op: FileOperation, fileName: string): string | undefined {
  if (op === 'Encrypt') return `${fileName}.age`;
  if (op === 'Decrypt') return looksEncrypted(fileName) ? fileName.slice(0, -4) : `${fileName}.decrypted`;
  return undefined;
}
