/** Parsing of the ways a key can be named: KeyId, key ARN, alias name, alias ARN. */
import { InvalidArnException, NotFoundException, ValidationException } from './errors.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ALIAS_RE = /^alias\/[a-zA-Z0-9/_-]{1,250}$/;
const ARN_PREFIX = 'arn:keyvault:kms:local:';

export type KeyReference = { kind: 'keyId'; keyId: string } | { kind: 'alias'; aliasName: string };

export function isUuid(s: string): boolean {
  return UUID_RE.test(s);
}

export function keyArn(vaultId: string, keyId: string): string {
  return `${ARN_PREFIX}${vaultId}:key/${keyId}`;
}

export function aliasArn(vaultId: string, aliasName: string): string {
  return `${ARN_PREFIX}${vaultId}:${aliasName}`;
}

export function validateAliasName(name: string): void {
  if (!ALIAS_RE.test(name)) {
    throw new ValidationException(`Alias name "${name}" is not valid: it must start with "alias/" followed by 1-250 letters, digits, "/", "_" or "-".`);
  }
}

/**
 * Resolves a key identifier (KeyId, key ARN, alias name or alias ARN) into a reference. An ARN of
 * another vault is NotFoundException (it cannot be in this one); a malformed ARN is InvalidArnException.
 */
export function parseKeyIdentifier(input: unknown, vaultId: string): KeyReference {
  if (typeof input !== 'string' || input.length === 0) {
    throw new ValidationException('KeyId is required.');
  }
  if (input.length > 2048) throw new ValidationException('KeyId is longer than 2048 characters.');
  if (input.startsWith('arn:')) {
    if (!input.startsWith(ARN_PREFIX)) {
      throw new InvalidArnException(`"${input}" is not a Key Vault ARN (expected ${ARN_PREFIX}<vault-id>:key/<key-id>).`);
    }
    const rest = input.slice(ARN_PREFIX.length);
    const colon = rest.indexOf(':');
    if (colon <= 0) throw new InvalidArnException(`ARN "${input}" has no vault id and resource.`);
    const arnVault = rest.slice(0, colon);
    const resource = rest.slice(colon + 1);
    if (!isUuid(arnVault)) throw new InvalidArnException(`ARN "${input}" has a malformed vault id.`);
    let ref: KeyReference;
    if (resource.startsWith('key/') && isUuid(resource.slice(4))) {
      ref = { kind: 'keyId', keyId: resource.slice(4) };
    } else if (resource.startsWith('alias/') && ALIAS_RE.test(resource)) {
      ref = { kind: 'alias', aliasName: resource };
    } else {
      throw new InvalidArnException(`ARN "${input}" does not name a key (key/<key-id>) or an alias (alias/<name>).`);
    }
    if (arnVault !== vaultId) throw new NotFoundException(`ARN "${input}" belongs to another vault (${arnVault}).`);
    return ref;
  }
  if (input.startsWith('alias/')) {
    validateAliasName(input);
    return { kind: 'alias', aliasName: input };
  }
  if (isUuid(input)) return { kind: 'keyId', keyId: input };
  throw new NotFoundException(`Invalid keyId "${input}": use a key id, key ARN, alias name or alias ARN.`);
}
