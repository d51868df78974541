import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { ScreenErrorBoundary } from './error-boundary';
import { SessionProvider } from './session';
import { UploadsProvider } from './uploads';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    {/* The last resort: each screen has its own boundary (app.tsx); this one keeps the page from going blank otherwise. */}
    <ScreenErrorBoundary home="/" root>
      <SessionProvider>
        <UploadsProvider>
          <App />
        </UploadsProvider>
      </SessionProvider>
    </ScreenErrorBoundary>
  </StrictMode>,
);
