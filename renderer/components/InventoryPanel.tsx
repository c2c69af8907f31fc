/** The Files screen's inventory panel (issue 12), wired to the retire store; loads when shown. */
import { useEffect } from 'react';
import { keyLabel } from '../format';
import { useFilesStore } from '../stores/filesStore';
import { useKeysStore } from '../stores/keysStore';
import { useRetireStore } from '../stores/retireStore';
import { FileInventoryTable } from './FileInventoryTable';

export function InventoryPanel() {
  const files = useRetireStore((s) => s.inventory);
  const filters = useRetireStore((s) => s.filters);
  const scanning = useRetireStore((s) => s.busy === 'scan');
  const scanText = useRetireStore((s) => s.scanText);
  const more = useRetireStore((s) => s.nextMarker !== undefined);
  const keys = useKeysStore((s) => s.keys);
  // Every finished file job may have added or updated a known file: reload then too.
  const finishedJobs = useFilesStore((s) => s.jobs.filter((j) => j.status === 'done').length);
  const { loadInventory, moreInventory, scanFolder } = useRetireStore.getState();
  useEffect(() => {
    void loadInventory();
  }, [loadInventory, finishedJobs]);
  return (
    <div className="panel">
      <FileInventoryTable
        files={files}
        filters={filters}
        keys={keys.map((k) => ({ id: k.KeyId, name: keyLabel(k) }))}
        busy={scanning}
        {...(scanText ? { scanText } : {})}
        onFilters={(next) => void loadInventory(next)}
        onScanFolder={() => void scanFolder()}
        {...(more ? { onMore: () => void moreInventory() } : {})}
      />
    </div>
  );
}
