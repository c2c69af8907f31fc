/** The error banner area (errors stay until dismissed) and short notices (they fade by themselves). */
import { useUiStore } from '../stores/uiStore';
import { ErrorText } from './ErrorText';

export function MessageArea() {
  const errors = useUiStore((s) => s.errors);
  const notices = useUiStore((s) => s.notices);
  const dismissError = useUiStore((s) => s.dismissError);
  const dismissNotice = useUiStore((s) => s.dismissNotice);
  if (errors.length === 0 && notices.length === 0) return null;
  return (
    <div className="message-area" aria-live="polite" data-testid="message-area">
      {errors.map((e) => (
        <div key={e.id} className="banner banner-error" data-testid="error-banner">
          <ErrorText error={e} action={e.action} />
          <button type="button" className="icon-button" aria-label={`Dismiss error: ${e.action}`} onClick={() => dismissError(e.id)}>
            ×
          </button>
        </div>
      ))}
      {notices.map((n) => (
        <div key={n.id} className="banner banner-notice" role="status" data-testid="notice" data-notice-id={n.id}>
          <span>{n.text}</span>
          <button type="button" className="icon-button" aria-label="Dismiss notice" onClick={() => dismissNotice(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
