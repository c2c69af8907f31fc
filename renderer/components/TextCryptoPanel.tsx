/** Encrypt a short text under the open key, or decrypt a ciphertext blob back to text. */
import { useId, useState } from 'react';
import { toShownError, vault, type ShownError } from '../bridge';
import { base64ToText, textToBase64 } from '../format';
import { ErrorText } from './ErrorText';

export function TextCryptoPanel({ keyId }: { keyId: string }) {
  const [plaintext, setPlaintext] = useState('');
  const [blob, setBlob] = useState('');
  const [encrypted, setEncrypted] = useState<{ blob: string; version: string }>();
  const [decrypted, setDecrypted] = useState<{ text: string; version: string }>();
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
      setDecrypted({ text: base64ToText(res.Plaintext), version: res.KeyVersionId });
    } catch (err) {
      setError({ action: 'Decrypt', error: toShownError(err) });
    }
  };

  return (
    <div className="crypto-panel" data-testid="text-crypto">
      <div className="crypto-half">
        <label className="field" htmlFor={`${ids}-plain`}><span>Text to encrypt</span></label>
        <textarea id={`${ids}-plain`} rows={3} value={plaintext} onChange={(e) => setPlaintext(e.target.value)} data-testid="encrypt-input" />
        <button type="button" className="button" onClick={() => void encrypt()} disabled={plaintext === ''} data-testid="encrypt-button">
          Encrypt
        </button>
        {encrypted && (
          <div className="output">
            <span className="muted">CiphertextBlob (version {encrypted.version})</span>
            <output className="mono output-box" data-testid="encrypt-output">{encrypted.blob}</output>
            <button type="button" className="button button-small" onClick={() => setBlob(encrypted.blob)}>
              Use for decrypt
            </button>
          </div>
        )}
      </div>
      <div className="crypto-half">
        <label className="field" htmlFor={`${ids}-blob`}><span>CiphertextBlob to decrypt</span></label>
        <textarea id={`${ids}-blob`} rows={3} className="mono" value={blob} onChange={(e) => setBlob(e.target.value)} data-testid="decrypt-input" />
        <button type="button" className="button" onClick={() => void decrypt()} disabled={blob.trim() === ''} data-testid="decrypt-button">
          Decrypt
        </button>
        {decrypted && (
          <div className="output">
            <span className="muted">Plaintext (version {decrypted.version})</span>
            <output className="output-box" data-testid="decrypt-output">{decrypted.text}</output>
          </div>
        )}
      </div>
      {error && <ErrorText error={error.error} action={error.action} />}
    </div>
  );
}
