/**
 * Why the chosen key cannot encrypt right now, with the fix in place: Enable it, cancel its
 * deletion, or open it to import material, or choose another key. Never switches keys itself.
 */
import type { KeyBlock } from '../fileWords';
import { keyBlockText } from '../fileWords';
import { vault } from '../bridge';
import { useKeysStore } from '../stores/keysStore';
import { attempt, useUiStore } from '../stores/uiStore';

export function KeyBlockNotice({ block, keyId, onChooseAnother }: { block: KeyBlock; keyId: string; onChooseAnother(): void }) {
  const upsert = useKeysStore((s) => s.upsert);
  const load = useKeysStore((s) => s.load);
  if (block.kind === 'none') return null;

  const enable = async () => {
    const res = await attempt(block.kind === 'disabled' ? `Enable ${block.name}` : 'Enable the key', () => vault().enableKey({ KeyId: keyId }));
    if (res) upsert(res.KeyMetadata);
  };
  const cancelDeletion = async () => {
    // Cancelling a deletion leaves the key disabled (as in AWS KMS); the notice then offers Enable.
    const res = await attempt('Cancel the deletion', () => vault().cancelKeyDeletion({ KeyId: keyId }));
    if (res) await load();
  };

  return (
    <div className="key-block" role="status" data-testid="file-key-blocked" data-kind={block.kind}>
      <p className="key-block-text">{keyBlockText(block)}</p>
      <div className="button-row">
        {block.kind === 'disabled' && (
          <button type="button" className="button button-primary" onClick={() => void enable()} data-testid="file-key-enable">
            Enable {block.name}
          </button>
        )}
        {block.kind === 'pending-deletion' && (
          <button type="button" className="button button-primary" onClick={() => void cancelDeletion()} data-testid="file-key-cancel-deletion">
            Cancel the deletion
          </button>
        )}
        {block.kind === 'pending-import' && (
          <button type="button" className="button button-primary" onClick={() => useUiStore.getState().openKey(keyId)}>
            Open {block.name}
          </button>
        )}
        <button type="button" className="button" onClick={onChooseAnother} data-testid="file-key-choose-another">
          {block.kind === 'missing' ? 'Choose a key' : 'Choose another key'}
        </button>
      </div>
    </div>
  );
}
