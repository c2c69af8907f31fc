/**
 * File operations of the vault: standard age v1 files whose file key is wrapped under a vault key
 * (the `keyvault.local/cmk` stanza) and under every recovery recipient of the vault.
 *
 * Jobs stream with bounded memory, report throttled progress, can be cancelled, and never leave
 * partial output. Binary files go through payloadPipeline.ts (a fixed set of 1 MiB block buffers,
 * sealed or opened in place, reads ahead, several writes and a background fdatasync in flight);
 * ASCII-armored ones through the stream classes on this thread (1 MiB reads cut into 64 KiB STREAM
 * chunks, one read ahead, one write in flight). Either way results are written to a temporary
 * file in the destination directory and moved into place only when complete (decryption: after
 * the final chunk authenticated). Re-encrypting rewrites only
 * the header, in place and crash-safely (rewrapJournal.ts), when the new header has the old one's
 * length; otherwise it writes a new file and renames it over the old one.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { basename, dirname, resolve } from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import type * as Api from '../core/api.js';
import {
  AlreadyExistsException,
  KMSInternalException,
  NotFoundException,
  ValidationException,
} from '../core/errors.js';
import {
  ArmorDecoder,
  ArmorEncoder,
  AgeDecryptionError,
  canReleaseBuffers,
  CHUNK_SIZE,
  createHeader,
  formatHeader,
  looksArmored,
  parseHeader,
  parseIdentityFile,
  parseRecipient,
  payloadPlaintextSize,
  ScryptIdentity,
  StreamDecryptor,
  StreamEncryptor,
  unwrapFileKey,
  verifyHeaderMac,
  X25519Identity,
  X25519Recipient,
  type Identity,
  type ParsedHeader,
  type Recipient,
  type Stanza,
} from '../crypto/age/index.js';
import { headerError } from '../crypto/age/errors.js';
import { openSecret, sealSecret } from '../crypto/sealing.js';
import {
  openVaultStanza,
  sealVaultStanza,
  VAULT_STANZA_TYPE,
  VaultStanzaIdentity,
  VaultStanzaRecipient,
  vaultStanzaRef,
  type VaultStanzaRef,
} from '../crypto/vaultStanza.js';
import type { SealedSecretRecord } from '../store/vaultDocument.js';
import type { VaultService } from '../vault/vaultService.js';
import { defaultOutputPath, typedFileJobError } from './fileJobErrors.js';
import { BlockWriter, exists, GarbageNudge, openInput, readBlocks, readFull, TempOutput, throwIfAborted } from './fileIo.js';
import { decryptPayload, encryptPayload } from './payloadPipeline.js';
import { expectedRecoveryShare, RecoveryRecipient } from './recoveryStanza.js';
import { repairRewrap, rewriteHeaderInPlace } from './rewrapJournal.js';

const MAX_HEADER_BYTES = 16 << 20;
const FIRST_READ = 64 * 1024;
const PROGRESS_MIN_BYTES = 1 << 20;
const PROGRESS_MIN_MS = 100;
const OPERATIONS: ReadonlySet<string> = new Set<Api.FileOperation>(['Encrypt', 'Decrypt', 'ReEncrypt', 'Inspect']);

/** The age stream classes return ready bytes as one buffer or a list of them: either way, a list. */
function parts(out: Buffer | readonly Buffer[]): Buffer[] {
  if (Buffer.isBuffer(out)) return out.length > 0 ? [out] : [];
  return out.filter((b) => b.length > 0);
}

function joined(out: Buffer | readonly Buffer[]): Buffer {
  const list = parts(out);
  return list.length === 1 ? (list[0] as Buffer) : Buffer.concat(list);
}

const TAG_SIZE = 16;
const PAYLOAD_NONCE_SIZE = 16;

/**
 * Feeds a StreamEncryptor or StreamDecryptor in pieces that end on STREAM chunk boundaries, so
 * each push completes at most one chunk and hands back that chunk's buffer as it is. (Given a
 * whole 1 MiB block, the stream classes join its chunks into one new buffer: a second copy of
 * every byte, which profiling showed costing more than the decryption itself.)
 */
class ChunkAlignedFeed {
  private fed = 0;

  constructor(
    private readonly push: (piece: Buffer) => Buffer | readonly Buffer[],
    private readonly first: number,
    private readonly period: number,
  ) {}

  feed(block: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let offset = 0;
    while (offset < block.length) {
      const next = this.fed < this.first ? this.first : this.first + (Math.floor((this.fed - this.first) / this.period) + 1) * this.period;
      const take = Math.min(next - this.fed, block.length - offset);
      for (const p of parts(this.push(block.subarray(offset, offset + take)))) out.push(p);
      offset += take;
      this.fed += take;
    }
    return out;
  }
}

/** The plaintext side: 64 KiB pieces. */
const encryptorFeed = (enc: StreamEncryptor): ChunkAlignedFeed => new ChunkAlignedFeed((b) => enc.push(b), CHUNK_SIZE, CHUNK_SIZE);
/** The payload side: the 16-byte nonce, then 64 KiB + 16 pieces. */
const decryptorFeed = (dec: StreamDecryptor): ChunkAlignedFeed => new ChunkAlignedFeed((b) => dec.push(b), PAYLOAD_NONCE_SIZE, CHUNK_SIZE + TAG_SIZE);

/** The header of a file as found on disk. */
interface FileHeader {
  parsed: ParsedHeader;
  /** The binary header bytes, MAC line included (a private copy). */
  raw: Buffer;
  armored: boolean;
}

/** Throttled progress events for one job (and the memory nudge that goes with its blocks). */
class Progress {
  private readonly nudge = new GarbageNudge();
  private done = 0;
  private lastBytes = 0;
  private lastTime = 0;

  constructor(
    private readonly vault: VaultService,
    private readonly jobId: string,
    private readonly total: number,
  ) {}

  add(n: number): void {
    this.nudge.add(n);
    this.count(n);
  }

  private count(n: number): void {
    this.done += n;
    const now = Date.now();
    if (this.done - this.lastBytes >= PROGRESS_MIN_BYTES && now - this.lastTime >= PROGRESS_MIN_MS) this.emit(now);
  }

  /** As add(), for jobs whose buffers are released as they go (no collection needed). */
  advance(n: number): void {
    // Without buffer release (crypto/age/blocks.ts), node:crypto results wait for the GC.
    if (!canReleaseBuffers()) this.nudge.add(n);
    this.count(n);
  }

  finish(): void {
    this.done = Math.max(this.done, this.total);
    this.emit(Date.now());
  }

  private emit(now: number): void {
    this.lastBytes = this.done;
    this.lastTime = now;
    this.vault.events.emit('fileProgress', { JobId: this.jobId, BytesDone: this.done, BytesTotal: this.total });
  }
}

function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new ValidationException(`${field} is required.`);
  return value;
}

/** The binary age bytes of a file: as stored, or with the ASCII armor removed. */
async function* binarySource(fh: FileHandle, armored: boolean): AsyncGenerator<Buffer, void, undefined> {
  if (!armored) {
    yield* readBlocks(fh, 0);
    return;
  }
  const decoder = new ArmorDecoder();
  for await (const block of readBlocks(fh, 0)) {
    const bytes = joined(decoder.push(block));
    if (bytes.length > 0) yield bytes;
  }
  const tail = joined(decoder.final());
  if (tail.length > 0) yield tail;
}

/** Reads just the header of a file (binary or armored), with a private copy of its bytes. */
async function readFileHeader(fh: FileHandle, size: number): Promise<FileHeader> {
  const first = Buffer.alloc(Math.min(FIRST_READ, size));
  const n = await readFull(fh, first, 0);
  const armored = looksArmored(first.subarray(0, n));
  if (!armored) {
    let buf = first.subarray(0, n);
    for (;;) {
      const parsed = parseHeader(buf);
      if (parsed.complete) return { parsed, raw: buf.subarray(0, parsed.payloadOffset), armored };
      if (buf.length >= size || buf.length >= MAX_HEADER_BYTES) {
        throw headerError(buf.length >= size ? 'file is truncated inside the header' : 'header is larger than the limit');
      }
      const bigger = Buffer.alloc(Math.min(size, buf.length * 4, MAX_HEADER_BYTES));
      buf = bigger.subarray(0, await readFull(fh, bigger, 0));
    }
  }
  let head = Buffer.alloc(0);
  for await (const block of binarySource(fh, true)) {
    head = Buffer.concat([head, block]);
    const parsed = parseHeader(head);
    if (parsed.complete) {
      const raw = Buffer.from(head.subarray(0, parsed.payloadOffset));
      return { parsed: parseHeader(raw) as ParsedHeader & { complete: true }, raw, armored };
    }
    if (head.length > MAX_HEADER_BYTES) throw headerError('header is larger than the limit');
  }
  throw headerError('file is truncated inside the header');
}

/** Default output of a decryption: the name without `.age`, or with `.decrypted` added. */
function defaultDecryptedPath(input: string): string {
  return input.endsWith('.age') && basename(input).length > 4 ? input.slice(0, -4) : `${input}.decrypted`;
}

export class FileService {
  private readonly jobs = new Map<string, AbortController>();

  constructor(readonly vault: VaultService) {}

  // ------------------------------------------------------------------ jobs

  async runFileJob(req: Api.FileJobRequest): Promise<Api.FileJobResult> {
    const jobId = requireString(req?.JobId, 'JobId');
    if (typeof req.Operation !== 'string' || !OPERATIONS.has(req.Operation)) {
      throw new ValidationException('Operation must be Encrypt, Decrypt, ReEncrypt or Inspect.');
    }
    const input = resolve(requireString(req.InputPath, 'InputPath'));
    if (req.OutputPath !== undefined && (typeof req.OutputPath !== 'string' || req.OutputPath === '')) throw new ValidationException('OutputPath must be a path (an empty one would name the current directory).');
    if (req.KeyId !== undefined && typeof req.KeyId !== 'string') throw new ValidationException('KeyId must be a key id, ARN or alias.');
    if (this.jobs.has(jobId)) throw new ValidationException(`A file job with JobId ${jobId} is already running.`);
    const controller = new AbortController();
    this.jobs.set(jobId, controller);
    const op = req.Operation;
    const keyRef = op === 'Encrypt' || op === 'ReEncrypt' ? req.KeyId : undefined;
    try {
      return await this.vault.audited(`${op}File`, keyRef ?? (await this.peekKeyId(input)), async () => {
        switch (op) {
          case 'Encrypt':
            return this.encryptFile(jobId, input, req, controller.signal);
          case 'Decrypt':
            return this.decryptFile(jobId, input, req, controller.signal);
          case 'ReEncrypt':
            return this.reEncryptFile(jobId, input, req, controller.signal);
          case 'Inspect':
            return this.inspectFile(jobId, input);
        }
      }).catch((err: unknown) => { throw typedFileJobError(err, input, defaultOutputPath(op, input, req.OutputPath)); }); // hostile 13.11
    } finally {
      this.jobs.delete(jobId);
    }
  }

  async cancelFileJob(req: { JobId: string }): Promise<{ Cancelled: boolean }> {
    const controller = this.jobs.get(requireString(req?.JobId, 'JobId'));
    if (!controller) return { Cancelled: false };
    controller.abort();
    return { Cancelled: true };
  }

  private async encryptFile(jobId: string, input: string, req: Api.FileJobRequest, signal: AbortSignal): Promise<Api.FileJobResult> {
    const keyId = requireString(req.KeyId, 'KeyId');
    const output = resolve(req.OutputPath ?? `${input}.age`);
    await this.checkOutput(input, output, req.Overwrite === true);
    const { fh, size } = await openInput(input);
    let out: TempOutput | null = null;
    try {
      const vaultRecipient = new VaultStanzaRecipient(this.vault, keyId);
      const recipients: Recipient[] = [vaultRecipient, ...this.vault.store.read().RecoveryRecipients.map((r) => RecoveryRecipient.parse(r))];
      const { fileKey, header } = await createHeader(recipients);
      const used = vaultRecipient.used as VaultStanzaRef;
      const progress = new Progress(this.vault, jobId, size);
      try {
        out = await TempOutput.create(output);
        if (req.Armor === true) {
          await this.encryptArmored(fh, out.fh, header, fileKey, progress, signal);
        } else {
          const job = { input: fh, output: out.fh, inputStart: 0, outputStart: 0, signal, onInput: (n: number) => progress.advance(n) };
          await encryptPayload(job, fileKey, randomBytes(PAYLOAD_NONCE_SIZE), header);
        }
      } finally {
        fileKey.fill(0);
      }
      throwIfAborted(signal);
      await out.commit(req.Overwrite === true);
      out = null;
      progress.finish();
      return { JobId: jobId, Operation: 'Encrypt', InputPath: input, OutputPath: output, KeyId: used.keyId, KeyVersionId: used.keyVersionId, BytesProcessed: size };
    } finally {
      await out?.discard();
      await fh.close();
    }
  }

  /** Encryption with ASCII armor: the stream classes on this thread, output through the armorer. */
  private async encryptArmored(fh: FileHandle, outFh: FileHandle, header: Buffer, fileKey: Buffer, progress: Progress, signal: AbortSignal): Promise<void> {
    const enc = new StreamEncryptor(fileKey);
    const writer = new BlockWriter(outFh);
    const armorer = new ArmorEncoder();
    const emit = (out: Buffer | readonly Buffer[]): Buffer[] => parts(armorer.push(joined(out)));
    const feed = encryptorFeed(enc);
    try {
      await writer.write(emit(header));
      for await (const block of readBlocks(fh, 0)) {
        throwIfAborted(signal);
        await writer.write(emit(feed.feed(block)));
        progress.add(block.length);
      }
      await writer.write(emit(enc.final()));
      await writer.write([armorer.final()]);
    } finally {
      await writer.flush().catch(() => undefined);
    }
    await writer.flush();
  }

  private async decryptFile(jobId: string, input: string, req: Api.FileJobRequest, signal: AbortSignal): Promise<Api.FileJobResult> {
    const output = resolve(req.OutputPath ?? defaultDecryptedPath(input));
    await repairRewrap(input);
    await this.checkOutput(input, output, req.Overwrite === true);
    const { fh, size } = await openInput(input);
    let out: TempOutput | null = null;
    try {
      const first = Buffer.alloc(Math.min(256, size));
      await readFull(fh, first, 0);
      const progress = new Progress(this.vault, jobId, size);
      let result: { opened: VaultStanzaRef | null; produced: number };
      if (looksArmored(first)) {
        result = await this.decryptArmored(fh, output, progress, signal, (o) => (out = o));
      } else {
        const header = await readFileHeader(fh, size);
        progress.advance(header.raw.length);
        // The header MAC is verified here, before any payload byte is looked at.
        const { fileKey, opened } = await this.unwrapForDecrypt(header.parsed);
        try {
          out = await TempOutput.create(output);
          const job = { input: fh, output: out.fh, inputStart: header.raw.length, outputStart: 0, signal, onInput: (n: number) => progress.advance(n) };
          result = { opened, produced: await decryptPayload(job, fileKey) };
        } finally {
          fileKey.fill(0);
        }
      }
      if (out === null) throw headerError('file is truncated inside the header');
      throwIfAborted(signal);
      await (out as TempOutput).commit(req.Overwrite === true);
      out = null;
      progress.finish();
      const { opened, produced } = result;
      return {
        JobId: jobId,
        Operation: 'Decrypt',
        InputPath: input,
        OutputPath: output,
        ...(opened ? { KeyId: opened.keyId, KeyVersionId: opened.keyVersionId } : {}),
        BytesProcessed: produced,
      };
    } finally {
      await (out as TempOutput | null)?.discard();
      await fh.close();
    }
  }

  /** Decryption of an ASCII-armored file: the stream classes on this thread. */
  private async decryptArmored(
    fh: FileHandle,
    output: string,
    progress: Progress,
    signal: AbortSignal,
    created: (out: TempOutput) => void,
  ): Promise<{ opened: VaultStanzaRef | null; produced: number }> {
    let head: Buffer | null = Buffer.alloc(0);
    let state: { dec: StreamDecryptor; feed: ChunkAlignedFeed; writer: BlockWriter } | null = null;
    let opened: VaultStanzaRef | null = null;
    let produced = 0;
    const write = async (w: BlockWriter, parts: Buffer[]): Promise<void> => {
      for (const p of parts) produced += p.length;
      await w.write(parts);
    };
    try {
      for await (const block of binarySource(fh, true)) {
        throwIfAborted(signal);
        if (state !== null) {
          await write(state.writer, state.feed.feed(block));
        } else {
          const buffered: Buffer = Buffer.concat([head ?? Buffer.alloc(0), block]);
          const parsed = parseHeader(buffered);
          if (!parsed.complete) {
            if (buffered.length > MAX_HEADER_BYTES) throw headerError('header is larger than the limit');
            head = buffered;
            continue;
          }
          // The header MAC is verified here, before any payload byte is looked at.
          const unwrapped = await this.unwrapForDecrypt(parsed);
          opened = unwrapped.opened;
          const dec = new StreamDecryptor(unwrapped.fileKey);
          unwrapped.fileKey.fill(0);
          const out = await TempOutput.create(output);
          created(out);
          state = { dec, feed: decryptorFeed(dec), writer: new BlockWriter(out.fh) };
          head = null;
          await write(state.writer, state.feed.feed(buffered.subarray(parsed.payloadOffset)));
        }
        progress.add(block.length);
      }
      if (state === null) {
        if (head !== null) parseHeader(head);
        throw headerError('file is truncated inside the header');
      }
      await write(state.writer, parts(state.dec.final()));
    } finally {
      await state?.writer.flush().catch(() => undefined);
    }
    await state.writer.flush();
    return { opened, produced };
  }

  private async reEncryptFile(jobId: string, input: string, req: Api.FileJobRequest, signal: AbortSignal): Promise<Api.FileJobResult> {
    if (req.OutputPath !== undefined && resolve(req.OutputPath) !== input) {
      throw new ValidationException('ReEncrypt rewrites the file in place; OutputPath is not accepted.');
    }
    await repairRewrap(input);
    const { fh, size } = await openInput(input);
    let closed = false;
    const close = async (): Promise<void> => {
      if (!closed) {
        closed = true;
        await fh.close();
      }
    };
    try {
      const header = await readFileHeader(fh, size);
      const { stanzas } = header.parsed;
      if (stanzas.some((s) => s.type === 'scrypt')) {
        throw new ValidationException('A passphrase-encrypted age file cannot be put under a vault key (scrypt must be its only stanza).');
      }
      const { fileKey, opened } = await this.unwrapForDecrypt(header.parsed);
      try {
        const destination = req.KeyId ?? opened?.keyId;
        if (destination === undefined) {
          throw new ValidationException('The file is not under a vault key: give the destination key (KeyId).');
        }
        const { key, version, material } = this.vault.materialForEncrypt(destination);
        const target: VaultStanzaRef = { keyId: key.KeyId, keyVersionId: version.KeyVersionId };
        const current = stanzas.filter((s) => s.type === VAULT_STANZA_TYPE);
        const progress = new Progress(this.vault, jobId, size);
        const result = { JobId: jobId, Operation: 'ReEncrypt' as const, InputPath: input, OutputPath: input, KeyId: target.keyId, KeyVersionId: target.keyVersionId };
        if (current.length === 1 && opened && opened.keyId === target.keyId && opened.keyVersionId === target.keyVersionId) {
          // Already under the destination's primary version: nothing to write.
          progress.finish();
          await close();
          const inspection = await this.describeHeader(input, header, size);
          return { ...result, BytesProcessed: 0, AlreadyCurrent: true, Inspection: inspection };
        }
        const fresh = sealVaultStanza(target, material, fileKey);
        const firstVault = stanzas.findIndex((s) => s.type === VAULT_STANZA_TYPE);
        const kept = stanzas.filter((s) => s.type !== VAULT_STANZA_TYPE);
        const next: Stanza[] = firstVault < 0 ? [fresh, ...kept] : [...kept.slice(0, firstVault), fresh, ...kept.slice(firstVault)];
        const newHeader = formatHeader(next, fileKey);
        throwIfAborted(signal);
        if (!header.armored && newHeader.length === header.raw.length) {
          await close();
          await rewriteHeaderInPlace(input, header.raw, newHeader, size);
          progress.finish();
          return { ...result, BytesProcessed: newHeader.length };
        }
        const written = await this.rewriteWholeFile(fh, input, header, newHeader, progress, signal);
        progress.finish();
        return { ...result, BytesProcessed: written };
      } finally {
        fileKey.fill(0);
      }
    } finally {
      await close();
    }
  }

  /** The slow path of ReEncrypt: a new file with the new header and the same payload, renamed over the old. */
  private async rewriteWholeFile(fh: FileHandle, input: string, header: FileHeader, newHeader: Buffer, progress: Progress, signal: AbortSignal): Promise<number> {
    let out: TempOutput | null = await TempOutput.create(input);
    try {
      await out.fh.chmod((await fh.stat()).mode & 0o7777);
      const writer = new BlockWriter(out.fh);
      const armorer = header.armored ? new ArmorEncoder() : null;
      const emit = (b: Buffer): Buffer[] => (armorer === null ? [Buffer.from(b)] : parts(armorer.push(b)));
      await writer.write(emit(newHeader));
      let skip = header.raw.length;
      for await (const block of binarySource(fh, header.armored)) {
        throwIfAborted(signal);
        const rest = skip >= block.length ? null : block.subarray(skip);
        skip = Math.max(0, skip - block.length);
        if (rest !== null) await writer.write(emit(rest));
        progress.add(block.length);
      }
      if (armorer !== null) await writer.write([armorer.final()]);
      await writer.flush();
      throwIfAborted(signal);
      const written = writer.position;
      await out.commit(true);
      out = null;
      return written;
    } finally {
      await out?.discard();
    }
  }

  private async inspectFile(jobId: string, input: string): Promise<Api.FileJobResult> {
    await repairRewrap(input);
    const { fh, size } = await openInput(input);
    try {
      const header = await readFileHeader(fh, size);
      const inspection = await this.describeHeader(input, header, size, fh);
      return {
        JobId: jobId,
        Operation: 'Inspect',
        InputPath: input,
        ...(inspection.KeyId ? { KeyId: inspection.KeyId } : {}),
        ...(inspection.KeyVersionId ? { KeyVersionId: inspection.KeyVersionId } : {}),
        BytesProcessed: 0,
        Inspection: inspection,
      };
    } finally {
      await fh.close();
    }
  }

  /** FileInspection from a header; recovery recipients are recognised when the vault can unwrap the file key. */
  private async describeHeader(input: string, header: FileHeader, size: number, fh?: FileHandle): Promise<Api.FileInspection> {
    const { stanzas } = header.parsed;
    const vaultStanza = stanzas.find((s) => s.type === VAULT_STANZA_TYPE);
    const ref = vaultStanza ? vaultStanzaRef(vaultStanza) : null;
    const doc = this.vault.store.read();
    const key = ref ? doc.Keys[ref.keyId] : undefined;
    const recovery: string[] = [];
    if (vaultStanza && ref) {
      let fileKey: Buffer | null = null;
      try {
        fileKey = openVaultStanza(vaultStanza, this.vault.materialForDecrypt(ref.keyId, ref.keyVersionId).material);
      } catch (err) {
        // A key that is disabled, pending deletion or gone: the recipients just are not named.
        if (err instanceof AgeDecryptionError) throw err;
      }
      if (fileKey !== null) {
        try {
          verifyHeaderMac(header.parsed, fileKey);
          const shares = new Set(stanzas.filter((s) => s.type === 'X25519' && s.args.length === 1).map((s) => s.args[0] as string));
          for (const r of doc.RecoveryRecipients) {
            if (shares.has(expectedRecoveryShare(fileKey, X25519Recipient.parse(r)))) recovery.push(r);
          }
        } finally {
          fileKey.fill(0);
        }
      }
    }
    let binarySize = size;
    if (header.armored && fh) {
      binarySize = 0;
      for await (const block of binarySource(fh, true)) binarySize += block.length;
    }
    let plaintextSize: number | undefined;
    if (!header.armored || fh) {
      try {
        plaintextSize = payloadPlaintextSize(binarySize - header.raw.length);
      } catch {
        plaintextSize = undefined;
      }
    }
    return {
      ...(ref ? { KeyId: ref.keyId, KeyVersionId: ref.keyVersionId, IsPrimaryVersion: key?.PrimaryKeyVersionId === ref.keyVersionId } : {}),
      RecoveryRecipients: recovery,
      Stanzas: stanzas.map((s) => ({ Type: s.type, Args: [...s.args] })),
      Armored: header.armored,
      Size: size,
      HeaderSize: header.raw.length,
      ...(plaintextSize !== undefined ? { PlaintextSize: plaintextSize } : {}),
    };
  }

  /** The file key, trying the vault stanza first, then the stored identities and passphrases. */
  private async unwrapForDecrypt(parsed: ParsedHeader): Promise<{ fileKey: Buffer; opened: VaultStanzaRef | null }> {
    const vaultIdentity = new VaultStanzaIdentity(this.vault);
    const identities: Identity[] = [vaultIdentity, ...this.storedIdentities(parsed.stanzas)];
    try {
      const fileKey = await unwrapFileKey(parsed, identities);
      return { fileKey, opened: vaultIdentity.opened };
    } catch (err) {
      if (err instanceof AgeDecryptionError && err.stage === 'no-match' && vaultIdentity.missing) throw vaultIdentity.missing;
      throw err;
    }
  }

  /** Identities from the vault's sealed secrets; passphrases only when the file has an scrypt stanza. */
  private storedIdentities(stanzas: readonly Stanza[]): Identity[] {
    const doc = this.vault.store.read();
    const wantX25519 = stanzas.some((s) => s.type === 'X25519');
    const wantScrypt = stanzas.some((s) => s.type === 'scrypt');
    const out: Identity[] = [];
    for (const s of doc.Secrets) {
      if (s.Kind === 'X25519Identity' && !wantX25519) continue;
      if (s.Kind === 'Passphrase' && !wantScrypt) continue;
      const raw = openSecret(this.vault.sealKey, doc.VaultId, s.Id, s.Kind, s.Sealed);
      try {
        out.push(s.Kind === 'X25519Identity' ? X25519Identity.parse(raw.toString('utf8')) : new ScryptIdentity(raw));
      } finally {
        raw.fill(0);
      }
    }
    return out;
  }

  /** Best effort, for the audit line: the key named by a binary file's vault stanza. */
  private async peekKeyId(input: string): Promise<string | undefined> {
    try {
      const { fh, size } = await openInput(input);
      try {
        const header = await readFileHeader(fh, size);
        const s = header.parsed.stanzas.find((x) => x.type === VAULT_STANZA_TYPE);
        return s ? vaultStanzaRef(s).keyId : undefined;
      } finally {
        await fh.close();
      }
    } catch {
      return undefined;
    }
  }

  private async checkOutput(input: string, output: string, overwrite: boolean): Promise<void> {
    if (output === input) throw new ValidationException('The output path must differ from the input path.');
    if (!overwrite && (await exists(output))) throw new AlreadyExistsException(`${output} already exists (use Overwrite to replace it).`);
    if (!(await exists(dirname(output)))) throw new NotFoundException(`The output directory ${dirname(output)} does not exist.`);
  }

  // ------------------------------------------------------------------ recovery recipients

  async addRecoveryRecipient(req: Api.RecipientRequest): Promise<Api.ListRecoveryRecipientsResponse> {
    return this.vault.audited('AddRecoveryRecipient', undefined, async () => {
      const text = requireString(req?.Recipient, 'Recipient');
      const canonical = (parseRecipient(text) as X25519Recipient).toString();
      await this.vault.transact((doc) => {
        if (doc.RecoveryRecipients.includes(canonical)) throw new AlreadyExistsException(`${canonical} is already a recovery recipient.`);
        doc.RecoveryRecipients.push(canonical);
      });
      this.vault.changed();
      return this.listRecoveryRecipients();
    });
  }

  async removeRecoveryRecipient(req: Api.RecipientRequest): Promise<Api.ListRecoveryRecipientsResponse> {
    return this.vault.audited('RemoveRecoveryRecipient', undefined, async () => {
      const text = requireString(req?.Recipient, 'Recipient').trim();
      await this.vault.transact((doc) => {
        const i = doc.RecoveryRecipients.indexOf(text);
        if (i < 0) throw new NotFoundException(`${text} is not a recovery recipient of this vault.`);
        doc.RecoveryRecipients.splice(i, 1);
      });
      this.vault.changed();
      return this.listRecoveryRecipients();
    });
  }

  async listRecoveryRecipients(): Promise<Api.ListRecoveryRecipientsResponse> {
    return { Recipients: [...this.vault.store.read().RecoveryRecipients] };
  }

  // ------------------------------------------------------------------ identities and passphrases

  async addIdentity(req: Api.AddIdentityRequest): Promise<Api.ListIdentitiesResponse> {
    return this.vault.audited('AddIdentity', undefined, async () => {
      const identities = parseIdentityFile(requireString(req?.IdentityFileText, 'IdentityFileText'));
      const now = this.vault.clock.now().toISOString();
      await this.vault.transact((doc) => {
        for (const identity of identities) {
          const recipient = identity.recipient.toString();
          if (doc.Secrets.some((s) => s.Kind === 'X25519Identity' && s.Label === recipient)) continue;
          const secret = Buffer.from(identity.toString(), 'utf8');
          doc.Secrets.push(this.sealRecord(doc.VaultId, 'X25519Identity', recipient, now, secret));
          secret.fill(0);
        }
      });
      this.vault.changed();
      return this.listIdentities();
    });
  }

  async addPassphrase(req: Api.AddPassphraseRequest): Promise<Api.ListIdentitiesResponse> {
    return this.vault.audited('AddPassphrase', undefined, async () => {
      const passphrase = requireString(req?.Passphrase, 'Passphrase');
      if (req.Label !== undefined && (typeof req.Label !== 'string' || req.Label.length === 0 || req.Label.length > 200)) {
        throw new ValidationException('Label must be a non-empty string of at most 200 characters.');
      }
      const now = this.vault.clock.now().toISOString();
      await this.vault.transact((doc) => {
        const label = req.Label ?? `passphrase ${doc.Secrets.filter((s) => s.Kind === 'Passphrase').length + 1}`;
        const secret = Buffer.from(passphrase, 'utf8');
        doc.Secrets.push(this.sealRecord(doc.VaultId, 'Passphrase', label, now, secret));
        secret.fill(0);
      });
      this.vault.changed();
      return this.listIdentities();
    });
  }

  async removeIdentity(req: { Id: string }): Promise<Api.ListIdentitiesResponse> {
    return this.vault.audited('RemoveIdentity', undefined, async () => {
      const id = requireString(req?.Id, 'Id');
      await this.vault.transact((doc) => {
        const i = doc.Secrets.findIndex((s) => s.Id === id);
        if (i < 0) throw new NotFoundException(`No identity or passphrase with Id ${id} is stored in this vault.`);
        doc.Secrets.splice(i, 1);
      });
      this.vault.changed();
      return this.listIdentities();
    });
  }

  /** Public parts only: the age1... recipient of each identity, `passphrase:<label>` for passphrases. */
  async listIdentities(): Promise<Api.ListIdentitiesResponse> {
    return {
      Identities: this.vault.store.read().Secrets.map((s) => ({
        Id: s.Id,
        Recipient: s.Kind === 'X25519Identity' ? s.Label : `passphrase:${s.Label}`,
        CreationDate: s.CreationDate,
      })),
    };
  }

  private sealRecord(vaultId: string, kind: SealedSecretRecord['Kind'], label: string, now: string, secret: Buffer): SealedSecretRecord {
    const id = randomUUID();
    const sealed = sealSecret(this.vault.sealKey, vaultId, id, kind, secret);
    if (sealed.length === 0) throw new KMSInternalException('Sealing the secret failed.');
    return { Id: id, Kind: kind, Label: label, CreationDate: now, Sealed: sealed };
  }
}
