/** For an EXTERNAL key waiting for material: pick a 32-byte file, send it base64-encoded. */
import { useId, useState, type ChangeEvent } from 'react';
import type { ShownError } from '../bridge';
import { bytesToBase64 } from '../format';
import { useKeyDetailStore } from '../stores/keyDetailStore';
import { ErrorText } from './ErrorText';

const MATERIAL_BYTES = 32;

export function ImportMaterialPanel() {
  const importMaterial = useKeyDetailStore((s) => s.importMaterial);
  const busy = useKeyDetailStore((s) => s.busy);
  const [problem, setProblem] = useState<ShownError>();
  const [picked, setPicked] = useState<{ name: string; base64: string }>();
  const ids = useId();

  const onPick = async (e: ChangeEvent<HTMLInputElement>) => {
    setProblem(undefined);
    setPicked(undefined);
    const file = e.target.files?.[0];
    if (!file) return;
    const bytes = new Uint8Array(await file.arrayBuffer());
    if (bytes.length !== MATERIAL_BYTES) {
      setProblem({
        name: 'ValidationException',
        message: `"${file.name}" holds ${bytes.length} bytes; key material must be exactly ${MATERIAL_BYTES} bytes (raw, not hex or base64).`,
        plain: 'That file is not 256-bit key material.',
      });
      return;
    }
    setPicked({ name: file.name, base64: bytesToBase64(bytes) });
    bytes.fill(0);
  };

  const submit = async () => {
    if (!picked) return;
    const ok = await importMaterial(picked.base64);
    if (ok) setPicked(undefined);
  };

  return (
    <div className="import-panel" data-testid="import-material">
      <p>
        This key has no material yet. Import 32 random bytes (for example from <code>openssl rand 32 &gt; key.bin</code>).
      </p>
      <label className="field" htmlFor={`${ids}-file`}>
        <span>Key material file</span>
      </label>
      <input id={`${ids}-file`} type="file" onChange={(e) => void onPick(e)} data-testid="import-file" />
      <button type="button" className="button button-primary" disabled={!picked || busy !== undefined} onClick={() => void submit()}>
        {busy === 'Import key material' ? 'Importing…' : picked ? `Import ${picked.name}` : 'Import'}
      </button>
      {problem && <ErrorText error={problem} action="Read key material" />}
    </div>
  );
}
