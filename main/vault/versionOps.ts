/**
 * Key version operations (issue 12): disable, enable, schedule and cancel destruction, and the
 * destruction itself at catch-up. The rules are in core/versionStates.ts; this module applies them
 * under the vault's transaction and audits each change. VaultService forwards to it.
 */
import type { KeyVersionState } from '../core/keyModel.js';
import { KMSInvalidStateException, NotFoundException, ValidationException } from '../core/errors.js';
import { isUuid, keyArn } from '../core/keyIdentifier.js';
import type { KeyRecord, KeyVersionRecord } from '../core/keyModel.js';
import type * as R from '../core/retireApi.js';
import {
  cancelVersionDestruction,
  checkDestructionWindow,
  destroyVersion,
  disableVersion,
  dueDestructions,
  isDestructionDue,
  enableVersion,
  MAX_VERSION_DESTRUCTION_DAYS,
  scheduleVersionDestruction,
  versionState,
} from '../core/versionStates.js';
import type { VaultDocument } from '../store/vaultDocument.js';
import { presentFilesOnVersion } from './inventoryOps.js';
import type { VaultContext } from './vaultContext.js';

export interface DestroyedVersion {
  KeyId: string;
  KeyVersionId: string;
}

type Change = (key: KeyRecord, version: KeyVersionRecord, now: Date) => void;

export class VersionOps {
  constructor(private readonly vault: VaultContext) {}

  disableKeyVersion(req: R.KeyVersionRequest): Promise<R.KeyVersionStateResponse> {
    return this.change('DisableKeyVersion', req, (key, v) => disableVersion(key, v));
  }

  enableKeyVersion(req: R.KeyVersionRequest): Promise<R.KeyVersionStateResponse> {
    return this.change('EnableKeyVersion', req, (key, v) => enableVersion(key, v));
  }

  async scheduleKeyVersionDestruction(req: R.ScheduleKeyVersionDestructionRequest): Promise<R.KeyVersionStateResponse> {
    const days = checkDestructionWindow(req?.PendingWindowInDays ?? MAX_VERSION_DESTRUCTION_DAYS);
    if (req?.Force !== undefined && typeof req.Force !== 'boolean') throw new ValidationException('Force must be true or false.');
    if (req?.Force !== true) {
      // Known files that still exist and depend on the version: refuse rather than strand them.
      const { keyId, versionId } = this.ids(req);
      const inUse = await presentFilesOnVersion(this.vault.store.read(), keyId, versionId);
      if (inUse.length > 0) {
        throw new KMSInvalidStateException(
          `${inUse.length} known file(s) still use version ${versionId} of key ${keyId} (e.g. ${inUse[0]}): ` +
            're-encrypt them (re-encrypt-files) first, or schedule with --force to make them undecryptable.',
        );
      }
    }
    return this.change('ScheduleKeyVersionDestruction', req, (key, v, now) => scheduleVersionDestruction(key, v, days, now));
  }

  cancelKeyVersionDestruction(req: R.KeyVersionRequest): Promise<R.KeyVersionStateResponse> {
    return this.change('CancelKeyVersionDestruction', req, (key, v) => cancelVersionDestruction(key, v));
  }

  /**
   * Erases the material of every version whose destruction window has passed, in one durable
   * write. `clockPlausible` is the hook for the vault's clock-plausibility rule.
   */
  async destroyDueVersions(now: Date, clockPlausible = true): Promise<DestroyedVersion[]> {
    const due = (doc: VaultDocument): boolean => Object.values(doc.Keys).some((k) => k.Versions.some((v) => isDestructionDue(v, now, clockPlausible)));
    if (!due(this.vault.store.read())) return [];
    const destroyed: DestroyedVersion[] = [];
    await this.vault.transact((doc) => {
      for (const key of Object.values(doc.Keys)) {
        for (const v of dueDestructions(key, now, clockPlausible)) {
          destroyVersion(v, now);
          destroyed.push({ KeyId: key.KeyId, KeyVersionId: v.KeyVersionId });
        }
      }
    });
    const iso = now.toISOString();
    for (const d of destroyed) {
      this.vault.audit.append({
        Time: iso,
        Operation: 'DestroyKeyVersion',
        ...d,
        Outcome: 'Success',
        Detail: 'pending destruction window elapsed; version material erased',
      });
    }
    if (destroyed.length > 0) this.vault.changed();
    return destroyed;
  }

  private ids(req: R.KeyVersionRequest): { keyId: string; versionId: string } {
    if (typeof req?.KeyVersionId !== 'string' || !isUuid(req.KeyVersionId)) {
      throw new ValidationException('KeyVersionId must be a key version id (UUID).');
    }
    return { keyId: this.vault.resolveKeyRecord(req.KeyId).KeyId, versionId: req.KeyVersionId };
  }

  /** One audited transaction applying `change` to the version on the latest document. */
  private change(operation: string, req: R.KeyVersionRequest, change: Change): Promise<R.KeyVersionStateResponse> {
    return this.vault.audited(operation, req?.KeyId, async () => {
      const { keyId, versionId } = this.ids(req);
      const now = this.vault.clock.now();
      let state: KeyVersionState = 'Enabled';
      let destructionDate: string | undefined;
      let vaultId = '';
      await this.vault.transact((doc) => {
        const key = doc.Keys[keyId];
        if (!key) throw new NotFoundException(`Key ${keyId} does not exist in this vault.`);
        const v = key.Versions.find((x) => x.KeyVersionId === versionId);
        if (!v) throw new NotFoundException(`Key ${keyId} has no version ${versionId}.`);
        change(key, v, now);
        state = versionState(v);
        destructionDate = v.DestructionDate;
        vaultId = doc.VaultId;
      });
      this.vault.changed();
      return {
        KeyId: keyArn(vaultId, keyId),
        KeyVersionId: versionId,
        KeyVersionState: state,
        ...(destructionDate ? { DestructionDate: destructionDate } : {}),
      };
    });
  }
}
