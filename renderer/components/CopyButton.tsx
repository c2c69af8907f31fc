/** A small "Copy" button for an id: ids stay one click away without taking the room of names. */
import { useState } from 'react';
import { useUiStore } from '../stores/uiStore';

export function CopyButton({ value, what }: { value: string; what: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      useUiStore.getState().notify(`Could not copy the ${what}; select it and copy it by hand.`);
    }
  };
  return (
    <button
      type="button"
      className="button button-small copy-button"
      onClick={() => void copy()}
      aria-label={`Copy ${what}`}
      title={value}
      data-testid="copy-button"
    >
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}
