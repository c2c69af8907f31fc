/**
 * The consistency check behind `keyvault verify-vault`. It reads, never writes: the document's
 * schema, the root key check, every version's material (it must unseal under the root key, bound
 * to its own vault, key and version ids, and be 32 bytes), primaries, aliases, the rotation and
 * deletion schedule, the sealed secrets, the recovery kit's form, and the audit log.
 *
 * Problems make `Ok` false. Warnings do not: they describe states a moved clock can produce
 * (a schedule anchored in the future) or a crash can leave (a torn last audit line).
 */
import { join } from 'node:path';
import type { VerifyVaultResponse } from '../core/api.js';
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import type { KeyRecord } from '../core/keyModel.js';
import { DEFAULT_KEY_ALIAS, KeyState } from '../core/keyModel.js';
import { MAX_ROTATION_DAYS, MIN_ROTATION_DAYS } from '../core/rotationInterval.js';
import { dearmor, readHeader } from '../crypto/age/index.js';
import type { RootKeys } from '../crypto/rootKeys.js';
import { deriveRootKeys, rootKeyMatches } from '../crypto/rootKeys.js';
import { openKeyMaterial, openSecret } from '../crypto/sealing.js';
import type { Keychain } from '../keychain/keychain.js';
import { createKeytarKeychain, keychainAccountForVault } from '../keychain/keychain.js';
import { checkVaultDocument, DocumentProblem } from '../store/documentSchema.js';
import type { VaultDocument } from '../store/vaultDocument.js';
import { VAULT_FILE_NAME } from '../store/vaultDocument.js';
import { readJsonFileSync } from '../store/durableFileAdapter.js';
import { readLogTail } from './auditLog.js';

export type VerifyFinding = VerifyVaultResponse['Problems'][number];

export type VerifyReport = VerifyVaultResponse;

/** How far in the future a schedule anchor may lie before it is worth a warning (clock skew). */
const ANCHOR_TOLERANCE_MS = 24 * 3600_000;
const DAY_MS = 86_400_000;
/** The audit log is checked up to this many bytes from its end. */
const AUDIT_TAIL_BYTES = 32 * 1024 * 1024;

export interface VerifyInput {
  /** The parsed JSON of vault.json (checked against the schema here), or undefined if there is none. */
  json: unknown;
  /** Keys derived from the root secret in the keychain, or the reason they are not available. */
  rootKeys: RootKeys | string;
  now: Date;
  /** Path of the audit log (skipped when undefined). */
  auditFile?: string;
}

class Findings {
  readonly problems: VerifyFinding[] = [];
  readonly warnings: VerifyFinding[] = [];
  problem(Problem: string, KeyId?: string, KeyVersionId?: string): void {
    this.problems.push({ ...(KeyId ? { KeyId } : {}), ...(KeyVersionId ? { KeyVersionId } : {}), Problem });
  }
  warning(Problem: string, KeyId?: string, KeyVersionId?: string): void {
    this.warnings.push({ ...(KeyId ? { KeyId } : {}), ...(KeyVersionId ? { KeyVersionId } : {}), Problem });
  }
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const time = (iso: string | undefined): number => (iso === undefined ? NaN : Date.parse(iso));

/** Checks one document; never throws for anything found in the document. */
export function verifyVaultDocument(input: VerifyInput): VerifyReport {
  const f = new Findings();
  let keysChecked = 0;
  let versionsChecked = 0;
  const done = (): VerifyReport => ({ Ok: f.problems.length === 0, Problems: f.problems, Warnings: f.warnings, KeysChecked: keysChecked, VersionsChecked: versionsChecked });

  if (input.auditFile) checkAuditLog(input.auditFile, f);
  if (input.json === undefined) {
    f.problem(`There is no ${VAULT_FILE_NAME}.`);
    return done();
  }
  try {
    // A copy: the walk must not see (or leave) anything shared with a live store.
    checkVaultDocument(structuredClone(input.json));
  } catch (err) {
    f.problem(err instanceof DocumentProblem ? `The document is not valid: ${err.path}: ${err.problem}.` : `The document is not valid: ${message(err)}`);
    return done();
  }
  const doc = input.json as VaultDocument;
  let sealKey: Buffer | undefined;
  if (typeof input.rootKeys === 'string') {
    f.problem(`Key material was not checked: ${input.rootKeys}`);
  } else if (!rootKeyMatches(input.rootKeys, doc.RootKeyCheck)) {
    f.problem('The root secret does not match the RootKeyCheck of the document: no key material can be checked.');
  } else {
    sealKey = input.rootKeys.sealKey;
  }

  const nowMs = input.now.getTime();
  const vaultManaged: KeyRecord[] = [];
  for (const key of Object.values(doc.Keys)) {
    keysChecked++;
    versionsChecked += key.Versions.length;
    if (key.KeyManager === 'VAULT') vaultManaged.push(key);
    checkKey(doc, key, sealKey, nowMs, f);
  }

  if (vaultManaged.length !== 1) f.problem(`The vault has ${vaultManaged.length} keys managed by Key Vault; it must have exactly one (${DEFAULT_KEY_ALIAS}).`);
  const defaultAlias = doc.Aliases[DEFAULT_KEY_ALIAS];
  if (!defaultAlias) f.problem(`The alias ${DEFAULT_KEY_ALIAS} is missing.`);
  else if (doc.Keys[defaultAlias.TargetKeyId]?.KeyManager !== 'VAULT') f.problem(`The alias ${DEFAULT_KEY_ALIAS} does not point to the key managed by Key Vault.`, defaultAlias.TargetKeyId);

  for (const secret of doc.Secrets) {
    if (!sealKey) break;
    try {
      openSecret(sealKey, doc.VaultId, secret.Id, secret.Kind, secret.Sealed).fill(0);
    } catch (err) {
      f.problem(`Secret ${secret.Id} (${secret.Kind}) does not unseal: ${message(err)}`);
    }
  }

  if (doc.Recovery) {
    try {
      const header = readHeader(dearmor(doc.Recovery.WrappedRootSecret));
      if (header.stanzas.length !== 1 || header.stanzas[0]?.type !== 'scrypt') f.problem('The recovery kit is not a passphrase-encrypted (scrypt) age file.');
    } catch (err) {
      f.problem(`The recovery kit is not a valid age file: ${message(err)}`);
    }
  }
  return done();
}

function checkKey(doc: VaultDocument, key: KeyRecord, sealKey: Buffer | undefined, nowMs: number, f: Findings): void {
  const id = key.KeyId;
  const versions = key.Versions;
  for (const v of versions) {
    if (!sealKey) break;
    if (v.SealedMaterial === undefined) continue; // a Destroyed version: nothing left to unseal
    try {
      openKeyMaterial(sealKey, doc.VaultId, id, v.KeyVersionId, v.SealedMaterial).fill(0);
    } catch (err) {
      f.problem(`The material of this version does not unseal under the root key for this key and version: ${message(err)}`, id, v.KeyVersionId);
    }
  }

  // Versions, primary, origin and state.
  if (key.KeyState === KeyState.PendingImport) {
    if (key.Origin !== 'EXTERNAL') f.problem('Only an EXTERNAL key can be PendingImport.', id);
    if (versions.length > 0) f.problem('A key pending import has key material.', id);
  } else if (versions.length === 0 && !(key.Origin === 'EXTERNAL' && key.KeyState === KeyState.PendingDeletion)) {
    f.problem(`A ${key.KeyState} key has no key material.`, id);
  }
  if (key.Origin === 'EXTERNAL' && versions.length > 1) f.problem('An EXTERNAL key has more than one version.', id);
  const newest = versions[versions.length - 1];
  if (newest && key.PrimaryKeyVersionId !== newest.KeyVersionId) f.problem('The primary version is not the newest version.', id, key.PrimaryKeyVersionId);
  versions.forEach((v, i) => {
    if ((i === 0) !== (v.RotationType === 'INITIAL')) {
      f.problem(i === 0 ? 'The first version is not of type INITIAL.' : 'A version after the first is of type INITIAL.', id, v.KeyVersionId);
    }
    if (i > 0 && time(v.CreationDate) < time(versions[i - 1]?.CreationDate)) {
      f.warning('This version is dated before the one it followed (the clock moved back).', id, v.KeyVersionId);
    }
  });

  // Rotation schedule.
  const r = key.Rotation;
  if (r.IntervalSeconds < MIN_ROTATION_DAYS * 86_400 || r.IntervalSeconds > MAX_ROTATION_DAYS * 86_400) {
    f.problem(`The rotation interval (${r.IntervalSeconds} s) is outside ${MIN_ROTATION_DAYS} to ${MAX_ROTATION_DAYS} days.`, id);
  }
  if (key.Origin === 'EXTERNAL' && r.Enabled) f.problem('An EXTERNAL key has automatic rotation enabled.', id);
  if (key.KeyManager === 'VAULT' && (!r.Enabled || r.IntervalSeconds !== 365 * 86_400 || key.Origin !== 'VAULT')) {
    f.problem('The key managed by Key Vault must rotate automatically every 365 days.', id);
  }
  if (key.KeyManager === 'VAULT' && key.KeyState !== KeyState.Enabled) f.problem(`The key managed by Key Vault is ${key.KeyState}.`, id);
  if (r.Enabled && key.Origin === 'VAULT') {
    if (r.AnchorDate === undefined) f.problem('Automatic rotation is enabled but the schedule has no anchor date.', id);
    else if (time(r.AnchorDate) > nowMs + ANCHOR_TOLERANCE_MS) {
      f.warning(`The rotation schedule is anchored in the future (${r.AnchorDate}); the clock was ahead when it was set.`, id);
    }
  }

  // Deletion.
  if (key.KeyState === KeyState.PendingDeletion) {
    const scheduled = time(key.DeletionScheduledDate);
    const deletion = time(key.DeletionDate);
    if (key.DeletionScheduledDate !== undefined) {
      const days = (deletion - scheduled) / DAY_MS;
      if (!(days >= 7 - 1e-9 && days <= 30 + 1e-9)) f.problem(`The pending deletion window is ${days.toFixed(2)} days; it must be 7 to 30.`, id);
      if (scheduled > nowMs + ANCHOR_TOLERANCE_MS) f.warning(`Deletion was scheduled in the future (${key.DeletionScheduledDate}); the clock was ahead.`, id);
    }
  } else if (key.DeletionDate !== undefined || key.DeletionScheduledDate !== undefined) {
    f.problem(`A ${key.KeyState} key carries a deletion date.`, id);
  }
}

function checkAuditLog(file: string, f: Findings): void {
  let tail: { lines: string[] } | null;
  try {
    tail = readLogTail(file, AUDIT_TAIL_BYTES);
  } catch (err) {
    f.problem(`The audit log cannot be read: ${message(err)}`);
    return;
  }
  if (!tail) return;
  const lines = tail.lines;
  const last = lines.pop();
  if (last !== undefined && last !== '') f.warning('The last line of the audit log is incomplete (a write was cut short).');
  let bad = 0;
  for (const line of lines) {
    if (line === '') continue;
    try {
      const entry: unknown = JSON.parse(line);
      if (typeof entry !== 'object' || entry === null || typeof (entry as { Operation?: unknown }).Operation !== 'string') bad++;
    } catch {
      bad++;
    }
  }
  if (bad > 0) f.problem(`The audit log has ${bad} line${bad === 1 ? '' : 's'} that are not audit entries.`);
}

export interface VerifyDirectoryOptions {
  dir: string;
  keychain?: Keychain;
  clock?: Clock;
}

/**
 * Checks a vault directory without opening the vault (no catch-up, no creation): works when the
 * document does not load or the keychain entry is missing, reporting those as problems.
 */
export async function verifyVaultDirectory(opts: VerifyDirectoryOptions): Promise<VerifyReport> {
  const clock = opts.clock ?? systemClock;
  const file = join(opts.dir, VAULT_FILE_NAME);
  let json: unknown;
  try {
    json = readJsonFileSync<unknown>(file, (j) => j)?.data;
  } catch (err) {
    const report = verifyVaultDocument({ json: undefined, rootKeys: 'the document does not load', now: clock.now(), auditFile: join(opts.dir, 'audit.log') });
    report.Problems = [{ Problem: `The document does not load: ${message(err)}` }, ...report.Problems.filter((p) => !p.Problem.startsWith('There is no'))];
    report.Ok = false;
    return report;
  }
  let rootKeys: RootKeys | string = 'the vault id is unknown';
  const vaultId = typeof json === 'object' && json !== null && 'VaultId' in json && typeof json.VaultId === 'string' ? json.VaultId : undefined;
  if (vaultId !== undefined) {
    try {
      const secret = await (opts.keychain ?? createKeytarKeychain()).getSecret(keychainAccountForVault(vaultId));
      if (!secret) rootKeys = `the OS keychain has no root secret for vault ${vaultId} (run recover)`;
      else if (secret.length !== 32) rootKeys = 'the root secret in the OS keychain has the wrong length';
      else rootKeys = deriveRootKeys(secret, vaultId);
      secret?.fill(0);
    } catch (err) {
      rootKeys = `the OS keychain could not be read: ${message(err)}`;
    }
  }
  return verifyVaultDocument({ json, rootKeys, now: clock.now(), auditFile: join(opts.dir, 'audit.log') });
}
