/**
 * What the vault keeps for age files besides its keys: recovery recipients (every new file is
 * wrapped to each of them too) and stored identities and passphrases (tried when a file is not
 * under a vault key). Only public parts ever leave this module.
 */
import { checkPassphraseLength } from '../core/passphrasePolicy.js';
import { randomUUID } from 'node:crypto';
import type * as Api from '../core/api.js';
import { AlreadyExistsException, KMSInternalException, NotFoundException, ValidationException } from '../core/errors.js';
import { MAX_LABEL_LENGTH } from '../core/limits.js';
import { parseIdentityFile, parseRecipient, ScryptIdentity, X25519Identity, type Identity, type Stanza, type X25519Recipient } from '../crypto/age/index.js';
import { openSecret, sealSecret } from '../crypto/sealing.js';
import type { SealedSecretRecord } from '../store/vaultDocument.js';
import type { VaultContext } from './vaultContext.js';

function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new ValidationException(`${field} is required.`);
  return value;
}

// ------------------------------------------------------------------ recovery recipients

export async function addRecoveryRecipient(ctx: VaultContext, req: Api.RecipientRequest): Promise<Api.ListRecoveryRecipientsResponse> {
  return ctx.audited('AddRecoveryRecipient', undefined, async () => {
    const text = requireString(req?.Recipient, 'Recipient');
    const canonical = (parseRecipient(text) as X25519Recipient).toString();
    await ctx.transact((doc) => {
      if (doc.RecoveryRecipients.includes(canonical)) throw new AlreadyExistsException(`${canonical} is already a recovery recipient.`);
      doc.RecoveryRecipients.push(canonical);
    });
    ctx.changed();
    return listRecoveryRecipients(ctx);
  });
}

export async function removeRecoveryRecipient(ctx: VaultContext, req: Api.RecipientRequest): Promise<Api.ListRecoveryRecipientsResponse> {
  return ctx.audited('RemoveRecoveryRecipient', undefined, async () => {
    const text = requireString(req?.Recipient, 'Recipient').trim();
    await ctx.transact((doc) => {
      const i = doc.RecoveryRecipients.indexOf(text);
      if (i < 0) throw new NotFoundException(`${text} is not a recovery recipient of this vault.`);
      doc.RecoveryRecipients.splice(i, 1);
    });
    ctx.changed();
    return listRecoveryRecipients(ctx);
  });
}

export async function listRecoveryRecipients(ctx: VaultContext): Promise<Api.ListRecoveryRecipientsResponse> {
  return { Recipients: [...ctx.store.read().RecoveryRecipients] };
}

// ------------------------------------------------------------------ identities and passphrases

export async function addIdentity(ctx: VaultContext, req: Api.AddIdentityRequest): Promise<Api.ListIdentitiesResponse> {
  return ctx.audited('AddIdentity', undefined, async () => {
    const identities = parseIdentityFile(requireString(req?.IdentityFileText, 'IdentityFileText'));
    const now = ctx.clock.now().toISOString();
    await ctx.transact((doc) => {
      for (const identity of identities) {
        const recipient = identity.recipient.toString();
        if (doc.Secrets.some((s) => s.Kind === 'X25519Identity' && s.Label === recipient)) continue;
        const secret = Buffer.from(identity.toString(), 'utf8');
        doc.Secrets.push(sealRecord(ctx, doc.VaultId, 'X25519Identity', recipient, now, secret));
        secret.fill(0);
      }
    });
    ctx.changed();
    return listIdentities(ctx);
  });
}

export async function addPassphrase(ctx: VaultContext, req: Api.AddPassphraseRequest): Promise<Api.ListIdentitiesResponse> {
  return ctx.audited('AddPassphrase', undefined, async () => {
    const passphrase = checkPassphraseLength(req?.Passphrase, 'Passphrase');
    if (req.Label !== undefined && (typeof req.Label !== 'string' || req.Label.length === 0 || req.Label.length > MAX_LABEL_LENGTH)) {
      throw new ValidationException(`Label must be a non-empty string of at most ${MAX_LABEL_LENGTH} characters.`);
    }
    const now = ctx.clock.now().toISOString();
    await ctx.transact((doc) => {
      const label = req.Label ?? `passphrase ${doc.Secrets.filter((s) => s.Kind === 'Passphrase').length + 1}`;
      const secret = Buffer.from(passphrase, 'utf8');
      doc.Secrets.push(sealRecord(ctx, doc.VaultId, 'Passphrase', label, now, secret));
      secret.fill(0);
    });
    ctx.changed();
    return listIdentities(ctx);
  });
}

export async function removeIdentity(ctx: VaultContext, req: { Id: string }): Promise<Api.ListIdentitiesResponse> {
  return ctx.audited('RemoveIdentity', undefined, async () => {
    const id = requireString(req?.Id, 'Id');
    await ctx.transact((doc) => {
      const i = doc.Secrets.findIndex((s) => s.Id === id);
      if (i < 0) throw new NotFoundException(`No identity or passphrase with Id ${id} is stored in this vault.`);
      doc.Secrets.splice(i, 1);
    });
    ctx.changed();
    return listIdentities(ctx);
  });
}

/** Public parts only: the age1... recipient of each identity, `passphrase:<label>` for passphrases. */
export async function listIdentities(ctx: VaultContext): Promise<Api.ListIdentitiesResponse> {
  return {
    Identities: ctx.store.read().Secrets.map((s) => ({
      Id: s.Id,
      Recipient: s.Kind === 'X25519Identity' ? s.Label : `passphrase:${s.Label}`,
      CreationDate: s.CreationDate,
    })),
  };
}

/** Identities from the vault's sealed secrets; passphrases only when the file has an scrypt stanza. */
export function storedIdentities(ctx: VaultContext, stanzas: readonly Stanza[]): Identity[] {
  const doc = ctx.store.read();
  const wantX25519 = stanzas.some((s) => s.type === 'X25519');
  const wantScrypt = stanzas.some((s) => s.type === 'scrypt');
  const out: Identity[] = [];
  for (const s of doc.Secrets) {
    if (s.Kind === 'X25519Identity' && !wantX25519) continue;
    if (s.Kind === 'Passphrase' && !wantScrypt) continue;
    const raw = openSecret(ctx.sealKey, doc.VaultId, s.Id, s.Kind, s.Sealed);
    try {
      out.push(s.Kind === 'X25519Identity' ? X25519Identity.parse(raw.toString('utf8')) : new ScryptIdentity(raw));
    } finally {
      raw.fill(0);
    }
  }
  return out;
}

function sealRecord(ctx: VaultContext, vaultId: string, kind: SealedSecretRecord['Kind'], label: string, now: string, secret: Buffer): SealedSecretRecord {
  const id = randomUUID();
  const sealed = sealSecret(ctx.sealKey, vaultId, id, kind, secret);
  if (sealed.length === 0) throw new KMSInternalException('Sealing the secret failed.');
  return { Id: id, Kind: kind, Label: label, CreationDate: now, Sealed: sealed };
}
