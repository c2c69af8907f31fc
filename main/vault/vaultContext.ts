/**
 * What every vault operation shares: the store and its transaction, the audit log, the events,
 * the clock, key resolution, and the unsealed key material (looked up lazily and cached by version
 * id). The operation modules (keyOperations.ts, aliasOperations.ts, rotationOperations.ts,
 * dataOperations.ts, recipientOperations.ts, maintenance.ts, recoveryService.ts) are functions of
 * a context; VaultService composes them.
 *
 * Reads go through `store.read()` (a stat at most every millisecond), so a key disabled by another
 * process is seen at once for practical purposes. Every write goes through `transact()`: the
 * store's transaction (cross-process lock, durable before it returns, so a new version is on disk
 * before anything is encrypted under it) plus a check that the vault's root key is still the one
 * this process holds.
 */
import { usableSealedMaterial } from '../core/versionStates.js';
import { randomUUID } from 'node:crypto';
import type * as Api from '../core/api.js';
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { KMSInvalidStateException, NotFoundException, toKmsError } from '../core/errors.js';
import { keyArn, parseKeyIdentifier } from '../core/keyIdentifier.js';
import type { KeyRecord, KeyVersionRecord, RotationType } from '../core/keyModel.js';
import { applyRotation } from '../core/rotationSchedule.js';
import type { RootKeys } from '../crypto/rootKeys.js';
import { rootKeyCheckValue } from '../crypto/rootKeys.js';
import { randomBuffer } from '../crypto/randomPool.js';
import { openKeyMaterial, sealKeyMaterial } from '../crypto/sealing.js';
import type { Keychain } from '../keychain/keychain.js';
import type { VaultDocument } from '../store/vaultDocument.js';
import type { VaultStore } from '../store/vaultStore.js';
import type { AuditLog } from './auditLog.js';
import { checkUsable } from './keyRules.js';
import { metadata } from './keyMetadata.js';
import { VaultEventEmitter } from './vaultEvents.js';

export interface VaultContextDeps {
  store: VaultStore;
  keychain: Keychain;
  clock: Clock;
  rootKeys: RootKeys;
  audit: AuditLog;
}

/** A version added inside a transaction, audited and announced after the commit. */
export type Rotation = { key: KeyRecord; version: KeyVersionRecord };

/** A key version ready for use: the key state rules were applied. */
export interface KeyInUse {
  key: KeyRecord;
  version: KeyVersionRecord;
  material: Buffer;
}

/** The key id in a response that carries key metadata (CreateKey's), if any. */
function createdKeyId(result: unknown): string | undefined {
  const id = (result as { KeyMetadata?: { KeyId?: unknown } } | null | undefined)?.KeyMetadata?.KeyId;
  return typeof id === 'string' ? id : undefined;
}

/** The ids of every version that still has sealed material. */
function liveVersionIds(keys: VaultDocument['Keys']): Set<string> {
  const live = new Set<string>();
  for (const id in keys) for (const v of keys[id]!.Versions) if (v.SealedMaterial !== undefined) live.add(v.KeyVersionId);
  return live;
}

export class VaultContext {
  readonly events = new VaultEventEmitter();
  readonly store: VaultStore;
  readonly keychain: Keychain;
  readonly clock: Clock;
  readonly audit: AuditLog;
  private readonly rootKeys: RootKeys;
  private readonly rootCheck: string;
  /** Unsealed material by version id; filled lazily, dropped when a key is purged. */
  private readonly materialCache = new Map<string, Buffer>();
  /** The key of each cached version, where known: dropPurgedMaterial looks at those keys only. */
  private readonly materialKeys = new Map<string, string>();

  constructor(deps: VaultContextDeps) {
    this.store = deps.store;
    this.keychain = deps.keychain;
    this.clock = deps.clock;
    this.rootKeys = deps.rootKeys;
    this.rootCheck = rootKeyCheckValue(deps.rootKeys);
    this.audit = deps.audit;
  }

  get vaultId(): string {
    return this.store.read().VaultId;
  }

  /** Authenticates the file engine's re-encrypt journals (files/rewrapJournal.ts). */
  get journalKey(): Buffer {
    return this.rootKeys.journalKey;
  }

  get sealKey(): Buffer {
    return this.rootKeys.sealKey;
  }

  close(): void {
    this.audit.close();
    this.store.close();
    this.events.removeAllListeners();
    for (const m of this.materialCache.values()) m.fill(0);
    this.materialCache.clear();
    this.materialKeys.clear();
  }

  /** The last timestamp formatted: thousands of audited operations a second share a millisecond. */
  private lastMs = Number.NaN;
  private lastIso = '';

  /** `now` as ISO 8601, formatted once for the thousand rotations of a catch-up that share it. */
  private isoOf(now: Date): string {
    if (now.getTime() !== this.isoOfMs) {
      this.isoOfMs = now.getTime();
      this.isoOfText = now.toISOString();
    }
    return this.isoOfText;
  }
  private isoOfMs = Number.NaN;
  private isoOfText = '';

  nowIso(): string {
    const ms = this.clock === systemClock ? Date.now() : this.clock.now().getTime(); // no Date per call
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastIso = new Date(ms).toISOString();
    }
    return this.lastIso;
  }

  /**
   * Every write goes through here: under the lock, on the latest document, durable on return. A
   * document whose root key is not the one this process holds (the vault was restored from a
   * backup by another process) is refused: sealing under the old key would lose the new versions.
   */
  async transact<T>(fn: (doc: VaultDocument) => T): Promise<T> {
    return this.store.transact((doc) => {
      if (doc.RootKeyCheck !== this.rootCheck) {
        throw new KMSInvalidStateException('The vault was replaced (restored from a backup) by another process: close and reopen it.');
      }
      return fn(doc);
    });
  }

  /** Runs an operation with audit logging: success or failure, with key and version ids, never data. */
  async audited<T>(
    operation: string,
    keyRef: string | undefined,
    fn: () => Promise<T>,
    keyOf?: (r: T) => { KeyId: string; KeyVersionId: string },
    detail?: string,
  ): Promise<T> {
    const time = this.nowIso();
    const extra = detail ? { Detail: detail } : {};
    try {
      const result = await fn();
      if (keyOf) {
        // Cryptographic operations: the response names the key (as an ARN) and version; no second lookup.
        const k = keyOf(result);
        this.audit.append(
          { Time: time, Operation: operation, KeyId: k.KeyId.slice(k.KeyId.lastIndexOf('/') + 1), KeyVersionId: k.KeyVersionId, Outcome: 'Success' },
          true,
        );
      } else {
        // A key made by this call (CreateKey) is named by its response: there was no key to name before.
        this.audit.append({ Time: time, Operation: operation, ...this.auditKey(keyRef ?? createdKeyId(result)), Outcome: 'Success', ...extra });
      }
      return result;
    } catch (err) {
      const e = toKmsError(err);
      this.audit.append({ Time: time, Operation: operation, ...this.auditKey(keyRef), Outcome: 'Failure', ErrorType: e.__type, ...extra });
      throw e;
    }
  }

  /**
   * The hot path of the cryptographic operations (Encrypt, Decrypt, ...): `fn` is synchronous, so
   * no closure is awaited, and the success line is queued without an entry object. A failure is
   * logged like any other. The response names the key (as an ARN) and version: no second lookup.
   */
  auditedCrypto<T extends { KeyId: string; KeyVersionId: string }>(operation: string, keyRef: string | undefined, fn: () => T): T {
    const time = this.nowIso();
    let result: T;
    try {
      result = fn();
    } catch (err) {
      const e = toKmsError(err);
      this.audit.append({ Time: time, Operation: operation, ...this.auditKey(keyRef), Outcome: 'Failure', ErrorType: e.__type });
      throw e;
    }
    const arn = result.KeyId;
    this.audit.appendCryptoSuccess(time, operation, arn.slice(arn.lastIndexOf('/') + 1), result.KeyVersionId);
    return result;
  }

  /** A key's ARN, built once per key (a flat string: the audit line slices the key id back out of it). */
  arnOf(vaultId: string, keyId: string): string {
    let arn = this.arns.get(keyId);
    if (arn === undefined || !arn.includes(vaultId)) {
      if (this.arns.size >= 4096) this.arns.clear();
      arn = keyArn(vaultId, keyId);
      this.arns.set(keyId, arn);
    }
    return arn;
  }

  private readonly arns = new Map<string, string>();

  changed(): void {
    this.events.emit('vaultChanged', { Revision: this.store.revision });
  }

  private auditKey(keyRef: string | undefined): { KeyId?: string } {
    if (!keyRef || typeof keyRef !== 'string') return {};
    try {
      return { KeyId: this.resolveKey(this.store.read(), keyRef).KeyId };
    } catch {
      return {};
    }
  }

  // ---------------------------------------------------------------- key resolution and material

  resolveKey(doc: VaultDocument, identifier: unknown): KeyRecord {
    const ref = parseKeyIdentifier(identifier, doc.VaultId);
    if (ref.kind === 'alias') {
      const alias = doc.Aliases[ref.aliasName];
      if (!alias) throw new NotFoundException(`Alias ${ref.aliasName} does not exist.`);
      const key = doc.Keys[alias.TargetKeyId];
      if (!key) throw new NotFoundException(`Alias ${ref.aliasName} points to a key that no longer exists.`);
      return key;
    }
    const key = doc.Keys[ref.keyId];
    if (!key) throw new NotFoundException(`Key ${ref.keyId} does not exist in this vault.`);
    return key;
  }

  resolveKeyRecord(keyIdentifier: string): KeyRecord {
    return this.resolveKey(this.store.read(), keyIdentifier);
  }

  /** The primary version of a key for encrypting. Applies the key state rules. */
  primaryForUse(doc: VaultDocument, identifier: unknown): KeyInUse {
    const key = this.resolveKey(doc, identifier);
    checkUsable(key);
    const version = key.Versions.find((v) => v.KeyVersionId === key.PrimaryKeyVersionId);
    if (!version) throw new KMSInvalidStateException(`Key ${key.KeyId} has no primary version.`);
    return { key, version, material: this.material(doc, key, version) };
  }

  /** Material of a specific version for unwrapping (file engine). Applies the key state rules. */
  materialForDecrypt(keyId: string, versionId: string): KeyInUse {
    const doc = this.store.read();
    const key = doc.Keys[keyId];
    if (!key) throw new NotFoundException(`Key ${keyId} is not in this vault (it may have been deleted).`);
    checkUsable(key);
    const version = key.Versions.find((v) => v.KeyVersionId === versionId);
    if (!version) throw new NotFoundException(`Key ${keyId} has no version ${versionId}.`);
    return { key, version, material: this.material(doc, key, version) };
  }

  /** The primary version's material for wrapping (file engine). Applies the key state rules. */
  materialForEncrypt(keyIdentifier: string): KeyInUse {
    return this.primaryForUse(this.store.read(), keyIdentifier);
  }

  /** A version's unsealed material. Version states apply here (key states: callers check). */
  material(doc: VaultDocument, key: KeyRecord, version: KeyVersionRecord): Buffer {
    const sealed = usableSealedMaterial(key, version); // version state rules, before any cached material
    let m = this.materialCache.get(version.KeyVersionId);
    if (!m) {
      m = openKeyMaterial(this.rootKeys.sealKey, doc.VaultId, key.KeyId, version.KeyVersionId, sealed);
      this.materialCache.set(version.KeyVersionId, m);
      this.materialKeys.set(version.KeyVersionId, key.KeyId);
    }
    return m;
  }

  /** Keeps the material of a version just created here (it need not be unsealed again). */
  cacheMaterial(versionId: string, material: Buffer): void {
    this.materialCache.set(versionId, material);
  }

  /** A new version record with its material sealed under the root key. */
  newVersion(vaultId: string, keyId: string, now: string, material: Buffer = randomBuffer(32)): { record: KeyVersionRecord; material: Buffer } {
    const versionId = randomUUID();
    const sealed = sealKeyMaterial(this.rootKeys.sealKey, vaultId, keyId, versionId, material);
    return { record: { KeyVersionId: versionId, CreationDate: now, RotationType: 'INITIAL', SealedMaterial: sealed }, material };
  }

  // ---------------------------------------------------------------- changes to keys

  /** Adds a freshly generated primary version to a key inside a transaction. */
  rotateInDoc(doc: VaultDocument, key: KeyRecord, type: RotationType, now: Date): Rotation {
    const iso = this.isoOf(now);
    const { record, material } = this.newVersion(doc.VaultId, key.KeyId, iso);
    applyRotation(key, record, type, now, iso);
    this.materialCache.set(record.KeyVersionId, material);
    this.materialKeys.set(record.KeyVersionId, key.KeyId);
    return { key, version: record };
  }

  /**
   * After the durable commit: audit every rotation (written together, as sealed batches, before
   * this returns: a catch-up may rotate thousands of keys), then tell listeners.
   */
  afterRotations(rotations: Rotation[]): Api.RotationEvent[] {
    for (const { key, version } of rotations) {
      this.audit.append(
        {
          Time: version.CreationDate,
          Operation: 'Rotation',
          KeyId: key.KeyId,
          KeyVersionId: version.KeyVersionId,
          RotationType: version.RotationType,
          Outcome: 'Success',
        },
        true,
      );
    }
    this.audit.flush();
    return rotations.map(({ key, version }) => {
      const event: Api.RotationEvent = {
        KeyId: key.KeyId,
        KeyVersionId: version.KeyVersionId,
        RotationType: version.RotationType,
        RotationDate: version.CreationDate,
      };
      this.events.emit('rotation', event);
      return event;
    });
  }

  /**
   * Zeroes and forgets the material of versions no longer in the document (or destroyed). Cached
   * versions whose key is known are looked up under that key: a catch-up that rotated 1,000 keys
   * of 10,000 checks 1,000 keys, not 50,000 versions. Others need the walk of every key.
   */
  dropPurgedMaterial(): void {
    const keys = this.store.read().Keys;
    let live: Set<string> | undefined;
    for (const [id, m] of this.materialCache) {
      const keyId = this.materialKeys.get(id);
      let kept: boolean;
      if (keyId !== undefined) {
        kept = keys[keyId]?.Versions.some((v) => v.KeyVersionId === id && v.SealedMaterial !== undefined) === true;
      } else {
        live ??= liveVersionIds(keys);
        kept = live.has(id);
      }
      if (!kept) {
        m.fill(0);
        this.materialCache.delete(id);
        this.materialKeys.delete(id);
      }
    }
  }

  /**
   * A state-changing operation on one key: resolve it inside the transaction (under the lock, on
   * the latest document), apply `change`, commit durably, then audit rotations and emit events.
   */
  async mutateKey(
    operation: string,
    req: Api.KeyIdRequest,
    change: (key: KeyRecord, now: Date, doc: VaultDocument) => Rotation[],
  ): Promise<Api.KeyMetadataResponse> {
    return this.audited(operation, req?.KeyId, async () => {
      const now = this.clock.now();
      let keyId = '';
      let rotations: Rotation[] = [];
      try {
        await this.transact((doc) => {
          const key = this.resolveKey(doc, req?.KeyId);
          keyId = key.KeyId;
          rotations = change(key, now, doc);
        });
      } catch (err) {
        // Versions generated in a transaction that did not commit must not linger in the cache.
        this.dropPurgedMaterial();
        throw err;
      }
      this.afterRotations(rotations);
      this.changed();
      const doc = this.store.read();
      return { KeyMetadata: metadata(doc, doc.Keys[keyId]!) };
    });
  }
}
