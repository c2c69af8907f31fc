/** One error in plain words, with the exception name and the service's message. */
import type { ShownError } from '../bridge';

export function ErrorText({ error, action }: { error: ShownError; action?: string }) {
  return (
    <div className="error-text" role="alert" data-testid="error-text" data-error-name={error.name}>
      <strong>{action ? `${action} failed: ` : ''}{error.plain}</strong>{' '}
      <span className="error-detail">
        <code className="error-name">{error.name}</code> {error.message}
      </span>
    </div>
  );
}
