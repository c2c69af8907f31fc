/**
 * Translation between the vault's own ARNs (`arn:keyvault:kms:local:<vault-id>:key/<uuid>`) and
 * ARNs the AWS SDKs and the AWS Encryption SDK parse as KMS key ARNs
 * (`arn:aws:kms:<region>:<12-digit account>:key/<uuid>`). The account is derived from the vault id,
 * so a vault always answers with the same ARNs. Done at the API boundary only.
 */
import { createHash } from 'node:crypto';
import { NotFoundException } from '../core/errors.js';
import { aliasArn } from '../core/keyIdentifier.js';

/** The region the endpoint reports unless told otherwise. */
export const DEFAULT_API_REGION = 'us-east-1';

const AWS_ARN_RE = /^arn:aws:kms:([a-z0-9-]*):(\d{12}):((?:key|alias)\/.+)$/;

export class AwsNames {
  readonly accountId: string;
  private readonly internalPrefix: string;
  private readonly awsPrefix: string;

  constructor(
    readonly vaultId: string,
    readonly region: string,
  ) {
    this.accountId = accountIdForVault(vaultId);
    // aliasArn(vault, 'x') = '<prefix>x': the prefix shared by the vault's key and alias ARNs.
    this.internalPrefix = aliasArn(vaultId, '');
    this.awsPrefix = `arn:aws:kms:${region}:${this.accountId}:`;
  }

  /**
   * A key identifier from a request, in the vault's terms: an AWS ARN of this account and region
   * becomes the vault's ARN; an AWS ARN of another account or region names no key here.
   */
  toVault(identifier: unknown): unknown {
    if (typeof identifier !== 'string' || !identifier.startsWith('arn:aws:')) return identifier;
    const m = AWS_ARN_RE.exec(identifier);
    if (!m) return identifier; // the vault's parser reports the malformed ARN (InvalidArnException)
    if (m[1] !== this.region || m[2] !== this.accountId) {
      throw new NotFoundException(`${identifier} is not in this endpoint's account ${this.accountId} and region ${this.region}.`);
    }
    return this.internalPrefix + m[3];
  }

  /** A copy of a response with every vault ARN in it written as the AWS ARN. */
  toAws<T>(value: T): T {
    return rewrite(value, this.internalPrefix, this.awsPrefix) as T;
  }
}

/** 12 digits from a hash of the vault id: stable for the vault, unlike any real account by chance only. */
export function accountIdForVault(vaultId: string): string {
  const digest = createHash('sha256').update(`keyvault-aws-account:${vaultId}`).digest();
  return (digest.readBigUInt64BE(0) % 1_000_000_000_000n).toString().padStart(12, '0');
}

function rewrite(value: unknown, from: string, to: string): unknown {
  if (typeof value === 'string') return value.startsWith(from) ? to + value.slice(from.length) : value;
  if (Array.isArray(value)) return value.map((v) => rewrite(v, from, to));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = rewrite(v, from, to);
    return out;
  }
  return value;
}
