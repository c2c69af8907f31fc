/** Vault info, recovery recipients, identities and the recovery passphrase (backups: BackupPanels). */
import { create } from 'zustand';
import type { IdentityEntry, RecoveryStatus, VaultInfo } from '../../preload/contract';
import { vault } from '../bridge';
import { attempt } from './uiStore';

interface SettingsState {
  info: VaultInfo | undefined;
  recipients: string[];
  identities: IdentityEntry[];
  recovery: RecoveryStatus | undefined;
  load(): Promise<void>;
  addRecipient(recipient: string): Promise<boolean>;
  removeRecipient(recipient: string): Promise<void>;
  addIdentity(text: string): Promise<boolean>;
  removeIdentity(id: string): Promise<void>;
  setPassphrase(passphrase: string): Promise<boolean>;
}

export const useSettingsStore = create<SettingsState>()((set) => ({
  info: undefined,
  recipients: [],
  identities: [],
  recovery: undefined,
  load: async () => {
    const [info, recipients, identities, recovery] = await Promise.all([
      attempt('Load vault information', () => vault().getVaultInfo()),
      attempt('Load recovery recipients', () => vault().listRecoveryRecipients()),
      attempt('Load identities', () => vault().listIdentities()),
      attempt('Load recovery status', () => vault().getRecoveryStatus()),
    ]);
    set({
      ...(info ? { info } : {}),
      ...(recipients ? { recipients: recipients.Recipients } : {}),
      ...(identities ? { identities: identities.Identities } : {}),
      ...(recovery ? { recovery } : {}),
    });
  },
  addRecipient: async (recipient) => {
    const res = await attempt('Add recovery recipient', () => vault().addRecoveryRecipient({ Recipient: recipient.trim() }));
    if (res) set({ recipients: res.Recipients });
    return res !== undefined;
  },
  removeRecipient: async (recipient) => {
    const res = await attempt('Remove recovery recipient', () => vault().removeRecoveryRecipient({ Recipient: recipient }));
    if (res) set({ recipients: res.Recipients });
  },
  addIdentity: async (text) => {
    const res = await attempt('Add identity', () => vault().addIdentity({ IdentityFileText: text }));
    if (res) set({ identities: res.Identities });
    return res !== undefined;
  },
  removeIdentity: async (id) => {
    const res = await attempt('Remove identity', () => vault().removeIdentity({ Id: id }));
    if (res) set({ identities: res.Identities });
  },
  setPassphrase: async (passphrase) => {
    const res = await attempt('Set recovery passphrase', () => vault().setRecoveryPassphrase({ Passphrase: passphrase }));
    if (res) set({ recovery: res });
    return res !== undefined;
  },
}));
