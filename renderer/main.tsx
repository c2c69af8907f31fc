import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { applyTheme, useUiStore } from './stores/uiStore';
import './styles.css';

applyTheme(useUiStore.getState().theme);

// Nothing fails silently: anything that escapes a handler lands in the error area.
window.addEventListener('unhandledrejection', (e) => useUiStore.getState().reportError('Background task', e.reason));
window.addEventListener('error', (e) => useUiStore.getState().reportError('Unexpected error', e.error ?? e.message));

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
