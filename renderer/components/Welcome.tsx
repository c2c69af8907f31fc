/** What the app is for and where the keys live: the Keys screen while the person has no key of their own. */
import { useSetupStore } from '../stores/setupStore';
import { Checklist } from './Checklist';

export function Welcome() {
  const info = useSetupStore((s) => s.info);
  return (
    <div className="welcome" data-testid="welcome">
      <div className="panel">
        <h2>Welcome to Key Vault</h2>
        <p>
          Key Vault keeps encryption keys on this computer and uses them to lock your files, so only you can open them again. You never see or handle the keys
          themselves: you give each one a name, and Key Vault encrypts and decrypts with it.
        </p>
        <ul className="welcome-facts">
          <li>
            <strong>Your keys</strong> live in the vault folder{' '}
            <code className="mono" data-testid="welcome-vault-dir">
              {info?.VaultDirectory ?? '…'}
            </code>
            , sealed under a secret held by this computer's keychain (the operating system's password store).
          </li>
          <li>
            <strong>Nothing leaves this computer.</strong> There is no account and no cloud; a backup is a file you save yourself.
          </li>
          <li>
            <strong>Keys rotate:</strong> new data uses the newest version of a key, and files made with older versions still open.
          </li>
        </ul>
      </div>
      <div className="panel">
        <h2>Three steps to start</h2>
        <Checklist hasKeys={false} />
      </div>
    </div>
  );
}
