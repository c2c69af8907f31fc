/** Tags on keys (TagResource and friends): the AWS limits, shared by the store schema and the vault. */

export interface KeyTag {
  TagKey: string;
  TagValue: string;
}

export const MAX_TAGS_PER_KEY = 50;
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 256;
/** AWS reserves this prefix for its own tags; users cannot set or remove such tags. */
export const RESERVED_TAG_PREFIX = 'aws:';

/** Why a tag is not acceptable, or undefined when it is. */
export function tagProblem(tag: unknown): string | undefined {
  if (typeof tag !== 'object' || tag === null || Array.isArray(tag)) return 'a tag must be an object with TagKey and TagValue';
  const { TagKey, TagValue } = tag as Record<string, unknown>;
  if (typeof TagKey !== 'string' || TagKey.length < 1 || TagKey.length > MAX_TAG_KEY_LENGTH) {
    return `TagKey must be a string of 1 to ${MAX_TAG_KEY_LENGTH} characters`;
  }
  if (typeof TagValue !== 'string' || TagValue.length > MAX_TAG_VALUE_LENGTH) {
    return `TagValue of "${TagKey}" must be a string of at most ${MAX_TAG_VALUE_LENGTH} characters`;
  }
  const extra = Object.keys(tag).find((k) => k !== 'TagKey' && k !== 'TagValue');
  if (extra !== undefined) return `a tag has an unknown field "${extra}"`;
  return undefined;
}
