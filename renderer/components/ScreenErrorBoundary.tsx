/** A screen that throws while rendering shows the error (with its name) instead of a blank panel. */
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { toShownError, type ShownError } from '../bridge';
import { ErrorText } from './ErrorText';

interface Props {
  children: ReactNode;
  /** Changing it (e.g. navigating) clears the error. */
  resetKey: string;
}

export class ScreenErrorBoundary extends Component<Props, { error: ShownError | undefined; resetKey: string }> {
  override state = { error: undefined as ShownError | undefined, resetKey: this.props.resetKey };

  static getDerivedStateFromError(err: unknown): { error: ShownError } {
    return { error: toShownError(err) };
  }

  static getDerivedStateFromProps(props: Props, state: { resetKey: string }) {
    return props.resetKey !== state.resetKey ? { error: undefined, resetKey: props.resetKey } : null;
  }

  override componentDidCatch(err: unknown, info: ErrorInfo): void {
    console.error('Screen failed to render', err, info.componentStack);
  }

  override render() {
    if (this.state.error) {
      return (
        <section className="screen">
          <ErrorText error={this.state.error} action="Show this screen" />
        </section>
      );
    }
    return this.props.children;
  }
}
