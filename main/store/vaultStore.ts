/**
 * The vault document on disk (`<dir>/vault.json`), shared by the app and CLI processes.
 *
 * - `read()` is the hot path (every Encrypt): when nothing changed it costs one stat; when another
 *   process committed, it reloads and checks the file first.
 * - `transact(fn)` runs `fn` on the current document under the cross-process vault lock, bumps
 *   `Revision`, validates what the commit writes (see `seal`), and makes the result durable before
 *   returning. If `fn` throws (or the write fails) nothing is written and the in-memory document is
 *   re-read from disk.
 * - While a commit is being written, `read()` keeps answering with the state that is on disk
 *   (loaded once, on demand), never with the not-yet-durable one: nothing may be encrypted under a
 *   key version before that version is on disk.
 * - Integrity (documentIntegrity.ts): once `attachIntegrity` gave it the MAC key and the revision
 *   ledger, every load is authenticated and floor-checked before any field is used, every commit is
 *   sealed with a MAC, and after its rename the ledger records the new revision. Without them the
 *   store reads unverified (only to find the vault id and the recovery kit) and refuses to write.
 */
import { mkdir, open } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Low } from 'lowdb';
import { AlreadyExistsException, KMSInternalException, KMSInvalidStateException } from '../core/errors.js';
import { dropDocumentMacMember } from '../crypto/documentMac.js';
import { DocumentAuthenticator, rollbackFailure, type StoreIntegrity } from './documentIntegrity.js';
import { parseVaultDocument } from './documentSchema.js';
import { assertDocumentDepth, DurableFileAdapter, readJsonFileSync, type FileImage } from './durableFileAdapter.js';
import { commitImage } from './commitImage.js';
import { peekDocumentIdentity, type DocumentIdentity } from './documentIdentity.js';
import { DocumentSerializer } from './documentSerializer.js';
import type { VaultLockOptions } from './vaultLock.js';
import { acquireVaultLock } from './vaultLock.js';
import type { VaultDocument } from './vaultDocument.js';
import { VAULT_FILE_NAME } from './vaultDocument.js';

/** Makes a replacement document under the lock, given the identity of the one it replaces. */
export type DocumentBuilder = (current: { VaultId: string; RootKeyCheck: string } | null) => Promise<{ doc: VaultDocument; integrity: StoreIntegrity }>;

export interface VaultStoreOptions {
  /** How long a commit waits for another process's lock. Default 10 s. */
  lockTimeoutMs?: number;
  /** Lock mechanism override (tests of the portable fallback). */
  lockStrategy?: VaultLockOptions['strategy'];
  /**
   * How long (ms) read() may answer from memory without checking the file again for another
   * process's commit. Default 1 ms: a stat costs ~10 µs here, a large share of an Encrypt, and no
   * other process can commit faster than its fsync anyway. Commits made by other stores in this
   * process are seen at once, and transactions always check. 0 checks on every read.
   */
  freshnessMs?: number;
  /**
   * Return from a commit once the file is durable, and write the revision floor to the keychain
   * after that while still holding the lock (default false). A process in this mode awaits
   * `settled()` before it ends (the CLI does), or its floor may stay one commit behind.
   */
  settleInBackground?: boolean;
}

/** Commit counter per vault file within this process, so sibling stores notice each other at once. */
const localCommits = new Map<string, number>();

/** What `openChecked` found: whether it upgraded a never-MACed vault. */
export interface IntegrityOpenResult {
  upgradedFromRevision?: number;
}

function isThenable(value: unknown): boolean {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

export class VaultStore {
  readonly dir: string;
  readonly file: string;
  private readonly adapter: DurableFileAdapter<VaultDocument | null>;
  private readonly db: Low<VaultDocument | null>;
  private readonly lockOptions: VaultLockOptions;
  private readonly serializer = new DocumentSerializer();
  private readonly freshnessMs: number;
  private lastCheckAt = -Infinity;
  private lastLocalCommit = -1;
  /** True while a commit is between "mutated in memory" and "durable on disk". */
  private writing = false;
  /** The on-disk state served by read() while `writing` (loaded lazily, dropped after). */
  private committedDuringWrite: VaultDocument | null = null;
  private auth: DocumentAuthenticator | null = null;
  /** preload()'s parse, set aside unvalidated (`capturing` while it reads) for the first authenticated load. */
  private capturing = false;
  private preloaded: { json: unknown; text: string; bytes: Buffer } | null = null;
  /** The revision this store last recorded in the ledger, while the file is still the one it wrote. */
  private settledRevision = -1;
  private readonly settleInBackground: boolean;
  /** The floor write of the commit in progress, when it runs after the commit returned. */
  private pendingSettle: Promise<void> | null = null;
  private lastSettle: Promise<void> = Promise.resolve();

  private constructor(dir: string, options: VaultStoreOptions) {
    this.dir = dir;
    this.file = join(dir, VAULT_FILE_NAME);
    const parse = (json: unknown, file: string, text: string, bytes: Buffer): VaultDocument | null => {
      if (!this.capturing) return this.seeded(this.parseStored(json, file, text, bytes), bytes);
      this.preloaded = { json, text, bytes };
      return null;
    };
    this.adapter = new DurableFileAdapter<VaultDocument | null>(this.file, parse, {
      parserChecksDepth: true, // parseStored and DocumentAuthenticator.accept
      serialize: (data) => this.seal(data as VaultDocument),
    });
    this.db = new Low<VaultDocument | null>(this.adapter, null);
    this.lockOptions = { timeoutMs: options.lockTimeoutMs, strategy: options.lockStrategy };
    this.freshnessMs = options.freshnessMs ?? 1;
    this.settleInBackground = options.settleInBackground ?? false;
  }

  /** Opens the vault directory (created with mode 0700 if missing). Does not create a document. */
  static async open(dir: string, options: VaultStoreOptions = {}): Promise<VaultStore> {
    const absolute = resolve(dir);
    try {
      await mkdir(absolute, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new KMSInternalException(`The vault directory ${absolute} could not be created: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      });
    }
    return new VaultStore(absolute, options);
  }

  /**
   * From now on every load is authenticated with `integrity` and every commit sealed and recorded.
   * Whatever was loaded unverified before is dropped.
   */
  attachIntegrity(integrity: StoreIntegrity): void {
    this.auth = new DocumentAuthenticator(integrity);
    this.db.data = null;
    if (this.preloaded === null) this.adapter.close(); // a preloaded file is still to be authenticated
    this.serializer.reset();
    this.settledRevision = -1;
  }

  /** Parses the file, unused, while an open's keychain calls run; the first authenticated load checks that text if the file is unchanged. */
  preload(): void {
    if (this.auth) return;
    this.capturing = true;
    try {
      this.adapter.readSync();
    } catch {
      // left to the authenticated load, which reads the file again
    } finally {
      this.capturing = false;
    }
  }

  /**
   * The asynchronous checks of an open: the document must not be older than the ledger's floor; a
   * vault never MACed (no record, no MAC) is upgraded once; a MACed one without its record gets it.
   */
  async openChecked(recordedRead?: Promise<number | null>): Promise<IntegrityOpenResult> {
    const auth = this.requireIntegrity();
    // The ledger first (`recordedRead` was issued before any preload), then the file: a commit in between moves it forward only.
    const recorded = await (recordedRead ?? auth.integrity.ledger.read());
    auth.legacyAllowed = recorded === null;
    try {
      const doc = this.readWithin(0);
      if (recorded !== null) {
        if (doc.Revision < recorded) throw rollbackFailure(this.file, doc.Revision, recorded);
        auth.raiseFloor(recorded);
        // A floor one commit behind (its writer died between rename and floor write) is caught up
        // now, closing that commit's rollback window; the directory fsync makes the rename durable first.
        if (doc.Revision > recorded) await this.underLock(async () => this.settleCurrent());
        return {};
      }
      if (auth.lastWasLegacy) {
        const from = doc.Revision;
        await this.transact(() => undefined);
        return { upgradedFromRevision: from };
      }
      await this.underLock(async () => this.settleCurrent());
      return {};
    } finally {
      auth.legacyAllowed = false;
    }
  }

  /** The vault id and root key check on disk, NOT authenticated: to find the keychain entry and check the secret. */
  peekIdentity(): DocumentIdentity | null {
    return peekDocumentIdentity(this.file);
  }

  /** Whether a vault document exists on disk. */
  exists(): boolean {
    return existsSync(this.file);
  }

  /** Revision of the current document (throws like read() if there is none). */
  get revision(): number {
    return this.read().Revision;
  }

  /**
   * The current document. Treat it as read-only: change it only inside transact(). Reloads from
   * disk first when the file changed since it was last loaded or written by this store.
   */
  read(): VaultDocument {
    return this.readWithin(this.freshnessMs);
  }

  private readWithin(maxAgeMs: number): VaultDocument {
    if (this.writing) return (this.committedDuringWrite ??= this.loadCommittedSnapshot());
    const data = this.db.data;
    if (data !== null) {
      const now = performance.now();
      const localCommit = localCommits.get(this.file) ?? 0;
      if (now - this.lastCheckAt < maxAgeMs && localCommit === this.lastLocalCommit) return data;
      if (this.adapter.isCurrent()) {
        this.lastCheckAt = now;
        this.lastLocalCommit = localCommit;
        return data;
      }
    }
    return this.reload();
  }

  /** Creates the vault document; AlreadyExistsException if one exists. Durable on return. */
  async create(doc: VaultDocument): Promise<void> {
    await this.underLock(async () => {
      if (this.exists()) throw new AlreadyExistsException(`A vault already exists in ${this.dir}.`);
      parseVaultDocument(doc, this.file);
      await this.commit(doc);
    });
  }

  /**
   * Replaces the whole document (restore from backup), whether or not one exists — even a damaged
   * one. Revision is moved past the replaced document's so readers see it as newer.
   */
  async replaceAll(replacement: VaultDocument | DocumentBuilder): Promise<void> {
    await this.underLock(async () => {
      let doc: VaultDocument;
      if (typeof replacement === 'function') {
        // A builder runs under the lock (a restore prepares the keychain there, see vault/backupRestore.ts)
        // and names the integrity the new document is sealed under.
        let current: { VaultId: string; RootKeyCheck: string } | null = null;
        try {
          current = this.exists() ? this.peekIdentity() : null;
        } catch {
          // the document being replaced is damaged: nothing to compare with
        }
        const built = await replacement(current);
        this.attachIntegrity(built.integrity);
        doc = built.doc;
      } else {
        doc = replacement;
      }
      const auth = this.requireIntegrity();
      let previousRevision = (await auth.integrity.ledger.read()) ?? -1;
      try {
        if (this.exists()) previousRevision = Math.max(previousRevision, this.peekRevision());
      } catch {
        // the document being replaced is damaged: nothing to preserve
      }
      if (doc.Revision <= previousRevision) doc.Revision = previousRevision + 1;
      auth.floor = -1; // the replaced document's history ends here
      parseVaultDocument(doc, this.file);
      await this.commit(doc);
    });
  }

  /**
   * Runs `fn` on the current document under the vault lock. `fn` mutates the document in place
   * and must be synchronous. Its result is returned once the change (with Revision + 1) is durable.
   * If `fn` throws, nothing is written and memory is restored to what is on disk.
   */
  async transact<T>(fn: (doc: VaultDocument) => T): Promise<T> {
    const auth = this.requireIntegrity();
    return this.underLock(async () => {
      // The ledger is read unless the file is still the one this store wrote and recorded.
      const recorded = this.adapter.isCurrent() && this.db.data?.Revision === this.settledRevision ? null : await auth.integrity.ledger.read();
      // Under the lock, always from the file as it is now: a stale copy would lose an update.
      const doc = this.readWithin(0);
      if (recorded !== null && doc.Revision < recorded) throw rollbackFailure(this.file, doc.Revision, recorded);
      let result: T;
      try {
        result = this.serializer.observe(doc, fn);
        if (isThenable(result)) {
          throw new KMSInternalException('A vault transaction must be synchronous; an asynchronous change would not be committed atomically.');
        }
        doc.Revision += 1;
      } catch (err) {
        this.restoreFromDisk();
        throw err;
      }
      await this.commit(doc);
      return result;
    });
  }

  /** Releases the file descriptor kept for change detection. */
  close(): void {
    this.adapter.close();
    this.db.data = null;
  }

  private async underLock<T>(fn: () => Promise<T>): Promise<T> {
    const lock = await acquireVaultLock(this.dir, this.lockOptions);
    try {
      return await fn();
    } finally {
      // A floor write still in flight keeps the lock: no commit, here or elsewhere, overtakes it.
      const pending = this.pendingSettle;
      this.pendingSettle = null;
      if (pending) this.lastSettle = pending.then(() => lock.release()).catch(() => undefined);
      else await lock.release();
    }
  }

  /** Resolves when the floor write of the last commit (in background mode) is done and the lock released. */
  settled(): Promise<void> {
    return this.lastSettle;
  }

  private async settle(auth: DocumentAuthenticator, revision: number): Promise<void> {
    try {
      await auth.integrity.ledger.settle(revision);
      this.settledRevision = revision;
    } catch {
      // The commit is durable and reported so; the floor catches up at the next open or commit.
      this.settledRevision = -1;
    }
  }

  /** Durable write of `doc`; on failure memory is restored to whatever is on disk. */
  private async commit(doc: VaultDocument): Promise<void> {
    const auth = this.requireIntegrity();
    this.writing = true;
    try {
      this.db.data = doc;
      await this.db.write();
      localCommits.set(this.file, (localCommits.get(this.file) ?? 0) + 1);
      auth.floor = Math.max(auth.floor, doc.Revision);
    } catch (err) {
      this.writing = false;
      this.restoreFromDisk();
      throw err;
    } finally {
      this.writing = false;
      this.committedDuringWrite = null;
    }
    // Only now that the file is durable: the floor may lag the file (a crash here), never lead it.
    const settling = this.settle(auth, doc.Revision);
    if (this.settleInBackground) this.pendingSettle = settling;
    else await settling;
  }

  private reload(): VaultDocument {
    this.lastCheckAt = performance.now();
    this.lastLocalCommit = localCommits.get(this.file) ?? 0;
    const data = this.acceptPreloaded() ?? this.adapter.readSync();
    this.db.data = data;
    if (data === null) {
      throw new KMSInvalidStateException(`No vault exists in ${this.dir} (there is no ${VAULT_FILE_NAME}). Create one first.`);
    }
    return data;
  }

  private loadCommittedSnapshot(): VaultDocument {
    const loaded = readJsonFileSync(this.file, this.parseStored, true);
    if (!loaded) throw new KMSInvalidStateException(`No vault exists in ${this.dir} yet (it is being created).`);
    return loaded.data;
  }

  /** Records the revision on disk as the floor (under the lock), once the directory is synced. */
  private async settleCurrent(): Promise<void> {
    const revision = this.readWithin(0).Revision;
    if (process.platform !== 'win32') {
      const dir = await open(this.dir, 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    }
    await this.requireIntegrity().integrity.ledger.settle(revision);
    this.settledRevision = revision;
  }

  /** The preloaded document, authenticated, when the file is still the one preload() read; else null. */
  private acceptPreloaded(): VaultDocument | null {
    const pre = this.preloaded;
    this.preloaded = null;
    if (pre === null || !this.auth || !this.adapter.isCurrent()) return null;
    return this.seeded(this.auth.accept(pre.json, this.file, pre.text, pre.bytes), pre.bytes);
  }

  /** A MAC-verified load's records keep their bytes from the file for the next commit (documentSerializer.ts). */
  private seeded(doc: VaultDocument, bytes: Buffer): VaultDocument {
    if (this.auth && !this.auth.lastWasLegacy) this.serializer.seed(bytes);
    else this.serializer.reset();
    return doc;
  }

  /** Parses a loaded file: authenticated once integrity is attached, unverified before. */
  private readonly parseStored = (json: unknown, file: string, text?: string, bytes?: Buffer): VaultDocument => {
    if (this.auth) return this.auth.accept(json, file, text, bytes);
    assertDocumentDepth(json, file);
    dropDocumentMacMember(json);
    return parseVaultDocument(json, file);
  };

  /** The file image of `doc`: checked as it is written, sealed with the MAC (commitImage.ts). */
  private seal(doc: VaultDocument): FileImage {
    return commitImage(doc, this.serializer, this.requireIntegrity().integrity.macKey, this.file);
  }

  private requireIntegrity(): DocumentAuthenticator {
    if (!this.auth) throw new KMSInternalException(`The vault in ${this.dir} cannot be written or checked before its root key is known.`);
    return this.auth;
  }

  /** The Revision on disk, without authenticating (only to move a restored document past it). */
  private peekRevision(): number {
    const loaded = readJsonFileSync(this.file, (json) => (typeof json === 'object' && json !== null ? (json as { Revision?: unknown }).Revision : undefined));
    const revision = loaded?.data;
    return typeof revision === 'number' && Number.isSafeInteger(revision) ? revision : -1;
  }

  private restoreFromDisk(): void {
    this.db.data = null;
    try {
      this.reload();
    } catch {
      // Missing or damaged: the next read() reports it.
    }
  }
}
