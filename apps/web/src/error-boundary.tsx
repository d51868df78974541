import { Component, type ReactNode } from 'react';
import { ApiError, lastRequestId } from './api/client';
import { Link } from './router';
import { Page } from './ui';

/**
 * Whatever goes wrong while a screen renders (an answer of an unexpected shape, a bug), the person sees
 * a plain message and a way back, never a blank page. Keyed by the address in App, so moving to another
 * screen starts afresh. Drafts are in sessionStorage, so what was typed is still there after a reload.
 * React itself logs the error to the browser's console (createRoot's onCaughtError) for whoever investigates.
 */
export class ScreenErrorBoundary extends Component<
  { home: string; root?: boolean; children: ReactNode },
  { error: unknown; requestId: string | null }
> {
  override state: { error: unknown; requestId: string | null } = { error: null, requestId: null };

  static getDerivedStateFromError(error: unknown) {
    return { error, requestId: error instanceof ApiError ? error.body.requestId || null : lastRequestId() };
  }

  override render() {
    if (this.state.error === null) return this.props.children;
    const { requestId } = this.state;
    const page = (
      <Page title="This screen could not be shown">
        <div className="error" role="alert">
          <p>
            Something went wrong while showing this screen. Nothing was changed by it, and what you typed in forms is
            kept in this tab.
          </p>
          {requestId && <p className="muted">Reference for support: {requestId}</p>}
        </div>
        {/* Around the whole console (root), the page itself is gone: the way back loads it afresh. */}
        <p>
          {this.props.root ? (
            <a href={this.props.home}>Go to your start page</a>
          ) : (
            <Link to={this.props.home}>Go to your start page</Link>
          )}
        </p>
        <p>
          <button type="button" className="btn secondary" onClick={() => location.reload()}>
            Reload this page
          </button>
        </p>
      </Page>
    );
    return this.props.root ? (
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    ) : (
      page
    );
  }
}
