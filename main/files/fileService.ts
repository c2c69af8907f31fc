/**
 * File operations of the vault: standard age v1 files whose file key is wrapped under a vault key
 * (the `keyvault.local/cmk` stanza) and under every recovery recipient of the vault.
 *
 * Jobs stream with bounded memory, report throttled progress, can be cancelled, and never leave
 * partial output. Binary and ASCII-armored files alike go through payloadPipeline.ts (a fixed set of
 * 1 MiB block buffers, sealed or opened in place, reads ahead, several writes and a background
 * fdatasync in flight; armor is a transform on the way out or in). Results are written to a temporary file in
 * the destination directory and moved into place only when complete (decryption: after the final
 * chunk authenticated). Re-encrypting is reEncryptFile.ts, inspecting inspectFile.ts.
 *
 * The engine reaches the vault only through the VaultPort it is given (vaultPort.ts).
 */
import { randomBytes } from 'node:crypto';
import { basename, dirname, resolve } from 'node:path';
import type * as Api from '../core/api.js';
import { AlreadyExistsException, NotFoundException, ValidationException } from '../core/errors.js';
import { createHeader, PAYLOAD_NONCE_SIZE, type Recipient } from '../crypto/age/index.js';
import { VaultStanzaRecipient, type VaultStanzaRef } from '../crypto/vaultStanza.js';
import { readFileHeader } from './fileHeader.js';
import { exists, openInput, TempOutput, throwIfAborted } from './fileIo.js';
import { peekKeyId, unwrapForDecrypt } from './fileKeys.js';
import { inspectFile } from './inspectFile.js';
import { Progress } from './jobProgress.js';
import { defaultOutputPath, typedFileJobError } from './fileJobErrors.js';
import { decryptPayload, encryptPayload } from './payloadPipeline.js';
import { RecoveryRecipient } from './recoveryStanza.js';
import { reEncryptFile } from './reEncryptFile.js';
import { assertNoInterruptedRewrap } from './rewrapJournal.js';
import type { VaultPort } from './vaultPort.js';

const OPERATIONS: ReadonlySet<string> = new Set<Api.FileOperation>(['Encrypt', 'Decrypt', 'ReEncrypt', 'Inspect']);

export function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new ValidationException(`${field} is required.`);
  return value;
}

/** Default output of a decryption: the name without `.age`, or with `.decrypted` added. */
function defaultDecryptedPath(input: string): string {
  return input.endsWith('.age') && basename(input).length > 4 ? input.slice(0, -4) : `${input}.decrypted`;
}

export class FileService {
  private readonly jobs = new Map<string, AbortController>();

  constructor(readonly vault: VaultPort) {}

  // ------------------------------------------------------------------ jobs

  async runFileJob(req: Api.FileJobRequest): Promise<Api.FileJobResult> {
    const jobId = requireString(req?.JobId, 'JobId');
    if (typeof req.Operation !== 'string' || !OPERATIONS.has(req.Operation)) {
      throw new ValidationException('Operation must be Encrypt, Decrypt, ReEncrypt or Inspect.');
    }
    const input = resolve(requireString(req.InputPath, 'InputPath'));
    if (req.OutputPath !== undefined && (typeof req.OutputPath !== 'string' || req.OutputPath === ''))
      throw new ValidationException('OutputPath must be a path (an empty one would name the current directory).');
    if (req.KeyId !== undefined && typeof req.KeyId !== 'string') throw new ValidationException('KeyId must be a key id, ARN or alias.');
    if (this.jobs.has(jobId)) throw new ValidationException(`A file job with JobId ${jobId} is already running.`);
    const controller = new AbortController();
    this.jobs.set(jobId, controller);
    const op = req.Operation;
    const keyRef = op === 'Encrypt' || op === 'ReEncrypt' ? req.KeyId : undefined;
    try {
      return await this.vault
        .audited(
          `${op}File`,
          keyRef ?? (await peekKeyId(input)),
          async () => {
            switch (op) {
              case 'Encrypt':
                return this.encryptFile(jobId, input, req, controller.signal);
              case 'Decrypt':
                return this.decryptFile(jobId, input, req, controller.signal);
              case 'ReEncrypt':
                return reEncryptFile(this.vault, jobId, input, req, controller.signal);
              case 'Inspect':
                return inspectFile(this.vault, jobId, input);
            }
          },
          basename(input),
        )
        .catch((err: unknown) => {
          throw typedFileJobError(err, input, defaultOutputPath(op, input, req.OutputPath));
        });
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
      const recipients: Recipient[] = [vaultRecipient, ...this.vault.recoveryRecipients().map((r) => RecoveryRecipient.parse(r))];
      const { fileKey, header } = await createHeader(recipients);
      const used = vaultRecipient.used as VaultStanzaRef;
      const progress = new Progress(this.vault, jobId, size);
      try {
        out = await TempOutput.create(output);
        const job = {
          input: fh,
          output: out.fh,
          inputStart: 0,
          outputStart: 0,
          armor: req.Armor === true,
          signal,
          onInput: (n: number) => progress.advance(n),
        };
        await encryptPayload(job, fileKey, randomBytes(PAYLOAD_NONCE_SIZE), header);
      } finally {
        fileKey.fill(0);
      }
      throwIfAborted(signal);
      await out.commit(req.Overwrite === true);
      out = null;
      progress.finish();
      return {
        JobId: jobId,
        Operation: 'Encrypt',
        InputPath: input,
        OutputPath: output,
        KeyId: used.keyId,
        KeyVersionId: used.keyVersionId,
        BytesProcessed: size,
      };
    } finally {
      await out?.discard();
      await fh.close();
    }
  }

  private async decryptFile(jobId: string, input: string, req: Api.FileJobRequest, signal: AbortSignal): Promise<Api.FileJobResult> {
    const output = resolve(req.OutputPath ?? defaultDecryptedPath(input));
    await assertNoInterruptedRewrap(input, this.vault.journalKey);
    await this.checkOutput(input, output, req.Overwrite === true);
    const { fh, size } = await openInput(input);
    let out: TempOutput | null = null;
    try {
      const progress = new Progress(this.vault, jobId, size);
      const header = await readFileHeader(fh, size);
      progress.advance(header.raw.length);
      // The header MAC is verified here, before any payload byte is looked at.
      const { fileKey, opened } = await unwrapForDecrypt(this.vault, header.parsed);
      let produced: number;
      try {
        out = await TempOutput.create(output);
        const job = {
          input: fh,
          output: out.fh,
          inputStart: header.raw.length,
          outputStart: 0,
          armor: header.armored,
          signal,
          onInput: (n: number) => progress.advance(n),
        };
        produced = await decryptPayload(job, fileKey);
      } finally {
        fileKey.fill(0);
      }
      throwIfAborted(signal);
      await (out as TempOutput).commit(req.Overwrite === true);
      out = null;
      progress.finish();
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

  private async checkOutput(input: string, output: string, overwrite: boolean): Promise<void> {
    if (output === input) throw new ValidationException('The output path must differ from the input path.');
    if (!overwrite && (await exists(output))) throw new AlreadyExistsException(`${output} already exists (use Overwrite to replace it).`);
    if (!(await exists(dirname(output)))) throw new NotFoundException(`The output directory ${dirname(output)} does not exist.`);
  }
}
