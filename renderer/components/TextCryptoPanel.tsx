/** Encrypt a short text under the open key, or decrypt a ciphertext blob back to text. */
import { useId, useState } from 'react';
import { toShownError, vault, type ShownError } from '../bridge';
import { base64ToText, formatDate, keyLabel, textToBase64 } from '../format';
import { useKeyDetailStore } from '../stores/keyDetailStore';
import { useKeysStore } from '../stores/keysStore';
import { ErrorText } from './ErrorText';

/** "version 2 of notes (30 Nov 2026)": the key's name and the version's number, not their ids. */
function useVersionWords(): (keyId: string | undefined, versionId: string) => string {
  const keys = useKeysStore((s) => s.keys);
  const versions = useKeyDetailStore((s) => s.versions);
  return (keyId, versionId) => {
    const key = keys.find((k) => k.KeyId === keyId);
    const ordered = [...versions].sort((a, b) => Date.parse(a.CreationDate) - Date.parse(b.CreationDate));
    const i = ordered.findIndex((v) => v.KeyVersionId === versionId);
    const name = key ? keyLabel(key) : 'another key';
    return i === -1 ? `a version of ${name}` : `version ${i + 1} of ${name} (${formatDate(ordered[i]?.CreationDate)})`;
  };
}

export function TextCryptoPanel({ keyId }: { keyId: string }) {
  const [plaintext, setPlaintext] = useState('');
  const [blob, setBlob] = useState('');
  const [encrypted, setEncrypted] = useState<{ blob: string; version: string }>();
  const [decrypted, setDecrypted] = useState<{ text: string; version: string; keyId: string | undefined }>();
  const versionWords = useVersionWords();
  const [error, setError] = useState<{ action: string; error: ShownError }>();
  const ids = useId();

  const encrypt = async () => {
    setError(undefined);
    setEncrypted(undefined);
    try {
      const res = await vault().encrypt({ KeyId: keyId, Plaintext: textToBase64(plaintext) });
      setEncrypted({ blob: res.CiphertextBlob, version: res.KeyVersionId });
    } catch (err) {
      setError({ action: 'Encrypt', error: toShownError(err) });
    }
  };

  const decrypt = async () => {
    setError(undefined);
    setDecrypted(undefined);
    try {
      const res = await vault().decrypt({ CiphertextBlob: blob.trim() });
      setDecrypted({ text: base64ToText(res.Plaintext), version: res.KeyVersionId, keyId: res.KeyId });
    } catch (err) {
      setError({ action: 'Decrypt', error: toShownError(err) });
    }
  };

  return (
    <div className="crypto-panel" data-testid="text-crypto">
      <div className="crypto-half">
        <label className="field" htmlFor={`${ids}-plain`}>
          <span>Text to encrypt</span>
        </label>
        <textarea id={`${ids}-plain`} rows={3} value={plaintext} onChange={(e) => setPlaintext(e.target.value)} data-testid="encrypt-input" />
        <button type="button" className="button" onClick={() => void encrypt()} disabled={plaintext === ''} data-testid="encrypt-button">
          Encrypt
        </button>
        {encrypted && (
          <div className="output">
            <span className="muted" title={encrypted.version}>
              Encrypted with {versionWords(keyId, encrypted.version)}
            </span>
            <output className="mono output-box" data-testid="encrypt-output">
              {encrypted.blob}
            </output>
            <button type="button" className="button button-small" onClick={() => setBlob(encrypted.blob)}>
              Use for decrypt
            </button>
          </div>
        )}
      </div>
      <div className="crypto-half">
        <label className="field" htmlFor={`${ids}-blob`}>
          <span>CiphertextBlob to decrypt</span>
        </label>
        <textarea id={`${ids}-blob`} rows={3} className="mono" value={blob} onChange={(e) => setBlob(e.target.value)} data-testid="decrypt-input" />
        <button type="button" className="button" onClick={() => void decrypt()} disabled={blob.trim() === ''} data-testid="decrypt-button">
          Decrypt
        </button>
        {decrypted && (
          <div className="output">
            <span className="muted" title={decrypted.version}>
              Decrypted with {versionWords(decrypted.keyId, decrypted.version)}
            </span>
            <output className="output-box" data-testid="decrypt-output">
              {decrypted.text}
            </output>
          </div>
        )}
      </div>
      {error && <ErrorText error={error.error} action={error.action} />}
    </div>
  );
}
