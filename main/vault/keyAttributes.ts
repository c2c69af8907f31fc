/**
 * Edits of a key's attributes that are not its lifecycle or material: tags (TagResource,
 * UntagResource, ListResourceTags), its description (UpdateKeyDescription) and re-pointing an alias
 * (UpdateAlias). VaultService forwards to these; they reach the store only through its transact().
 */
import type * as Api from '../core/api.js';
import { KMSInvalidStateException, NotFoundException, TagException, UnsupportedOperationException, ValidationException } from '../core/errors.js';
import { parseKeyIdentifier, validateAliasName } from '../core/keyIdentifier.js';
import type { KeyRecord } from '../core/keyModel.js';
import { KeyState, RESERVED_ALIAS_PREFIX } from '../core/keyModel.js';
import { MAX_DESCRIPTION_LENGTH } from '../core/limits.js';
import type { KeyTag } from '../core/keyTags.js';
import { MAX_TAGS_PER_KEY, RESERVED_TAG_PREFIX, tagProblem } from '../core/keyTags.js';
import type { VaultDocument } from '../store/vaultDocument.js';
import type { VaultContext } from './vaultContext.js';

type ServicePort = Pick<VaultContext, 'audited' | 'transact' | 'changed' | 'store'>;

export interface TagResourceRequest extends Api.KeyIdRequest {
  Tags: KeyTag[];
}
export interface UntagResourceRequest extends Api.KeyIdRequest {
  TagKeys: string[];
}
export interface ListResourceTagsResponse {
  Tags: KeyTag[];
}
export interface UpdateKeyDescriptionRequest extends Api.KeyIdRequest {
  Description: string;
}
export interface UpdateAliasRequest {
  AliasName: string;
  TargetKeyId: string;
}

/** A key by any of its names, on the given document (inside a transaction: the latest one). */
function findKey(doc: VaultDocument, identifier: unknown): KeyRecord {
  const ref = parseKeyIdentifier(identifier, doc.VaultId);
  const keyId = ref.kind === 'keyId' ? ref.keyId : doc.Aliases[ref.aliasName]?.TargetKeyId;
  if (keyId === undefined) throw new NotFoundException(`Alias ${ref.kind === 'alias' ? ref.aliasName : ''} does not exist.`);
  const key = doc.Keys[keyId];
  if (!key) throw new NotFoundException(`Key ${keyId} does not exist.`);
  return key;
}

function refusePendingDeletion(key: KeyRecord): void {
  if (key.KeyState === KeyState.PendingDeletion) throw new KMSInvalidStateException(`Key ${key.KeyId} is pending deletion.`);
}

/** Checks a TagResource list: valid tags, no reserved prefix, no key twice. */
export function validateNewTags(tags: unknown): KeyTag[] {
  if (!Array.isArray(tags) || tags.length === 0) throw new ValidationException('Tags must be a non-empty list of {TagKey, TagValue}.');
  const seen = new Set<string>();
  for (const tag of tags) {
    const problem = tagProblem(tag);
    if (problem !== undefined) throw new TagException(`Invalid tag: ${problem}.`);
    const { TagKey } = tag as KeyTag;
    if (TagKey.startsWith(RESERVED_TAG_PREFIX)) throw new TagException(`Tag keys starting with "${RESERVED_TAG_PREFIX}" are reserved.`);
    if (seen.has(TagKey)) throw new TagException(`Tag key "${TagKey}" is given more than once.`);
    seen.add(TagKey);
  }
  return (tags as KeyTag[]).map((t) => ({ TagKey: t.TagKey, TagValue: t.TagValue }));
}

/** Sets tags on a key record (replacing values of keys it has); TagException beyond 50 tags. */
export function applyTags(key: KeyRecord, tags: readonly KeyTag[]): void {
  const merged = new Map((key.Tags ?? []).map((t) => [t.TagKey, t.TagValue]));
  for (const t of tags) merged.set(t.TagKey, t.TagValue);
  if (merged.size > MAX_TAGS_PER_KEY) throw new TagException(`A key can have at most ${MAX_TAGS_PER_KEY} tags; this would make ${merged.size}.`);
  key.Tags = [...merged].map(([TagKey, TagValue]) => ({ TagKey, TagValue })).sort((a, b) => (a.TagKey < b.TagKey ? -1 : a.TagKey > b.TagKey ? 1 : 0));
}

export async function tagResource(service: ServicePort, req: TagResourceRequest): Promise<Record<string, never>> {
  return service.audited('TagResource', req?.KeyId, async () => {
    const tags = validateNewTags(req?.Tags);
    await service.transact((doc) => {
      const key = findKey(doc, req.KeyId);
      refusePendingDeletion(key);
      applyTags(key, tags);
    });
    service.changed();
    return {};
  });
}

export async function untagResource(service: ServicePort, req: UntagResourceRequest): Promise<Record<string, never>> {
  return service.audited('UntagResource', req?.KeyId, async () => {
    const keys = req?.TagKeys;
    if (!Array.isArray(keys) || keys.length === 0 || keys.some((k) => typeof k !== 'string' || k.length < 1 || k.length > 128)) {
      throw new ValidationException('TagKeys must be a non-empty list of tag keys (1 to 128 characters each).');
    }
    if (keys.some((k) => k.startsWith(RESERVED_TAG_PREFIX))) throw new TagException(`Tag keys starting with "${RESERVED_TAG_PREFIX}" are reserved.`);
    await service.transact((doc) => {
      const key = findKey(doc, req.KeyId);
      refusePendingDeletion(key);
      const drop = new Set(keys);
      const left = (key.Tags ?? []).filter((t) => !drop.has(t.TagKey));
      if (left.length > 0) key.Tags = left;
      else delete key.Tags;
    });
    service.changed();
    return {};
  });
}

/** Every tag of the key, sorted by TagKey (callers paginate). */
export async function listResourceTags(service: ServicePort, req: Api.KeyIdRequest): Promise<ListResourceTagsResponse> {
  return service.audited('ListResourceTags', req?.KeyId, async () => {
    const key = findKey(service.store.read(), req?.KeyId);
    return { Tags: (key.Tags ?? []).map((t) => ({ ...t })) };
  });
}

export async function updateKeyDescription(service: ServicePort, req: UpdateKeyDescriptionRequest): Promise<Record<string, never>> {
  return service.audited('UpdateKeyDescription', req?.KeyId, async () => {
    const description = req?.Description;
    if (typeof description !== 'string' || description.length > MAX_DESCRIPTION_LENGTH) {
      throw new ValidationException(`Description must be a string of at most ${MAX_DESCRIPTION_LENGTH} characters.`);
    }
    await service.transact((doc) => {
      const key = findKey(doc, req.KeyId);
      if (key.KeyManager === 'VAULT') throw new UnsupportedOperationException(`Key ${key.KeyId} is managed by Key Vault; its description cannot be changed.`);
      refusePendingDeletion(key);
      key.Description = description;
    });
    service.changed();
    return {};
  });
}

export async function updateAlias(service: ServicePort, req: UpdateAliasRequest): Promise<Record<string, never>> {
  return service.audited('UpdateAlias', req?.TargetKeyId, async () => {
    validateAliasName(req?.AliasName);
    if (req.AliasName.startsWith(RESERVED_ALIAS_PREFIX)) {
      throw new UnsupportedOperationException(`Alias ${req.AliasName} is managed by Key Vault and cannot be changed.`);
    }
    await service.transact((doc) => {
      const ref = parseKeyIdentifier(req.TargetKeyId, doc.VaultId);
      if (ref.kind !== 'keyId') throw new ValidationException('TargetKeyId must be a key id or key ARN, not an alias.');
      const alias = doc.Aliases[req.AliasName];
      if (!alias) throw new NotFoundException(`Alias ${req.AliasName} does not exist.`);
      const key = findKey(doc, ref.keyId);
      refusePendingDeletion(key);
      alias.TargetKeyId = key.KeyId;
    });
    service.changed();
    return {};
  });
}
