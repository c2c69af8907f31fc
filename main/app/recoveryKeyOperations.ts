/**
 * The printed recovery key in the app. Creating (or replacing) it hands a secret that can recover
 * every key to the window once, so main asks the person natively first, whatever the page says.
 * The printable sheet never crosses the bridge: main keeps the one it was given for a short while,
 * and "Save recovery sheet" writes that copy where the person chose in main's save dialog. The
 * page cannot hand main HTML to write.
 */
import type * as Api from '../core/api.js';
import { CancelledException, ValidationException } from '../core/errors.js';
import { writeFileDurably } from '../vault/backupFile.js';
import type { AppRecoveryKeyResponse, SaveRecoverySheetResponse } from '../../preload/contract.js';
import type { ConfirmRequest, DialogPort } from './nativeDialogs.js';
import { lstat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** How long main keeps a sheet for "Save recovery sheet" after the key was made. */
export const SHEET_KEPT_MS = 15 * 60_000;

export interface RecoveryKeyServiceLike {
  createRecoveryKey(req: Api.CreateRecoveryKeyRequest): Promise<Api.CreateRecoveryKeyResponse>;
  getRecoveryStatus(): Promise<Api.RecoveryStatus>;
}

export function confirmCreateRecoveryKey(replacing: boolean): ConfirmRequest {
  return {
    title: replacing ? 'Replace the recovery key' : 'Create a recovery key',
    message: replacing ? 'Make a new recovery key and stop the old one from working?' : 'Make a recovery key for this vault?',
    detail:
      'It is shown once. With it and a copy of the vault folder, anyone can recover every key in this vault, so print it or save the sheet and keep it somewhere safe.' +
      (replacing ? ' The sheet of the old recovery key stops working.' : ''),
    confirmLabel: replacing ? 'Replace recovery key' : 'Create recovery key',
  };
}

function confirmReplaceSheet(path: string): ConfirmRequest {
  return {
    title: 'Replace a file',
    message: `Replace ${basename(path)} in ${dirname(path)}?`,
    detail: 'It will be overwritten by the recovery sheet. Its current content cannot be brought back.',
    confirmLabel: 'Replace',
  };
}

interface HeldSheet {
  owner: string;
  html: string;
  vaultId: string;
  until: number;
}

export function createRecoveryKeyOperations(service: RecoveryKeyServiceLike, opts: { dialogs: DialogPort; defaultSaveDir: () => string; now?: () => number }) {
  const now = opts.now ?? (() => Date.now());
  let held: HeldSheet | undefined;

  return {
    async createRecoveryKey(req: Api.CreateRecoveryKeyRequest, ctx: { owner: string }): Promise<AppRecoveryKeyResponse> {
      const replacing = req.Replace === true;
      if (!(await opts.dialogs.confirm(confirmCreateRecoveryKey(replacing)))) {
        throw new CancelledException(`${replacing ? 'Replacing' : 'Creating'} the recovery key was cancelled; nothing was changed.`);
      }
      const made = await service.createRecoveryKey(replacing ? { Replace: true } : {});
      held = { owner: ctx.owner, html: made.SheetHtml, vaultId: made.VaultId, until: now() + SHEET_KEPT_MS };
      return { RecoveryKey: made.RecoveryKey, VaultId: made.VaultId, CreationDate: made.CreationDate };
    },

    async saveRecoverySheet(_req: void, ctx: { owner: string }): Promise<SaveRecoverySheetResponse> {
      const sheet = held && held.owner === ctx.owner && held.until > now() ? held : undefined;
      if (!sheet) {
        held = undefined;
        throw new ValidationException(
          'The recovery sheet is only kept for a few minutes after the recovery key is made. Replace the recovery key to get a new sheet.',
        );
      }
      const path = await opts.dialogs.saveFile({
        title: 'Save the recovery sheet',
        defaultPath: join(opts.defaultSaveDir(), `keyvault-recovery-sheet-${sheet.vaultId.slice(0, 8)}.html`),
        filters: [{ name: 'Web page (printable)', extensions: ['html'] }],
      });
      if (!path) throw new CancelledException('Saving the recovery sheet was cancelled; nothing was written.');
      const replaces = (await lstat(path).catch(() => null)) !== null;
      if (replaces && !(await opts.dialogs.confirm(confirmReplaceSheet(path)))) {
        throw new CancelledException('Saving the recovery sheet was cancelled; nothing was written.');
      }
      await writeFileDurably(path, Buffer.from(sheet.html, 'utf8'), replaces);
      return { FileName: basename(path) };
    },

    /** Drops the held sheet (the person closed the panel). */
    async forgetRecoverySheet(_req: void, ctx: { owner: string }): Promise<Record<string, never>> {
      if (held?.owner === ctx.owner) held = undefined;
      return {};
    },
  };
}
