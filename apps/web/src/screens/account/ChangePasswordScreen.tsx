import { FormEvent, useRef, useState } from 'react';
import { api, ApiError, unwrap } from '../../api/client';
import { HOME } from '../../home';
import { navigate } from '../../router';
import { useSession, useUser } from '../../session';
import { ErrorMessage, Page, TextField } from '../../ui';

const MIN = 12;
const MAX = 128;

/**
 * The caller sets their own password (POST /auth/password). `forced`: an administrator reset it, so this is the
 * only screen the console shows until it is done (the service refuses everything else meanwhile).
 */
export function ChangePasswordScreen({ forced = false }: { forced?: boolean }) {
  const user = useUser();
  const { adopt } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const doneRef = useRef<HTMLParagraphElement>(null);

  // The first marked field, else the message (as LoginScreen does; `a?.focus() ?? b?.focus()` focused both, the message last).
  const focusFirstProblem = () =>
    requestAnimationFrame(() => {
      const target =
        formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]') ??
        formRef.current?.querySelector<HTMLElement>('.focus-target');
      target?.focus();
    });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const found: Record<string, string> = {};
    if (!current)
      found.current = forced
        ? 'Type the temporary password the administrator gave you.'
        : 'Type your current password.';
    if (next.length < MIN || next.length > MAX)
      found.next = `Choose a password of ${MIN} to ${MAX} characters: a few words make a good one.`;
    else if (next === current) found.next = 'Choose a password different from the current one.';
    if (!found.next && again !== next) found.again = 'The two new passwords are not the same: type it again.';
    setErrors(found);
    if (Object.keys(found).length) {
      focusFirstProblem();
      return;
    }
    setBusy(true);
    try {
      const r = await unwrap(
        api.POST('/api/v1/auth/password', { body: { currentPassword: current, newPassword: next } }),
      );
      setCurrent('');
      setNext('');
      setAgain('');
      adopt(r);
      if (forced) {
        navigate(HOME[r.user.role], { replace: true });
      } else {
        setDone(true);
        requestAnimationFrame(() => doneRef.current?.focus());
      }
    } catch (err) {
      if (err instanceof ApiError && err.code === 'VALIDATION.FAILED') {
        setErrors({
          ...(err.forField('currentPassword')
            ? {
                current: forced
                  ? 'This is not the temporary password the administrator gave you.'
                  : 'This is not your current password.',
              }
            : {}),
          ...(err.forField('newPassword')
            ? { next: `Choose a password of ${MIN} to ${MAX} characters, different from the current one, on one line.` }
            : {}),
        });
        setError(new Error('The password was not changed: see the marked fields.'));
      } else {
        setError(err);
      }
      setCurrent('');
      focusFirstProblem();
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title={forced ? 'Set a new password' : 'Change my password'}>
      {forced && (
        <p className="notice">
          An administrator reset the password of <strong>{user.username}</strong>. Set a password of your own now:
          nothing else is available until you do. Afterwards, sign in with the new password only.
        </p>
      )}
      {done && (
        <p ref={doneRef} tabIndex={-1} className="success" role="status">
          Your password was changed. Use the new one from your next sign-in.
        </p>
      )}
      <form
        ref={formRef}
        onSubmit={submit}
        className="narrow"
        noValidate
        aria-label={forced ? 'Set a new password' : 'Change my password'}
      >
        {error !== null && (
          <div tabIndex={-1} className="focus-target">
            <ErrorMessage error={error} />
          </div>
        )}
        <TextField
          label={forced ? 'Temporary password' : 'Current password'}
          type="password"
          value={current}
          onChange={setCurrent}
          autoComplete="current-password"
          required
          error={errors.current}
        />
        <TextField
          label="New password"
          type="password"
          value={next}
          onChange={setNext}
          autoComplete="new-password"
          required
          maxLength={MAX}
          hint={`${MIN} to ${MAX} characters. A passphrase of several words is easy to remember and hard to guess.`}
          error={errors.next}
        />
        <TextField
          label="New password again"
          type="password"
          value={again}
          onChange={setAgain}
          autoComplete="new-password"
          required
          maxLength={MAX}
          error={errors.again}
        />
        <div className="btn-row">
          <button type="submit" className="btn primary" disabled={busy} aria-busy={busy}>
            {busy ? 'Saving…' : 'Save new password'}
          </button>
        </div>
      </form>
    </Page>
  );
}
