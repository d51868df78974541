import { FormEvent, useState } from 'react';
import { ApiError } from '../api/client';
import { useSession } from '../session';
import { ErrorMessage, Page, TextField } from '../ui';

/**
 * Sign-in. Shown in place of whatever screen was open when there is no session, so that after an
 * expired session the same screen (and the form drafts on it) comes back once signed in again.
 */
export function LoginScreen() {
  const { login, expired, lastUsername } = useSession();
  const [username, setUsername] = useState(expired ? lastUsername ?? '' : '');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(username.trim(), password);
    } catch (err) {
      setError(err);
      setPassword('');
    } finally {
      setBusy(false);
    }
  };
  const fieldError = (f: string) => (error instanceof ApiError ? error.forField(f) : undefined);

  return (
    <Page title={expired ? 'Your session has ended' : 'Sign in'}>
      {expired && (
        <p className="notice" role="status">
          For security, sessions end after a while. Sign in again to continue: what you were typing has been kept.
        </p>
      )}
      <form onSubmit={submit} className="narrow" noValidate>
        <ErrorMessage error={error} />
        <TextField label="Username" value={username} onChange={setUsername} autoComplete="username" required error={fieldError('username')} />
        <TextField label="Password" type="password" value={password} onChange={setPassword} autoComplete="current-password" required error={fieldError('password')} />
        <button type="submit" className="btn primary" disabled={busy} aria-busy={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </Page>
  );
}
