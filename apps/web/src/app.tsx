import { useEffect, useState } from 'react';
import { ScreenErrorBoundary } from './error-boundary';
import { HOME, ROUTES } from './routes';
import { isDecodablePath, Link, matchPath, navigate, useLocation } from './router';
import { LoginScreen } from './screens/LoginScreen';
import { StatisticsScreen } from './screens/public/StatisticsScreen';
import { ChangePasswordScreen } from './screens/account/ChangePasswordScreen';
import { useSession, type User } from './session';
import { label, Page } from './ui';
import { unfinished, UploadsPanel, useUploads } from './uploads';

export function App() {
  const { user } = useSession();
  const { path } = useLocation();
  // On a phone the navigation and the account links fold behind "Menu" (issue 16: the header stays one line high).
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [path]);
  const withNav = !!user && !user.mustChangePassword;
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <header className={`top${menuOpen ? ' menu-open' : ''}${withNav ? ' with-menu' : ''}`}>
        <div className="brand">
          ICE On Notice <span className="muted">· case console</span>
        </div>
        {withNav && (
          <button
            type="button"
            className="btn secondary menu-toggle"
            aria-expanded={menuOpen}
            aria-controls="main-nav"
            onClick={() => setMenuOpen((o) => !o)}
          >
            Menu
          </button>
        )}
        {user && !user.mustChangePassword && <Nav user={user} path={path} onPick={() => setMenuOpen(false)} />}
        {user && <UserBox user={user} onPick={() => setMenuOpen(false)} />}
      </header>
      {/* Above every screen: an upload goes on, and stays in sight, wherever the officer navigates. */}
      {user && !user.mustChangePassword && <UploadsPanel />}
      <main id="main" tabIndex={-1}>
        <ScreenErrorBoundary key={path} home={user ? HOME[user.role] : '/'}>
          {/* An administrator reset the password: nothing else until the user sets their own (the service enforces it too). */}
          {/* The public statistics open for anyone, signed in or not. */}
          {path === '/statistics' ? (
            <StatisticsScreen signedIn={!!user} />
          ) : user ? (
            user.mustChangePassword ? (
              <ChangePasswordScreen forced />
            ) : (
              <Screen user={user} path={path} />
            )
          ) : (
            <LoginScreen />
          )}
        </ScreenErrorBoundary>
      </main>
    </>
  );
}

function Nav({ user, path, onPick }: { user: User; path: string; onPick: () => void }) {
  const entries = ROUTES.filter((r) => r.roles.includes(user.role) && r.nav?.[user.role]);
  return (
    <nav aria-label="Main" id="main-nav">
      <ul>
        {entries.map((r) => (
          <li key={r.path}>
            <Link to={r.path} aria-current={path === r.path ? 'page' : undefined} onClick={onPick}>
              {r.nav![user.role]}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function UserBox({ user, onPick }: { user: User; onPick: () => void }) {
  const { logout } = useSession();
  const uploads = useUploads();
  const signOut = async () => {
    const n = uploads.uploads.filter(unfinished).length;
    if (
      n > 0 &&
      !window.confirm(
        `${n === 1 ? 'An evidence upload is' : `${n} evidence uploads are`} not finished. Signing out abandons ${n === 1 ? 'it' : 'them'}: nothing of ${n === 1 ? 'it' : 'them'} is kept. Sign out anyway?`,
      )
    )
      return;
    // Abandoned on the service while the token is still good, then forgotten in this browser.
    await uploads.discardAll();
    await logout();
    navigate('/', { replace: true });
  };
  const scope = user.district ? `District ${user.district}` : (user.office ?? '');
  return (
    <div className="userbox">
      <span className="who">
        {user.displayName} · {label(user.role)}
        {scope ? ` · ${scope}` : ''}
      </span>
      {!user.mustChangePassword && (
        <Link className="account-link" to="/account/password" onClick={onPick}>
          Change my password
        </Link>
      )}
      <button type="button" className="btn secondary" onClick={() => void signOut()}>
        Sign out
      </button>
    </div>
  );
}

function Screen({ user, path }: { user: User; path: string }) {
  const home = HOME[user.role];
  useEffect(() => {
    if (path === '/' || path === '/login') navigate(home, { replace: true });
  }, [path, home]);
  // Anyone can type or follow any address: one that is not valid percent-encoding (`/cases/%E0`) is said so.
  if (!isDecodablePath(path)) {
    return (
      <Page title="This address is not valid">
        <p>
          The address in the browser is damaged or incomplete, so there is no screen for it. Check the link you
          followed.
        </p>
        <p>
          <Link to={home}>Go to your start page</Link>
        </p>
      </Page>
    );
  }
  // The most specific pattern first: /cases/new before /cases/:id.
  for (const r of [...ROUTES].sort((a, b) => (a.path.includes(':') ? 1 : 0) - (b.path.includes(':') ? 1 : 0))) {
    const params = matchPath(r.path, path);
    if (!params) continue;
    if (!r.roles.includes(user.role)) {
      return (
        <Page title="Not available to your role">
          <p>
            This screen is for {r.roles.map((x) => label(x).toLowerCase()).join(' and ')} accounts. You are signed in as{' '}
            {label(user.role).toLowerCase()}.
          </p>
          <p>
            <Link to={home}>Go to your start page</Link>
          </p>
        </Page>
      );
    }
    return r.render(params);
  }
  if (path === '/' || path === '/login') return null;
  return (
    <Page title="Page not found">
      <p>There is no screen at this address.</p>
      <p>
        <Link to={home}>Go to your start page</Link>
      </p>
    </Page>
  );
}
