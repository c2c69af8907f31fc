/**
 * The consistency check behind `keyvault verify-vault`. It reads, never writes: the document's MAC
 * and its revision against the floor recorded in the keychain, its schema, the root key check, every version's material (it must unseal under the root key, bound
 * to its own vault, key and version ids, and be 32 bytes), primaries, aliases, the rotation and
 * deletion schedule, the sealed secrets, the recovery kit's form, and the audit log and its chain.
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
import { keychainRevisionLedger } from '../keychain/revisionRecord.js';
import { checkDocumentMac, dropDocumentMacMember, hasDocumentMacMember } from '../crypto/documentMac.js';
import { checkVaultDocument, DocumentProblem } from '../store/documentSchema.js';
import type { VaultDocument } from '../store/vaultDocument.js';
import { VAULT_FILE_NAME } from '../store/vaultDocument.js';
import { clockProblem } from '../core/clockPlausibility.js';
import { findStaleParts } from '../files/fileIo.js';
import { futureScheduleProblems } from './maintenanceClock.js';
import { readJsonFileSync } from '../store/durableFileAdapter.js';
import { readLogTail } from './auditLog.js';
import { unsealedTailLength, verifyChain } from './auditChain.js';

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
  /** The file's text as read, for its MAC (an in-memory document, already authenticated, has none). */
  text?: string;
  /** The revision floor from the keychain: null when none is recorded, a string when it could not be read. */
  recordedRevision?: number | null | string;
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
  const done = (): VerifyReport => ({
    Ok: f.problems.length === 0,
    Problems: f.problems,
    Warnings: f.warnings,
    KeysChecked: keysChecked,
    VersionsChecked: versionsChecked,
  });

  if (input.auditFile) checkAuditLog(input.auditFile, f, typeof input.rootKeys === 'string' ? undefined : input.rootKeys.auditKey);
  if (input.json === undefined) {
    f.problem(`There is no ${VAULT_FILE_NAME}.`);
    return done();
  }
  if (input.text !== undefined) checkIntegrity(input, f);
  // A copy: the walk must not see (or leave) anything shared with a live store.
  const copy: unknown = structuredClone(input.json);
  dropDocumentMacMember(copy);
  try {
    checkVaultDocument(copy);
  } catch (err) {
    f.problem(err instanceof DocumentProblem ? `The document is not valid: ${err.path}: ${err.problem}.` : `The document is not valid: ${message(err)}`);
    return done();
  }
  const doc = copy as VaultDocument;
  if (typeof input.recordedRevision === 'number' && doc.Revision < input.recordedRevision) {
    f.problem(
      `The document is an older copy of the vault (revision ${doc.Revision}; the OS keychain records that it reached revision ${input.recordedRevision}): it was rolled back.`,
    );
  }
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

  for (const p of [clockProblem(doc, input.now), ...futureScheduleProblems(doc, input.now)]) if (p !== undefined) f.problem(p); // hostile 13.6
  if (vaultManaged.length !== 1) f.problem(`The vault has ${vaultManaged.length} keys managed by Key Vault; it must have exactly one (${DEFAULT_KEY_ALIAS}).`);
  const defaultAlias = doc.Aliases[DEFAULT_KEY_ALIAS];
  if (!defaultAlias) f.problem(`The alias ${DEFAULT_KEY_ALIAS} is missing.`);
  else if (doc.Keys[defaultAlias.TargetKeyId]?.KeyManager !== 'VAULT')
    f.problem(`The alias ${DEFAULT_KEY_ALIAS} does not point to the key managed by Key Vault.`, defaultAlias.TargetKeyId);

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

/** The MAC over the file's text (only meaningful under the right root secret). */
function checkIntegrity(input: VerifyInput, f: Findings): void {
  if (typeof input.rootKeys === 'string' || input.text === undefined) return;
  const mac = checkDocumentMac(input.text, input.rootKeys.macKey);
  if (mac === 'invalid' || (mac === 'absent' && hasDocumentMacMember(input.json))) {
    f.problem(`The MAC of ${VAULT_FILE_NAME} does not match its content: it was changed outside Key Vault (or the root secret is not this vault's).`);
  } else if (mac === 'absent') {
    if (typeof input.recordedRevision === 'number')
      f.problem(`${VAULT_FILE_NAME} has no MAC although this vault is authenticated: the MAC was removed or the file replaced.`);
    else f.warning(`${VAULT_FILE_NAME} is not authenticated yet (written by an earlier version); opening the vault adds its MAC.`);
  }
}

function checkAuditLog(file: string, f: Findings, chainKey: Buffer | undefined): void {
  let tail: { lines: string[]; fromStart: boolean } | null;
  try {
    tail = readLogTail(file, AUDIT_TAIL_BYTES);
  } catch (err) {
    f.problem(`The audit log cannot be read: ${message(err)}`);
    return;
  }
  if (!tail) return;
  const lines = tail.lines;
  const last = lines.pop();
  const count = (n: number): string => `${n} line${n === 1 ? '' : 's'}`;
  if (last !== undefined && last !== '') {
    const unsealed = unsealedTailLength(lines); // the torn write's batch, cut with it at the next open
    lines.length -= unsealed;
    f.warning(`The last line of the audit log is incomplete (a write was cut short${unsealed > 0 ? `, with ${count(unsealed)} of its batch before it` : ''}).`);
  }
  const chain = verifyChain(lines, chainKey, tail.fromStart);
  if (chain.malformed > 0) f.problem(`The audit log has ${count(chain.malformed)} that are not audit entries.`);
  if (chain.altered > 0) f.problem(`The audit log has ${count(chain.altered)} whose chain MAC does not match: they were edited.`);
  if (chain.unlinked > 0) f.problem(`The audit log's chain is broken at ${count(chain.unlinked)}: entries before them were deleted or moved.`);
  if (chain.unchained > 0)
    f.problem(`The audit log has ${count(chain.unchained)} without a chain MAC after the chain began: they were not written by Key Vault.`);
  if (chain.legacy > 0) f.warning(`The audit log's first ${count(chain.legacy)} predate its hash chain and are not authenticated.`);
  if (chainKey === undefined) f.warning('The audit log chain MACs were not checked (the root secret is not available).');
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
  let text: string | undefined;
  try {
    const loaded = readJsonFileSync(file, (j, _file, t) => ({ j, t }))?.data;
    json = loaded?.j;
    text = loaded?.t;
  } catch (err) {
    const report = verifyVaultDocument({ json: undefined, rootKeys: 'the document does not load', now: clock.now(), auditFile: join(opts.dir, 'audit.log') });
    report.Problems = [{ Problem: `The document does not load: ${message(err)}` }, ...report.Problems.filter((p) => !p.Problem.startsWith('There is no'))];
    report.Ok = false;
    return report;
  }
  let rootKeys: RootKeys | string = 'the vault id is unknown';
  let recordedRevision: number | null | string = 'the vault id is unknown';
  const vaultId = typeof json === 'object' && json !== null && 'VaultId' in json && typeof json.VaultId === 'string' ? json.VaultId : undefined;
  if (vaultId !== undefined) {
    const keychain = opts.keychain ?? createKeytarKeychain();
    try {
      recordedRevision = await keychainRevisionLedger(keychain, vaultId).read();
    } catch (err) {
      recordedRevision = message(err);
    }
    try {
      const secret = await keychain.getSecret(keychainAccountForVault(vaultId));
      if (!secret) rootKeys = `the OS keychain has no root secret for vault ${vaultId} (run recover)`;
      else if (secret.length !== 32) rootKeys = 'the root secret in the OS keychain has the wrong length';
      else rootKeys = deriveRootKeys(secret, vaultId);
      secret?.fill(0);
    } catch (err) {
      rootKeys = `the OS keychain could not be read: ${message(err)}`;
    }
  }
  const report = verifyVaultDocument({ json, text, recordedRevision, rootKeys, now: clock.now(), auditFile: join(opts.dir, 'audit.log') });
  for (const part of await findStaleParts(opts.dir))
    report.Warnings.push({ Problem: `A killed file job left its partial output ${part}; the next file job here removes it.` });
  return report;
}
