import { FormEvent, useId, useRef, useState } from 'react';
import { api, ApiError, unwrap } from '../api/client';
import { Link } from '../router';
import { useSession } from '../session';
import { ErrorMessage, Page, TextField, useLoad } from '../ui';

/** Words for the sign-in's fields when the service refuses them: never the validator's own text. */
const SIGN_IN_FIELD_WORDS: Record<string, string> = {
  username: 'Type your username (at most 64 characters, on one line).',
  password: 'Type your password (at most 256 characters).',
  systemUseNotice: 'The notice above changed while this page was open. Read it again, then confirm and sign in.',
};

/** The sign-in's own refusals in words (a wrong password: words only, no request id; validator text never). */
function signInError(e: unknown): unknown {
  if (e instanceof ApiError && e.code === 'VALIDATION.FAILED')
    return new Error('Check the marked fields, then sign in again.');
  return e;
}

/**
 * Sign-in. Shown in place of whatever screen was open when there is no session, so that after an
 * expired session the same screen (and the form drafts on it) comes back once signed in again.
 *
 * Before anyone signs in, the system use notification (CJIS Security Policy AC-8; its text is the
 * service's SYSTEM_USE_NOTICE) must be read and acknowledged: the acknowledgement (the SHA-256 of the
 * text shown) is sent with the sign-in and recorded with its audit event.
 */
export function LoginScreen() {
  const { login, expired, lastUsername } = useSession();
  const notice = useLoad(() => unwrap(api.GET('/api/v1/auth/system-use-notice')), []);
  const [username, setUsername] = useState(expired ? (lastUsername ?? '') : '');
  const [password, setPassword] = useState('');
  const [acknowledged, setAcknowledged] = useState(false);
  const [ackMissing, setAckMissing] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const ackId = useId();
  const ackRef = useRef<HTMLInputElement>(null);
  const formRef = useRef<HTMLFormElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (!notice.data) return;
    if (!acknowledged) {
      setAckMissing(true);
      ackRef.current?.focus();
      return;
    }
    setBusy(true);
    try {
      await login(username.trim(), password, notice.data.sha256);
    } catch (err) {
      setError(err);
      setPassword('');
      if (err instanceof ApiError && err.forField('systemUseNotice')) {
        setAcknowledged(false);
        notice.reload();
      }
      // Focus goes to what needs attention: the first marked field, else the message.
      requestAnimationFrame(() => {
        const target =
          formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]') ??
          formRef.current?.querySelector<HTMLElement>('.focus-target');
        target?.focus();
      });
    } finally {
      setBusy(false);
    }
  };
  const fieldError = (f: string) =>
    error instanceof ApiError && error.forField(f) ? SIGN_IN_FIELD_WORDS[f] : undefined;
  const ackError =
    ackMissing && !acknowledged
      ? 'Confirm that you have read the notice before signing in.'
      : fieldError('systemUseNotice');

  return (
    <Page title={expired ? 'Your session has ended' : 'Sign in'}>
      {expired && (
        <p className="notice" role="status">
          For security, sessions end after a while. Sign in again to continue: what you were typing has been kept.
        </p>
      )}
      <section className="panel system-use-notice narrow" aria-labelledby="system-use-notice-h">
        <h2 id="system-use-notice-h">System use notification</h2>
        {notice.error ? (
          <ErrorMessage
            error={notice.error}
            context="The notice could not be loaded, so signing in is not possible yet. Reload the page"
          />
        ) : !notice.data ? (
          <p className="muted" role="status">
            Loading the notice…
          </p>
        ) : (
          notice.data.text.split(/\n{2,}/).map((para, i) => <p key={i}>{para}</p>)
        )}
      </section>
      <form ref={formRef} onSubmit={submit} className="narrow" noValidate>
        {error !== null && (
          <div tabIndex={-1} className="focus-target">
            <ErrorMessage error={signInError(error)} />
          </div>
        )}
        <div className={`field checkbox${ackError ? ' has-error' : ''}`}>
          {ackError && (
            <p id={`${ackId}-error`} className="field-error">
              {ackError}
            </p>
          )}
          <input
            ref={ackRef}
            id={ackId}
            type="checkbox"
            checked={acknowledged}
            disabled={!notice.data}
            onChange={(e) => {
              setAcknowledged(e.target.checked);
              if (e.target.checked) setAckMissing(false);
            }}
            aria-invalid={!!ackError}
            aria-describedby={ackError ? `${ackId}-error` : undefined}
            aria-required="true"
          />
          <label htmlFor={ackId}>
            I have read this notice and accept that my use of this system is monitored and recorded
          </label>
        </div>
        <TextField
          label="Username"
          value={username}
          onChange={setUsername}
          autoComplete="username"
          required
          error={fieldError('username')}
        />
        <TextField
          label="Password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="current-password"
          required
          error={fieldError('password')}
        />
        <button type="submit" className="btn primary" disabled={busy || !notice.data} aria-busy={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="public-link">
        No account needed: <Link to="/statistics">public statistics on the cases referred to prosecutors</Link>.
      </p>
    </Page>
  );
}
