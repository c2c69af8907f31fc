/**
 * The app's side of retiring key versions (issue 12). The page never names a folder: scanning and
 * "Bring files up to date" in a folder ask for it in main's native folder dialog. Scheduling a
 * version's destruction is destructive, so main asks the person natively first, naming the key,
 * the version by its date and the files the inventory still knows on it. While such files exist
 * and Force is not set, the service refuses (naming how many) without anyone being asked.
 */
import { basename } from 'node:path';
import type * as Api from '../core/api.js';
import { CancelledException } from '../core/errors.js';
import { MAX_LIST_FILES_LIMIT } from '../core/fileInventory.js';
import type * as Retire from '../core/retireApi.js';
import { MAX_VERSION_DESTRUCTION_DAYS } from '../core/versionStates.js';
import type { AppReEncryptFilesRequest, AppReEncryptFilesResponse, AppScanFilesResponse } from '../../preload/contract.js';
import { confirmScheduleVersionDestruction } from './confirmations.js';
import type { DialogPort } from './nativeDialogs.js';

export interface RetireServiceLike {
  describeKey(req: Api.KeyIdRequest): Promise<Api.KeyMetadataResponse>;
  listKeyVersions(req: Api.KeyIdRequest): Promise<Api.ListKeyVersionsResponse>;
  listFiles(req: Retire.ListFilesRequest): Promise<Retire.ListFilesResponse>;
  scanFiles(req: Retire.ScanFilesRequest): Promise<Retire.ScanFilesResponse>;
  reEncryptFiles(req: Retire.ReEncryptFilesRequest): Promise<Retire.ReEncryptFilesResponse>;
  scheduleKeyVersionDestruction(req: Retire.ScheduleKeyVersionDestructionRequest): Promise<Retire.KeyVersionStateResponse>;
}

/** Known files on one version that are still where the inventory saw them (Missing ones do not count). */
export async function knownFilesOnVersion(service: Pick<RetireServiceLike, 'listFiles'>, KeyId: string, KeyVersionId: string): Promise<number> {
  let count = 0;
  let Marker: string | undefined;
  do {
    const page = await service.listFiles({ KeyId, KeyVersionId, Limit: MAX_LIST_FILES_LIMIT, ...(Marker ? { Marker } : {}) });
    count += page.Files.filter((f) => f.Status !== 'Missing').length;
    Marker = page.Truncated ? page.NextMarker : undefined;
  } while (Marker);
  return count;
}

export function createRetireOperations(service: RetireServiceLike, opts: { dialogs: DialogPort }) {
  const { dialogs } = opts;

  const chooseFolder = async (title: string, what: string): Promise<string> => {
    const [folder] = await dialogs.openFiles({ title, multiple: false, folders: true });
    if (!folder) throw new CancelledException(`${what} was cancelled; nothing was changed.`);
    return folder;
  };

  return {
    async scanFiles(): Promise<AppScanFilesResponse> {
      const folder = await chooseFolder('Choose a folder to scan for encrypted files', 'The scan');
      return { ...(await service.scanFiles({ Directory: folder })), FolderName: basename(folder) };
    },

    async reEncryptFiles(req: AppReEncryptFilesRequest): Promise<AppReEncryptFilesResponse> {
      const folder =
        req.ChooseFolder === true ? await chooseFolder('Choose the folder whose files to bring up to date', 'Bringing files up to date') : undefined;
      const result = await service.reEncryptFiles({
        JobId: req.JobId,
        ...(req.KeyId !== undefined ? { KeyId: req.KeyId } : {}),
        ...(folder !== undefined ? { Directory: folder } : {}),
      });
      return { ...result, ...(folder !== undefined ? { FolderName: basename(folder) } : {}) };
    },

    async scheduleKeyVersionDestruction(req: Retire.ScheduleKeyVersionDestructionRequest): Promise<Retire.KeyVersionStateResponse> {
      const [{ KeyMetadata }, { KeyVersions }] = await Promise.all([service.describeKey({ KeyId: req.KeyId }), service.listKeyVersions({ KeyId: req.KeyId })]);
      const version = KeyVersions.find((v) => v.KeyVersionId === req.KeyVersionId);
      const knownFiles = version ? await knownFilesOnVersion(service, KeyMetadata.KeyId, version.KeyVersionId) : 0;
      // Nothing to ask about: the service gives the precise refusal (unknown version, primary,
      // already pending, or files still on it without Force).
      const refused =
        !version ||
        version.IsPrimary ||
        version.KeyVersionState === 'PendingDestruction' ||
        version.KeyVersionState === 'Destroyed' ||
        (knownFiles > 0 && req.Force !== true);
      if (!refused) {
        const alias = KeyMetadata.Aliases[0]?.replace(/^alias\//, '');
        const confirmed = await dialogs.confirm(
          confirmScheduleVersionDestruction({
            keyName: alias ?? KeyMetadata.KeyId,
            versionCreated: version.CreationDate,
            knownFiles,
            days: req.PendingWindowInDays ?? MAX_VERSION_DESTRUCTION_DAYS,
          }),
        );
        if (!confirmed) throw new CancelledException('Scheduling the destruction was cancelled; nothing was changed.');
      }
      return service.scheduleKeyVersionDestruction(req);
    },
  };
}
