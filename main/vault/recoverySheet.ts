/**
 * The printable recovery sheet: one self-contained HTML page (no scripts, no external resources)
 * holding the recovery key in groups, the vault id, the date and how to use it. Pure: the GUI
 * shows or saves it, the CLI writes it with `create-recovery-key --sheet FILE`.
 */

export interface RecoverySheetInput {
  RecoveryKey: string;
  VaultId: string;
  CreationDate: string;
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

export function renderRecoverySheet(input: RecoverySheetInput): string {
  const groups = input.RecoveryKey.split('-')
    .map((g) => `<span class="group">${escapeHtml(g)}</span>`)
    .join('<span class="dash">-</span>');
  const date = escapeHtml(input.CreationDate.slice(0, 10));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Key Vault recovery sheet</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 42rem; margin: 2rem auto; color: #111; background: #fff; line-height: 1.45; }
  h1 { font-size: 1.5rem; margin-bottom: 0.25rem; }
  .key { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 1.6rem; letter-spacing: 0.08em;
         border: 2px solid #111; padding: 1rem; margin: 1.5rem 0; text-align: center; word-spacing: 0.2em; }
  .dash { color: #888; }
  dt { font-weight: 600; }
  dd { margin: 0 0 0.5rem 0; font-family: ui-monospace, monospace; }
  .warn { border-left: 4px solid #b00; padding-left: 0.75rem; }
  code { font-family: ui-monospace, monospace; }
</style>
</head>
<body>
<h1>Key Vault recovery sheet</h1>
<p>This key puts your vault's root secret back into the keychain of a computer that has lost it
(a new machine, a reset keychain). With the vault folder, it opens every key in the vault.</p>
<div class="key" aria-label="Recovery key">${groups}</div>
<dl>
  <dt>Vault</dt><dd>${escapeHtml(input.VaultId)}</dd>
  <dt>Created</dt><dd>${date}</dd>
</dl>
<h2>How to use it</h2>
<ol>
  <li>Put the vault folder back in place (copy it from your file backup or the old computer).</li>
  <li>Run <code>keyvault recover</code> and type the key when asked (or save it in a file and run
      <code>keyvault recover --recovery-key-file FILE</code>). Case, spaces and dashes do not matter.</li>
  <li>A mistyped symbol is reported with its group before anything is changed: compare that group with this sheet.</li>
</ol>
<p class="warn">Keep this sheet offline and private (a safe, a locked drawer). Anyone holding it and a copy of
the vault folder can use your keys. Creating a new recovery key makes this sheet useless.</p>
</body>
</html>
`;
}
