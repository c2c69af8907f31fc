/** Key metadata for the list, loaded in one call (listKeyDetails), and the search text. */
import { create } from 'zustand';
import type { CreateKeyWithAliasRequest, KeyMetadata } from '../../preload/contract';
import { vault } from '../bridge';
import type { KeyFix } from '../format';
import { attempt, useUiStore } from './uiStore';

interface KeysState {
  keys: KeyMetadata[];
  loaded: boolean;
  loading: boolean;
  search: string;
  /** Scroll offset of the list, kept while a key's detail is open. */
  listScrollTop: number;
  load(): Promise<void>;
  setSearch(search: string): void;
  setListScrollTop(top: number): void;
  createKey(req: CreateKeyWithAliasRequest): Promise<KeyMetadata | undefined>;
  /** Replaces one key's metadata after an operation returned it. */
  upsert(meta: KeyMetadata): void;
  /** The action an error offered (enable, cancel deletion, open to import); whether it worked. */
  fixKey(fix: KeyFix): Promise<boolean>;
}

export const useKeysStore = create<KeysState>()((set, get) => ({
  keys: [],
  loaded: false,
  loading: false,
  search: '',
  listScrollTop: 0,
  load: async () => {
    set({ loading: true });
    const res = await attempt('Load keys', () => vault().listKeyDetails());
    set({ loading: false, loaded: true, ...(res ? { keys: res.Keys } : {}) });
  },
  setSearch: (search) => set({ search }),
  setListScrollTop: (listScrollTop) => set({ listScrollTop }),
  createKey: async (req) => {
    // Errors are left to the dialog, which shows them next to the form.
    const res = await vault().createKey(req);
    get().upsert(res.KeyMetadata);
    return res.KeyMetadata;
  },
  fixKey: async (fix) => {
    if (fix.label === 'Import material') {
      useUiStore.getState().openKey(fix.keyId);
      return true;
    }
    const res = await attempt(fix.label === 'Enable' ? 'Enable key' : 'Cancel deletion', (): Promise<unknown> =>
      fix.label === 'Enable' ? vault().enableKey({ KeyId: fix.keyId }) : vault().cancelKeyDeletion({ KeyId: fix.keyId }),
    );
    if (res) await get().load();
    return res !== undefined;
  },
  upsert: (meta) => {
    const keys = get().keys;
    const i = keys.findIndex((k) => k.KeyId === meta.KeyId);
    set({ keys: i === -1 ? [...keys, meta] : keys.map((k, j) => (j === i ? meta : k)) });
  },
}));

export function filterKeys(keys: KeyMetadata[], search: string): KeyMetadata[] {
  const q = search.trim().toLowerCase();
  if (q === '') return keys;
  return keys.filter((k) => k.KeyId.toLowerCase().includes(q) || k.Description.toLowerCase().includes(q) || k.Aliases.some((a) => a.toLowerCase().includes(q)));
}
