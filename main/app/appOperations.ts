/**
 * What the app's IPC handlers actually call. Most operations go straight to the vault service;
 * the ones that touch files outside the vault, export, or widen access go through main's own
 * decisions first:
 *   - files are named by tokens (fileTokens.ts), never by a path from the renderer, and outputs go
 *     next to their input under the derived name, or where the person chose in main's save dialog;
 *   - backups are written where the person chose in main's save dialog, restored from the file
 *     they chose in main's open dialog;
 *   - export-backup, restore-backup, add-recovery-recipient, add-identity, set/remove recovery
 *     passphrase and replacing an existing file need the person's yes in a native confirmation.
 * A cancelled dialog or a declined confirmation is a CancelledException: nothing was done.
 */
import { estimatePassphraseStrength, MIN_PASSPHRASE_CHARACTERS, MIN_PASSPHRASE_SCORE } from '../core/passphrasePolicy.js';
import { lstat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type * as Api from '../core/api.js';
import { parseIdentityFile } from '../crypto/age/recipients.js';
import { filterActivity } from '../core/activityFilter.js';
import { CancelledException, NotFoundException, UnsupportedOperationException, ValidationException } from '../core/errors.js';
import { MAX_AUDIT_LIMIT } from '../core/limits.js';
import { OPERATION_NAMES } from '../../preload/contract.js';
import type {
  AppRestoreBackupResponse,
  ExportActivityResponse,
  OperationName,
  RegisterDropRequest,
  PassphraseEstimate,
  PickFilesResponse,
  VaultOperations,
} from '../../preload/contract.js';
import {
  confirmAddIdentity,
  confirmAddRecoveryRecipient,
  confirmExportBackup,
  confirmReplaceOutput,
  confirmRestoreBackup,
  confirmSetRecoveryPassphrase,
} from './confirmations.js';
import { activityCsv, activityJson, confirmReplaceExport, exportedEvents } from './activityExport.js';
import { blockedReason } from './blockedService.js';
import type { VaultServiceLike } from './serviceShape.js';
import { createRecoveryKeyOperations } from './recoveryKeyOperations.js';
import { createClockOperations } from './clockConfirmation.js';
import { createRetireOperations } from './retireOperations.js';
import { freePath } from './freeName.js';
import type { FileTokenRegistry } from './fileTokens.js';
import type { DialogPort, FileFilter } from './nativeDialogs.js';
import { takeOpenedFiles, type OpenedFilesInbox } from './openWith.js';

/** Who is calling: the window a token belongs to. */
export interface CallContext {
  owner: string;
}

export type { PassThroughOperation, VaultServiceLike } from './serviceShape.js';

export type AppOperations = {
  [O in OperationName]: (req: VaultOperations[O]['req'], ctx: CallContext) => Promise<VaultOperations[O]['res']>;
};

/** Replaces the running vault with a backup (closing and reopening it is the shell's business). */
export type VaultRestorer = (backupPath: string, passphrase: string) => Promise<Omit<AppRestoreBackupResponse, 'BackupFile'>>;

export interface AppOperationsOptions {
  dialogs: DialogPort;
  tokens: FileTokenRegistry;
  /** Where the backup save dialog starts (the user's documents folder in the app). */
  defaultSaveDir: () => string;
  /** The vault directory, named in the restore confirmation. */
  vaultDir?: string;
  /** Absent: restore-backup is not available (UnsupportedOperationException). */
  restore?: VaultRestorer;
  /** Today's date for the suggested backup file name. */
  today?: () => Date;
  /** Files the OS asked the app to open (openWith.ts); absent: there are never any. */
  openedFiles?: Pick<OpenedFilesInbox, 'take'>;
}

const AGE_FILTERS: FileFilter[] = [
  { name: 'Key Vault backups (age)', extensions: ['age'] },
  { name: 'All files', extensions: ['*'] },
];

async function exists(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => null)) !== null;
}

/** Where Encrypt and Decrypt put their output, the same rule the service applies by default. */
export function derivedOutputPath(operation: Api.FileOperation, input: string): string | undefined {
  if (operation === 'Encrypt') return `${input}.age`;
  if (operation === 'Decrypt') return input.endsWith('.age') && basename(input).length > 4 ? input.slice(0, -4) : `${input}.decrypted`;
  return undefined;
}

/** Bound on remembered job outputs (for Show in folder); the oldest are forgotten first. */
export const MAX_REMEMBERED_OUTPUTS = 1000;

function declined(what: string): CancelledException {
  return new CancelledException(`${what} was cancelled; nothing was changed.`);
}

export function createAppOperations(service: VaultServiceLike, opts: AppOperationsOptions): AppOperations {
  const { dialogs, tokens } = opts;
  const today = opts.today ?? (() => new Date());

  // The output each finished job wrote, by window and job: Show in folder opens only these.
  const outputs = new Map<string, string>();
  const remember = (ctx: CallContext, jobId: string, path: string): void => {
    outputs.set(`${ctx.owner}\n${jobId}`, path);
    if (outputs.size > MAX_REMEMBERED_OUTPUTS) outputs.delete(outputs.keys().next().value as string);
  };

  const confirmOrCancel = async (what: string, request: Parameters<DialogPort['confirm']>[0]): Promise<void> => {
    if (!(await dialogs.confirm(request))) throw declined(what);
  };

  const guarded = {
    ...createRecoveryKeyOperations(service, { dialogs, defaultSaveDir: opts.defaultSaveDir }),
    ...createClockOperations(service, { dialogs }),
    async estimatePassphrase(req: { Passphrase: string }): Promise<PassphraseEstimate> {
      const characters = [...req.Passphrase].length;
      const s = await estimatePassphraseStrength(req.Passphrase);
      return {
        Score: s.score,
        Acceptable: characters >= MIN_PASSPHRASE_CHARACTERS && s.score >= MIN_PASSPHRASE_SCORE,
        Warning: s.warning,
        Suggestions: s.suggestions,
      };
    },
    ...createRetireOperations(service, { dialogs }),
    async pickFiles(_req: void, ctx: CallContext): Promise<PickFilesResponse> {
      const paths = await dialogs.openFiles({ title: 'Choose files', multiple: true });
      return { Files: paths.length > 0 ? await tokens.issue(ctx.owner, paths) : [] };
    },

    async pickFolder(_req: void, ctx: CallContext): Promise<PickFilesResponse> {
      const paths = await dialogs.openFiles({ title: 'Choose a folder', multiple: true, folders: true });
      return { Files: paths.length > 0 ? await tokens.issueExpanding(ctx.owner, paths) : [] };
    },

    async runFileJob(req: VaultOperations['runFileJob']['req'], ctx: CallContext): Promise<Api.FileJobResult> {
      const input = tokens.resolve(ctx.owner, req.FileToken);
      let output = derivedOutputPath(req.Operation, input);
      const made = req.Operation === 'Encrypt' ? 'Encrypt' : 'Decrypt';
      // Asked for: the person chooses where the output goes, in main's save dialog.
      if (req.SaveAs === true) {
        if (!output) throw new ValidationException(`${req.Operation} writes no new file, so there is nothing to save elsewhere.`);
        const chosen = await dialogs.saveFile({
          title: made === 'Encrypt' ? `Save the encrypted ${basename(input)}` : `Save the decrypted ${basename(input)}`,
          defaultPath: output,
        });
        if (!chosen) throw declined(`Saving ${basename(input)}`);
        output = chosen;
      }
      // Keep both: the output goes under the first free name next to the one that is taken.
      if (req.KeepBoth === true) {
        if (req.Overwrite === true) throw new ValidationException('Choose either to replace the existing file or to keep both, not both.');
        if (!output || req.SaveAs === true) throw new ValidationException(`Keep both applies only to Encrypt and Decrypt next to the input.`);
        output = await freePath(output);
      }
      let overwrite = false;
      if (output && (req.Overwrite === true || req.SaveAs === true) && (await exists(output))) {
        await confirmOrCancel(`Replacing ${basename(output)}`, confirmReplaceOutput(output, basename(input), made));
        overwrite = true;
      }
      const result = await service.runFileJob({
        JobId: req.JobId,
        Operation: req.Operation,
        InputPath: input,
        ...(output ? { OutputPath: output } : {}),
        ...(req.KeyId !== undefined ? { KeyId: req.KeyId } : {}),
        ...(overwrite ? { Overwrite: true } : {}),
        ...(req.Armor !== undefined ? { Armor: req.Armor } : {}),
      });
      if (req.Operation !== 'Inspect' && !result.AlreadyCurrent) {
        const written = result.OutputPath ?? output;
        if (written) remember(ctx, req.JobId, written);
      }
      return result;
    },

    async showInFolder(req: VaultOperations['showInFolder']['req'], ctx: CallContext): Promise<{ Shown: boolean }> {
      const path = outputs.get(`${ctx.owner}\n${req.JobId}`);
      if (!path) throw new NotFoundException('This job wrote no file that the app knows of.');
      if (!dialogs.showItemInFolder) throw new UnsupportedOperationException('Showing a file in its folder is not available here.');
      if (!(await exists(path))) throw new NotFoundException(`${basename(path)} is no longer there (moved or deleted).`);
      dialogs.showItemInFolder(path);
      return { Shown: true };
    },

    async exportActivity(req: VaultOperations['exportActivity']['req']): Promise<ExportActivityResponse> {
      const { Events } = await service.listAuditEvents({ Limit: MAX_AUDIT_LIMIT, ...(req.KeyId ? { KeyId: req.KeyId } : {}) });
      const chosen = filterActivity(Events, req);
      const { Aliases } = await service.listAliases();
      const aliases = new Map<string, string[]>();
      for (const a of Aliases) if (a.TargetKeyId) aliases.set(a.TargetKeyId, [...(aliases.get(a.TargetKeyId) ?? []), a.AliasName.replace(/^alias\//, '')]);
      const stamp = today().toISOString().slice(0, 10);
      const outPath = await dialogs.saveFile({
        title: 'Save the activity',
        defaultPath: join(opts.defaultSaveDir(), `keyvault-activity-${stamp}.${req.Format}`),
        filters: [{ name: req.Format === 'csv' ? 'CSV' : 'JSON', extensions: [req.Format] }],
      });
      if (!outPath) throw declined('The export');
      if (await exists(outPath)) await confirmOrCancel('The export', confirmReplaceExport(outPath));
      const rows = exportedEvents(chosen, aliases);
      await writeFile(outPath, req.Format === 'csv' ? activityCsv(rows) : activityJson(rows), { mode: 0o600 });
      return { FileName: basename(outPath), Count: rows.length };
    },

    async exportBackup(req: VaultOperations['exportBackup']['req']): Promise<Api.ExportBackupResponse> {
      const stamp = today().toISOString().slice(0, 10);
      const outPath = await dialogs.saveFile({
        title: 'Save the backup',
        defaultPath: join(opts.defaultSaveDir(), `keyvault-backup-${stamp}.age`),
        filters: AGE_FILTERS,
      });
      if (!outPath) throw declined('The backup');
      const replaces = await exists(outPath);
      const { Keys } = await service.listKeys();
      await confirmOrCancel('The backup', confirmExportBackup(outPath, Keys.length, replaces));
      return service.exportBackup({ OutPath: outPath, Passphrase: req.Passphrase, ...(replaces ? { Overwrite: true } : {}) });
    },

    async restoreBackup(req: VaultOperations['restoreBackup']['req']): Promise<AppRestoreBackupResponse> {
      const restore = opts.restore;
      if (!restore) throw new UnsupportedOperationException('Restoring a backup is not available in this build of Key Vault.');
      const [backupPath, ...more] = await dialogs.openFiles({ title: 'Choose the backup to restore', multiple: false, filters: AGE_FILTERS });
      if (!backupPath) throw declined('The restore');
      if (more.length > 0) throw new ValidationException('Choose exactly one backup file.');
      // A vault that cannot be read (failed integrity) is still replaced; the account then says so.
      const current = await Promise.all([service.listKeys(), service.listAliases()]).catch(() => null);
      const names = current ? current[1].Aliases.filter((a) => a.TargetKeyId).map((a) => a.AliasName.replace(/^alias\//, '')) : [];
      await confirmOrCancel('The restore', confirmRestoreBackup(backupPath, opts.vaultDir ?? 'this vault', current ? current[0].Keys.length : null, names));
      return { BackupFile: basename(backupPath), ...(await restore(backupPath, req.Passphrase)) };
    },

    async addRecoveryRecipient(req: Api.RecipientRequest): Promise<Api.ListRecoveryRecipientsResponse> {
      await confirmOrCancel('Adding the recovery recipient', confirmAddRecoveryRecipient(req.Recipient));
      return service.addRecoveryRecipient(req);
    },

    async addIdentity(req: Api.AddIdentityRequest): Promise<Api.ListIdentitiesResponse> {
      // The confirmation names the public keys of the secrets themselves; an invalid file is
      // refused before anything is asked (the message names a line, never its content).
      let publicKeys: string[];
      try {
        publicKeys = parseIdentityFile(req.IdentityFileText).map((identity) => identity.recipient.toString());
      } catch (err) {
        throw new ValidationException(`The identity file is not valid: ${err instanceof Error ? err.message : 'unreadable'}.`);
      }
      await confirmOrCancel('Adding the identity', confirmAddIdentity(publicKeys));
      return service.addIdentity(req);
    },

    async takeOpenedFiles(_req: void, ctx: CallContext): Promise<VaultOperations['takeOpenedFiles']['res']> {
      return opts.openedFiles ? takeOpenedFiles(opts.openedFiles, tokens, ctx.owner) : { Files: [], Skipped: [] };
    },

    async setRecoveryPassphrase(req: Api.SetRecoveryPassphraseRequest): Promise<Api.RecoveryStatus> {
      const removing = req.Passphrase === '';
      const { RecoveryPassphraseSet } = await service.getRecoveryStatus();
      if (removing && !RecoveryPassphraseSet) return service.setRecoveryPassphrase(req);
      await confirmOrCancel(
        removing ? 'Removing the recovery passphrase' : 'Setting the recovery passphrase',
        confirmSetRecoveryPassphrase(removing, RecoveryPassphraseSet),
      );
      return service.setRecoveryPassphrase(req);
    },
  };

  const ops: Record<string, (req: unknown, ctx: CallContext) => Promise<unknown>> = {};
  const guardedOps = guarded as unknown as Record<string, (req: unknown, ctx: CallContext) => Promise<unknown>>;
  const serviceOps = service as unknown as Record<string, unknown>;
  // A blocked vault (failed integrity) answers at once, without asking the person anything first;
  // only restore-backup, the way out, still runs.
  const blocked = blockedReason(service);
  for (const op of OPERATION_NAMES) {
    if (blocked && op !== 'restoreBackup') {
      ops[op] = () => Promise.reject(blocked);
      continue;
    }
    const own = guardedOps[op];
    // Looked up at call time: some operations are attached after start (the API endpoint's, where it
    // runs). A service without the method answers UnsupportedOperationException.
    if (own) ops[op] = own;
    else
      ops[op] = (req) => {
        const method = serviceOps[op];
        if (typeof method !== 'function') return Promise.reject(new UnsupportedOperationException(`${op} is not available in this build of Key Vault.`));
        return (method as (r: unknown) => Promise<unknown>).call(service, req);
      };
  }
  return ops as unknown as AppOperations;
}

/** The preload's report of a real drop: tokens for its files, folders expanded (the preload never holds them longer). */
export function registerDroppedFiles(tokens: FileTokenRegistry, req: RegisterDropRequest, ctx: CallContext) {
  return tokens.issueExpanding(ctx.owner, req.Paths).then((Files) => ({ Files }));
}
