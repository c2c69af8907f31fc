/**
 * The file inventory in the vault document: recorded after every file job, filled by scan-files,
 * queried by list-files, and worked through by re-encrypt-files. The header on disk is the truth
 * and the inventory a memory of it, so re-encrypt-files resumes after a crash by running again:
 * files already rewrapped come back AlreadyCurrent.
 */
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import type { FileJobResult } from '../core/api.js';
import { CancelledException, ValidationException, toKmsError } from '../core/errors.js';
import {
  applySightings,
  checkListLimit,
  decodeMarker,
  encodeMarker,
  MAX_INVENTORY_PATH_LENGTH,
  type FileInventoryRecord,
  type FileSighting,
} from '../core/fileInventory.js';
import { isUuid } from '../core/keyIdentifier.js';
import type * as R from '../core/retireApi.js';
import { prefetchHeaders } from '../files/headerPrefetch.js';
import { factsOfHeader, readAgeFileFacts, walkFiles, type AgeFileFacts } from '../files/inventory.js';
import { MAX_BATCH_FILES, reEncryptInPlace } from '../files/reEncryptBatch.js';
import type { VaultDocument } from '../store/vaultDocument.js';
import type { FileService } from '../files/fileService.js';
import type { VaultContext } from './vaultContext.js';

/** re-encrypt-files commits what it has learnt every this many files (and at the end). */
const COMMIT_EVERY = 250;
/** How stale "last seen" may get before a file job on an unchanged known file refreshes it. */
const LAST_SEEN_RESOLUTION_MS = 86_400_000;
/** The first batch of a re-encrypt-files run (later ones are up to MAX_BATCH_FILES). */
const FIRST_BATCH = 16;
/** scan-files reads this many headers between turns of the event loop. */
const YIELD_EVERY = 256;

const yieldToEventLoop = (): Promise<void> => new Promise((done) => setImmediate(done));

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** exists(), synchronously: microseconds, where a promise stat is a thread-pool trip the rewraps' fsyncs wait on. */
function isFileNow(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Paths of known, still existing files on a version (destruction is refused while there are any). */
export async function presentFilesOnVersion(doc: VaultDocument, keyId: string, versionId: string): Promise<string[]> {
  const out: string[] = [];
  for (const f of Object.values(doc.Files ?? {})) {
    if (f.KeyId === keyId && f.KeyVersionId === versionId && !f.Moved && (await exists(f.Path))) out.push(f.Path);
  }
  return out;
}

function sighting(path: string, facts: AgeFileFacts): FileSighting | null {
  if (facts.KeyId === undefined || facts.KeyVersionId === undefined) return null;
  return { Path: path, Size: facts.Size, KeyId: facts.KeyId, KeyVersionId: facts.KeyVersionId, HeaderDigest: facts.HeaderDigest };
}

function checkDirectory(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_INVENTORY_PATH_LENGTH || value.includes('\0')) {
    throw new ValidationException(`${field} must be a directory path.`);
  }
  return resolve(value);
}

/**
 * A file job on a file the inventory already knows exactly as it is, and saw within the last day,
 * writes nothing: a commit costs a write of the whole vault document, and "last seen" to the day
 * is all anyone needs from it.
 */
function alreadyKnown(known: FileInventoryRecord | undefined, s: FileSighting, now: Date): boolean {
  if (!known || known.Moved) return false;
  const same = known.HeaderDigest === s.HeaderDigest && known.Size === s.Size && known.KeyId === s.KeyId && known.KeyVersionId === s.KeyVersionId;
  return same && now.getTime() - Date.parse(known.LastSeenDate) < LAST_SEEN_RESOLUTION_MS;
}

/**
 * Known files not on their key's primary version (of one key, under one folder), sorted. The
 * folder is matched on the map's keys (the paths) before any record is looked at: 10,000 records
 * cost milliseconds to list, and a re-encrypt of one folder of a big inventory reads a few.
 */
function staleFiles(doc: VaultDocument, keyId: string | undefined, dir: string | undefined): string[] {
  const prefix = dir === undefined ? '' : dir.endsWith(sep) ? dir : dir + sep;
  const files = doc.Files ?? {};
  const out: string[] = [];
  for (const path in files) {
    if (!path.startsWith(prefix)) continue;
    const f = files[path]!;
    if (f.Moved || (keyId !== undefined && f.KeyId !== keyId)) continue;
    if (doc.Keys[f.KeyId]?.PrimaryKeyVersionId !== f.KeyVersionId) out.push(path);
  }
  return out.sort();
}

/**
 * Paths grouped by folder, in order of first appearance, in batches of at most `size`; the run's
 * first batch is at most `first`, so progress starts early and Stop takes effect soon.
 */
function batchesByFolder(paths: readonly string[], first: number, size: number): { dir: string; paths: string[] }[] {
  const byDir = new Map<string, string[]>();
  for (const p of paths) {
    const dir = dirname(p);
    const list = byDir.get(dir);
    if (list) list.push(p);
    else byDir.set(dir, [p]);
  }
  const out: { dir: string; paths: string[] }[] = [];
  for (const [dir, list] of byDir) {
    for (let i = 0; i < list.length;) {
      const n = out.length === 0 ? first : size;
      out.push({ dir, paths: list.slice(i, i + n) });
      i += n;
    }
  }
  return out;
}

export class InventoryOps {
  private readonly runs = new Map<string, AbortController>();

  constructor(
    private readonly vault: VaultContext,
    private readonly files: Pick<FileService, 'runFileJob' | 'vault'>,
  ) {}

  /** After a file job: remember the file it wrote or read, if it is under a key of this vault. */
  async recordJob(result: FileJobResult): Promise<FileJobResult> {
    const path = result.Operation === 'Encrypt' ? result.OutputPath : result.InputPath;
    if (!path || result.KeyId === undefined) return result;
    try {
      const facts = readAgeFileFacts(path);
      const s = facts ? sighting(path, facts) : null;
      const doc = this.vault.store.read();
      if (s && doc.Keys[s.KeyId] && !alreadyKnown(doc.Files?.[path], s, this.vault.clock.now())) await this.commit([s]);
    } catch (err) {
      // The job itself succeeded and its output is in place; a lost inventory entry is only a memory lost.
      this.vault.audit.append({
        Time: this.vault.clock.now().toISOString(),
        Operation: 'RecordFile',
        KeyId: result.KeyId,
        Outcome: 'Failure',
        ErrorType: toKmsError(err).__type,
      });
    }
    return result;
  }

  async listFiles(req: R.ListFilesRequest = {}): Promise<R.ListFilesResponse> {
    const limit = checkListLimit(req?.Limit);
    const after = decodeMarker(req?.Marker);
    if (req?.KeyVersionId !== undefined && (typeof req.KeyVersionId !== 'string' || !isUuid(req.KeyVersionId))) {
      throw new ValidationException('KeyVersionId must be a key version id (UUID).');
    }
    if (req?.Stale !== undefined && typeof req.Stale !== 'boolean') throw new ValidationException('Stale must be true or false.');
    const doc = this.vault.store.read();
    // A key deleted since its files were recorded can still be named by its id.
    const keyId = req?.KeyId === undefined ? undefined : isUuid(req.KeyId) && !doc.Keys[req.KeyId] ? req.KeyId : this.vault.resolveKeyRecord(req.KeyId).KeyId;
    const isPrimary = (f: FileInventoryRecord): boolean => doc.Keys[f.KeyId]?.PrimaryKeyVersionId === f.KeyVersionId;
    const matching = Object.values(doc.Files ?? {})
      .filter((f) => (keyId === undefined || f.KeyId === keyId) && (req?.KeyVersionId === undefined || f.KeyVersionId === req.KeyVersionId))
      .filter((f) => req?.Stale !== true || !isPrimary(f))
      .filter((f) => after === undefined || f.Path > after)
      .sort((a, b) => (a.Path < b.Path ? -1 : a.Path > b.Path ? 1 : 0));
    const page = matching.slice(0, limit);
    const files: R.InventoryFileEntry[] = [];
    for (const f of page) {
      files.push({
        Path: f.Path,
        KeyId: f.KeyId,
        KeyVersionId: f.KeyVersionId,
        IsPrimaryVersion: isPrimary(f),
        Size: f.Size,
        LastSeenDate: f.LastSeenDate,
        Status: await this.status(f),
      });
    }
    const truncated = matching.length > limit;
    return { Files: files, Truncated: truncated, ...(truncated ? { NextMarker: encodeMarker(page[page.length - 1]!.Path) } : {}) };
  }

  /** Recursively finds age files under this vault's keys; foreign age files are counted, never kept. */
  async scanFiles(req: R.ScanFilesRequest): Promise<R.ScanFilesResponse> {
    const dir = checkDirectory(req?.Directory, 'Directory');
    let st;
    try {
      st = await stat(dir);
    } catch {
      throw new ValidationException(`${dir} does not exist.`);
    }
    if (!st.isDirectory()) throw new ValidationException(`${dir} is not a directory.`);
    const keys = this.vault.store.read().Keys;
    const found: FileSighting[] = [];
    let scanned = 0;
    let sinceYield = 0;
    for await (const batch of walkFiles(dir)) {
      // Header reads are synchronous (see files/inventory.ts): let other work run now and then.
      if ((sinceYield += batch.length) >= YIELD_EVERY) {
        sinceYield = 0;
        await yieldToEventLoop();
      }
      for (const file of batch) {
        // A file in the middle of a re-encrypt is left to re-encrypt-file (only ReEncrypt repairs).
        if (file.hasJournal) continue;
        const facts = readAgeFileFacts(file.path);
        if (!facts) continue;
        scanned++;
        const s = sighting(file.path, facts);
        if (s && keys[s.KeyId]) found.push(s);
      }
    }
    const counts = await this.commit(found, true);
    return { Scanned: scanned, Found: found.length, Added: counts.added, Updated: counts.updated };
  }

  /**
   * Rewraps every known file not on its key's primary version (header only, in place).
   * `onProgress` hears (files done, files to do) after each file.
   */
  async reEncryptFiles(req: R.ReEncryptFilesRequest = {}, onProgress?: (done: number, total: number) => void): Promise<R.ReEncryptFilesResponse> {
    const dir = req?.Directory === undefined ? undefined : checkDirectory(req.Directory, 'Directory');
    const runId = req?.JobId ?? randomUUID();
    if (typeof runId !== 'string' || this.runs.has(runId)) throw new ValidationException('JobId must be a new job id.');
    const doc = this.vault.store.read();
    const keyId = req?.KeyId === undefined ? undefined : this.vault.resolveKeyRecord(req.KeyId).KeyId;
    const targets = staleFiles(doc, keyId, dir);
    const controller = new AbortController();
    this.runs.set(runId, controller);
    const out: R.ReEncryptFilesResponse = { ReEncrypted: 0, AlreadyCurrent: 0, Missing: 0, Failed: [] };
    let pending: FileSighting[] = [];
    let committing: Promise<void> = Promise.resolve();
    // One commit at a time, in order; each takes what has been learnt so far.
    const flush = (): Promise<void> => {
      committing = committing.then(async () => {
        const batch = pending;
        pending = [];
        if (batch.length > 0) await this.commit(batch);
      });
      return committing;
    };
    let jobs = 0;
    const done = (): void => onProgress?.(out.ReEncrypted + out.AlreadyCurrent + out.Missing + out.Failed.length, targets.length);
    const learn = (path: string, written?: { header: Buffer; size: number }): void => {
      // A header just rewritten in place is known without reading it back.
      const facts = written ? factsOfHeader(written.header, written.size) : readAgeFileFacts(path);
      const s = facts ? sighting(path, facts) : null;
      if (s) pending.push(s);
    };
    /** The single ReEncrypt job, for a file whose header cannot be rewritten in place. */
    const rewrapWhole = async (path: string): Promise<void> => {
      try {
        const r = await this.files.runFileJob({ JobId: `${runId}:${jobs++}`, Operation: 'ReEncrypt', InputPath: path });
        if (r.AlreadyCurrent === true) out.AlreadyCurrent++;
        else out.ReEncrypted++;
        learn(path);
      } catch (err) {
        const e = toKmsError(err);
        if (e instanceof CancelledException) throw e;
        out.Failed.push({ Path: path, __type: e.__type, message: e.message });
      }
    };
    const rewrapBatch = async (folder: string, paths: readonly string[]): Promise<void> => {
      const present = paths.filter(isFileNow);
      out.Missing += paths.length - present.length;
      for (const o of await reEncryptInPlace(this.files.vault, folder, present, controller.signal)) {
        if (o.kind === 'skipped') {
          skipped++;
          continue;
        }
        if (o.kind === 'whole') await rewrapWhole(o.path);
        else if (o.kind === 'failed') out.Failed.push({ Path: o.path, __type: o.error.__type, message: o.error.message });
        else {
          if (o.kind === 'current') out.AlreadyCurrent++;
          else out.ReEncrypted++;
          learn(o.path, o.kind === 'rewrapped' ? o : undefined);
        }
        done();
      }
      for (let i = present.length; i < paths.length; i++) done();
      if (pending.length >= COMMIT_EVERY) await flush();
    };
    const batches = batchesByFolder(targets, FIRST_BATCH, MAX_BATCH_FILES);
    let started = 0;
    let skipped = 0;
    // One batch at a time: planning is CPU work, and a batch's flushes are one round for all its files.
    // The next batch's headers are read into the page cache meanwhile (files not read lately).
    try {
      let warming = batches.length > 0 ? prefetchHeaders(batches[0]!.paths) : Promise.resolve();
      for (let i = 0; i < batches.length; i++) {
        const b = batches[i]!;
        if (controller.signal.aborted) break;
        started += b.paths.length;
        await warming;
        warming = i + 1 < batches.length ? prefetchHeaders(batches[i + 1]!.paths) : Promise.resolve();
        await rewrapBatch(b.dir, b.paths);
      }
      await warming;
    } finally {
      try {
        await flush();
      } finally {
        this.runs.delete(runId);
      }
    }
    if (controller.signal.aborted && (skipped > 0 || started < targets.length)) out.Cancelled = true;
    return out;
  }
  /** Stops a re-encrypt-files run after the files in hand (each completes or rolls back whole). */
  cancel(jobId: string): boolean {
    const c = this.runs.get(jobId);
    c?.abort();
    return c !== undefined;
  }

  private async status(f: FileInventoryRecord): Promise<R.InventoryStatus> {
    if (f.Moved) return 'Missing';
    const facts = readAgeFileFacts(f.Path);
    if (!facts) return (await exists(f.Path)) ? 'Changed' : 'Missing';
    return facts.Size === f.Size && facts.HeaderDigest === f.HeaderDigest ? 'Present' : 'Changed';
  }

  /**
   * Stores sightings in one durable write. With `markMoved`, a known file that is gone and whose
   * header now appears at another path is marked Moved.
   */
  private async commit(sightings: readonly FileSighting[], markMoved = false): Promise<{ added: number; updated: number }> {
    const gone = new Set<string>();
    if (markMoved) {
      const digests = new Set(sightings.map((s) => s.HeaderDigest));
      const seen = new Set(sightings.map((s) => s.Path));
      // A file seen at its own path is where it was: no stat for it (a rescan sees most of them).
      for (const f of Object.values(this.vault.store.read().Files ?? {})) {
        if (!f.Moved && !seen.has(f.Path) && digests.has(f.HeaderDigest) && !(await exists(f.Path))) gone.add(f.Path);
      }
    }
    const now = this.vault.clock.now().toISOString();
    let counts = { added: 0, updated: 0 };
    await this.vault.transact((doc) => {
      const files = (doc.Files ??= {});
      counts = applySightings(files, sightings, now);
      for (const p of gone) if (files[p]) files[p] = { ...files[p], Moved: true };
    });
    return counts;
  }
}
