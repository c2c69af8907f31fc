/** Alias operations: create, delete, list. */
import type * as Api from '../core/api.js';
import { AlreadyExistsException, KMSInvalidStateException, NotFoundException, UnsupportedOperationException, ValidationException } from '../core/errors.js';
import { aliasArn, parseKeyIdentifier, validateAliasName } from '../core/keyIdentifier.js';
import { KeyState, RESERVED_ALIAS_PREFIX } from '../core/keyModel.js';
import { checkNewAliasName } from './keyRules.js';
import type { VaultContext } from './vaultContext.js';

export async function createAlias(ctx: VaultContext, req: Api.CreateAliasRequest): Promise<Record<string, never>> {
  return ctx.audited('CreateAlias', req?.TargetKeyId, async () => {
    checkNewAliasName(req?.AliasName);
    await ctx.transact((doc) => {
      const ref = parseKeyIdentifier(req.TargetKeyId, doc.VaultId);
      if (ref.kind !== 'keyId') throw new ValidationException('TargetKeyId must be a key id or key ARN, not an alias.');
      const key = ctx.resolveKey(doc, req.TargetKeyId);
      if (key.KeyState === KeyState.PendingDeletion) {
        throw new KMSInvalidStateException(`Key ${key.KeyId} is pending deletion.`);
      }
      if (doc.Aliases[req.AliasName]) throw new AlreadyExistsException(`Alias ${req.AliasName} already exists.`);
      doc.Aliases[req.AliasName] = { AliasName: req.AliasName, TargetKeyId: key.KeyId, CreationDate: ctx.nowIso() };
    });
    ctx.changed();
    return {};
  });
}

export async function deleteAlias(ctx: VaultContext, req: { AliasName: string }): Promise<Record<string, never>> {
  return ctx.audited('DeleteAlias', undefined, async () => {
    validateAliasName(req?.AliasName);
    if (req.AliasName.startsWith(RESERVED_ALIAS_PREFIX)) {
      throw new UnsupportedOperationException(`Alias ${req.AliasName} is managed by Key Vault and cannot be deleted.`);
    }
    await ctx.transact((doc) => {
      if (!doc.Aliases[req.AliasName]) throw new NotFoundException(`Alias ${req.AliasName} does not exist.`);
      delete doc.Aliases[req.AliasName];
    });
    ctx.changed();
    return {};
  });
}

export async function listAliases(ctx: VaultContext): Promise<Api.ListAliasesResponse> {
  const doc = ctx.store.read();
  return {
    Aliases: Object.values(doc.Aliases)
      .sort((a, b) => a.AliasName.localeCompare(b.AliasName))
      .map((a) => ({ AliasName: a.AliasName, AliasArn: aliasArn(doc.VaultId, a.AliasName), TargetKeyId: a.TargetKeyId, CreationDate: a.CreationDate })),
  };
}
