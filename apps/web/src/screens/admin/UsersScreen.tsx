import { FormEvent, RefObject, useEffect, useRef, useState } from 'react';
import { api, ApiError, unwrap } from '../../api/client';
import { policeDistrictValues, prosecutorOfficeValues, roleValues, type components } from '../../api/schema';
import { useDraft } from '../../drafts';
import { useUser } from '../../session';
import {
  ActionButton,
  dateTime,
  ErrorMessage,
  label,
  Loaded,
  Page,
  RadioGroup,
  SelectField,
  StackTable,
  TextArea,
  TextField,
  useLoad,
} from '../../ui';
import { OFFICE_NAMES } from '../../words';

type UserView = components['schemas']['UserView'];
type Role = components['schemas']['Role'];
type Office = components['schemas']['ProsecutorOffice'];
type CreateUser = components['schemas']['CreateUserDto'];
type UpdateUser = components['schemas']['UpdateUserDto'];
type District = NonNullable<CreateUser['district']>;

const PAGE_SIZE = 25;

const ROLE_WORDS: Record<Role, string> = {
  OFFICER: 'Officer: opens cases and records evidence in their district',
  SUPERVISOR: "Supervisor: reviews, approves and sends their district's cases",
  PROSECUTOR: 'Prosecutor: reviews the packets sent to their office',
  AUDITOR: 'Auditor: reads, exports and verifies the audit log',
  ADMIN: 'Administrator: manages user accounts',
};

const needsDistrict = (r: Role | '') => r === 'OFFICER' || r === 'SUPERVISOR';
const needsOffice = (r: Role | '') => r === 'PROSECUTOR';

const DISTRICTS = policeDistrictValues.map(String);
const DISTRICT_WORDS = Object.fromEntries(DISTRICTS.map((d) => [d, `District ${d}`]));

/** What the password rules of the service are (CreateUserDto: 12 to 128 characters). */
const PASSWORD_HINT =
  '12 to 128 characters; a passphrase of several words works well. Hand it over in person. ' +
  'Never kept in this browser: if your session ends before you save, type it again.';

function scopeOf(u: { role: Role; district: number | null; office: Office | null }): string {
  if (u.district !== null) return `District ${u.district}`;
  if (u.office) return OFFICE_NAMES[u.office];
  return '—';
}

/**
 * What the console says when the service refuses a field of a user form: its own words, never the validator's
 * text (the service's message names the field for API clients; people get a sentence that says what to do).
 */
const USER_FIELD_WORDS: Record<string, string> = {
  username: 'Use 3 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit.',
  displayName: 'Type the name as it should appear on records (1 to 200 characters, on one line).',
  password: 'Choose a password of 12 to 128 characters, on one line.',
  temporaryPassword:
    'Choose a temporary password of 12 to 128 characters, on one line, or let the console generate one.',
  badgeNumber: 'Use 1 to 32 letters, digits or dashes, or leave it empty.',
  role: 'Choose one of the roles in the list.',
  district: 'Officers and supervisors need a police district; other roles have none.',
  office: "Prosecutors need an office (the State's Attorney or the Department of Law); other roles have none.",
  deactivationReason:
    'Say why the account is being deactivated (up to 1,000 characters): it is kept with the account and in the audit trail.',
};

/** A refusal in words: validation becomes "see the marked fields", a conflict says which field and who holds it. */
function inWords(e: unknown): unknown {
  if (!(e instanceof ApiError)) return e;
  if (e.code === 'VALIDATION.FAILED') return new Error('Some fields need attention: see the marked fields.');
  if (e.code === 'RESOURCE.CONFLICT') {
    const field = /^(\w+): /.exec(e.body.message)?.[1];
    if (field === 'username') return new Error('This username is already taken: choose another.');
    if (field === 'badgeNumber')
      return new Error(`This badge number already belongs to ${e.body.heldBy ?? 'another account'}.`);
  }
  return e;
}

/** A field's error in the console's words: the service named the field, or a conflict is about it. */
function fieldError(e: unknown, field: string): string | undefined {
  if (!(e instanceof ApiError)) return undefined;
  if (e.forField(field)) return USER_FIELD_WORDS[field] ?? 'Check this field.';
  const conflictOn = e.code === 'RESOURCE.CONFLICT' ? /^(\w+): /.exec(e.body.message)?.[1] : undefined;
  if (conflictOn !== field) return undefined;
  return field === 'badgeNumber'
    ? `Already the badge of ${e.body.heldBy ?? 'another account'}: badge numbers are unique.`
    : 'Already taken: choose another.';
}

/** Focus on an element once it is on screen (after a save, inside a confirmation): where the change is. */
function useFocusOnMount<T extends HTMLElement>(): RefObject<T | null> {
  const ref = useRef<T>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return ref;
}

interface ListFilters {
  q: string;
  role: Role | '';
  status: 'active' | 'inactive' | '';
}

type Notice = { kind: 'done'; text: string } | { kind: 'failed'; error: unknown; context: string } | null;

/** Which panel is open under a row (one at a time in the whole list). */
type RowPanel = { id: string; kind: 'details' | 'role' | 'deactivate' | 'reset' } | null;

/**
 * The administrator's screen: the accounts (searched and filtered), creating one, editing a name, badge and
 * district, changing a role, resetting a password, deactivating with a reason and reactivating.
 */
export function UsersScreen() {
  const me = useUser();
  const [filters, setFilters] = useDraft<ListFilters>('users-filters', { q: '', role: '', status: '' });
  const [typed, setTyped] = useState(filters.q ?? '');
  const [page, setPage] = useState(1);
  const [tick, setTick] = useState(0);
  const [panel, setPanel] = useState<RowPanel>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const [temporary, setTemporary] = useState<{ username: string; password: string } | null>(null);
  const [created, setCreated] = useState<{ n: number; text: string | null }>({ n: 0, text: null });
  const q = (filters.q ?? '').trim();
  // The filters travel with the page they produced: the caption never describes rows still loading.
  const state = useLoad(
    async () => ({
      shown: { ...filters, q },
      page: await unwrap(
        api.GET('/api/v1/users', {
          params: {
            query: {
              page,
              pageSize: PAGE_SIZE,
              ...(q ? { q } : {}),
              ...(filters.role ? { role: filters.role } : {}),
              ...(filters.status ? { active: filters.status === 'active' } : {}),
            },
          },
        }),
      ),
    }),
    [q, filters.role, filters.status, page, tick],
  );
  const reload = () => setTick((n) => n + 1);
  /** One message at a time: a row action's result replaces the last creation's (and a shown temporary password). */
  const say = (n: Notice) => {
    setNotice(n);
    setTemporary(null);
    setCreated((c) => ({ ...c, text: null }));
  };
  const toggle = (id: string, kind: NonNullable<RowPanel>['kind']) => {
    setPanel((p) => (p?.id === id && p.kind === kind ? null : { id, kind }));
    setNotice(null);
    setTemporary(null);
  };

  const reactivate = async (u: UserView) => {
    setNotice(null);
    try {
      const body: UpdateUser = { active: true };
      await unwrap(api.PATCH('/api/v1/users/{id}', { params: { path: { id: u.id } }, body }));
      say({ kind: 'done', text: `Reactivated ${u.username}: they can sign in again.` });
      reload();
    } catch (err) {
      say({ kind: 'failed', error: inWords(err), context: `Could not reactivate ${u.username}` });
    }
  };

  const unlock = async (u: UserView) => {
    setNotice(null);
    try {
      const body: UpdateUser = { unlock: true };
      await unwrap(api.PATCH('/api/v1/users/{id}', { params: { path: { id: u.id } }, body }));
      say({ kind: 'done', text: `Cleared the sign-in lockout of ${u.username}.` });
      reload();
    } catch (err) {
      say({ kind: 'failed', error: inWords(err), context: `Could not clear the lockout of ${u.username}` });
    }
  };

  const search = (e: FormEvent) => {
    e.preventDefault();
    setFilters((f) => ({ ...f, q: typed.trim() }));
    setPage(1);
  };

  return (
    <Page
      title="Users"
      actions={
        <a className="btn secondary" href="#create-h">
          Create a user
        </a>
      }
    >
      <section aria-labelledby="list-h">
        <h2 id="list-h">Accounts</h2>
        <form role="search" aria-label="Find accounts" onSubmit={search} className="filter-grid" noValidate>
          <TextField
            label="Find an account"
            value={typed}
            onChange={setTyped}
            maxLength={100}
            hint="Part of a name, username or badge number; letter case does not matter."
          />
          <SelectField
            label="Show role"
            value={filters.role}
            options={roleValues}
            placeholder="All roles"
            onChange={(role) => {
              setFilters((f) => ({ ...f, role }));
              setPage(1);
            }}
          />
          <SelectField<'active' | 'inactive'>
            label="Show status"
            value={filters.status}
            options={['active', 'inactive']}
            placeholder="Active and deactivated"
            labels={{ active: 'Active only', inactive: 'Deactivated only' }}
            onChange={(status) => {
              setFilters((f) => ({ ...f, status }));
              setPage(1);
            }}
          />
          <div className="btn-row">
            <button type="submit" className="btn secondary">
              Search
            </button>
            {q && (
              <button
                type="button"
                className="btn secondary"
                onClick={() => {
                  setTyped('');
                  setFilters((f) => ({ ...f, q: '' }));
                  setPage(1);
                }}
              >
                Clear search
              </button>
            )}
          </div>
        </form>
        {notice?.kind === 'done' && <FocusedStatus text={notice.text} />}
        {notice?.kind === 'failed' && <FocusedError error={notice.error} context={notice.context} />}
        {temporary && <TemporaryPassword {...temporary} onDone={() => setTemporary(null)} />}
        <Loaded state={state} what="the users">
          {({ shown, page: p }) => {
            const pages = Math.max(1, Math.ceil(p.total / p.pageSize));
            return (
              <>
                <p className="muted">
                  {p.total === 1 ? '1 account' : `${p.total} accounts`}
                  {pages > 1 ? `; page ${p.page} of ${pages}` : ''}.
                </p>
                {p.items.length === 0 ? (
                  <p>No accounts match {shown.q ? `“${shown.q}” with ` : ''}these filters.</p>
                ) : (
                  <StackTable className="compact users" aria-busy={state.loading}>
                    <caption>
                      User accounts{shown.role ? `: ${label(shown.role).toLowerCase()}s` : ''}
                      {shown.status === 'active'
                        ? ', active only'
                        : shown.status === 'inactive'
                          ? ', deactivated only'
                          : ''}
                      {shown.q ? `, matching “${shown.q}”` : ''}
                    </caption>
                    <thead>
                      <tr>
                        <th scope="col">Username</th>
                        <th scope="col">Name</th>
                        <th scope="col">Role</th>
                        <th scope="col">District or office</th>
                        <th scope="col">Badge</th>
                        <th scope="col">Status</th>
                        <th scope="col">Sign-in lock</th>
                        <th scope="col">Last sign-in</th>
                        <th scope="col">Actions</th>
                      </tr>
                    </thead>
                    <tbody>
                      {p.items.map((u) => (
                        <UserRows
                          key={u.id}
                          u={u}
                          isMe={u.id === me.id}
                          panel={panel?.id === u.id ? panel.kind : null}
                          onToggle={(kind) => toggle(u.id, kind)}
                          onReactivate={() => reactivate(u)}
                          onUnlock={() => unlock(u)}
                          onSaved={(text) => {
                            setPanel(null);
                            say({ kind: 'done', text });
                            reload();
                          }}
                          onReset={(password) => {
                            setPanel(null);
                            say({
                              kind: 'done',
                              text: `Reset the password of ${u.username}: they must set their own at their next sign-in.`,
                            });
                            if (password) setTemporary({ username: u.username, password });
                            reload();
                          }}
                        />
                      ))}
                    </tbody>
                  </StackTable>
                )}
                {pages > 1 && (
                  <nav aria-label="Pages of accounts" className="btn-row">
                    <button
                      type="button"
                      className="btn secondary"
                      disabled={p.page <= 1}
                      onClick={() => setPage(p.page - 1)}
                    >
                      Previous page
                    </button>
                    <button
                      type="button"
                      className="btn secondary"
                      disabled={p.page >= pages}
                      onClick={() => setPage(p.page + 1)}
                    >
                      Next page
                    </button>
                  </nav>
                )}
              </>
            );
          }}
        </Loaded>
      </section>
      {/* A new key after each creation: the form starts empty (its draft was cleared). */}
      <CreateUser
        key={created.n}
        done={created.text}
        onCreated={(text) => {
          setCreated((c) => ({ n: c.n + 1, text }));
          setNotice(null);
          setTemporary(null);
          setPage(1);
          reload();
        }}
      />
    </Page>
  );
}

/** The result of a save, focused so that keyboard and screen reader users land on what changed. */
function FocusedStatus({ text }: { text: string }) {
  const ref = useFocusOnMount<HTMLParagraphElement>();
  return (
    <p ref={ref} tabIndex={-1} className="success" role="status">
      {text}
    </p>
  );
}

function FocusedError({ error, context }: { error: unknown; context: string }) {
  const ref = useFocusOnMount<HTMLDivElement>();
  return (
    <div ref={ref} tabIndex={-1}>
      <ErrorMessage error={error} context={context} />
    </div>
  );
}

/** A generated temporary password: shown this once (the service keeps only its hash), until "Done". */
function TemporaryPassword({ username, password, onDone }: { username: string; password: string; onDone: () => void }) {
  const ref = useFocusOnMount<HTMLDivElement>();
  return (
    <div ref={ref} tabIndex={-1} className="warning temporary-password" role="group" aria-labelledby="temporary-h">
      <h3 id="temporary-h">Temporary password for {username}</h3>
      <p>
        <code className="temporary">{password}</code>
      </p>
      <p>
        Give it to {username} in person or by a channel you trust. It is shown only now: this page does not keep it and
        the service stores only a one-way hash. They sign in with it once and must then choose their own.
      </p>
      <button type="button" className="btn secondary" onClick={onDone}>
        Done, I have handed it over
      </button>
    </div>
  );
}

function statusOf(u: UserView): string {
  return u.active ? 'Active' : 'Deactivated';
}

function UserRows({
  u,
  isMe,
  panel,
  onToggle,
  onReactivate,
  onUnlock,
  onSaved,
  onReset,
}: {
  u: UserView;
  isMe: boolean;
  panel: NonNullable<RowPanel>['kind'] | null;
  onToggle: (kind: NonNullable<RowPanel>['kind']) => void;
  onReactivate: () => Promise<void>;
  onUnlock: () => Promise<void>;
  onSaved: (text: string) => void;
  onReset: (temporaryPassword: string | null) => void;
}) {
  // Issue 16: cancelling the deactivation returns focus to the button that opened it (nothing changed).
  const deactivateButton = useRef<HTMLButtonElement>(null);
  const cancelDeactivate = () => {
    onToggle('deactivate');
    requestAnimationFrame(() => deactivateButton.current?.focus());
  };
  return (
    <>
      <tr className={u.active ? undefined : 'inactive'}>
        <td>
          <span className="username">{u.username}</span>
          {isMe && <span className="muted"> (you)</span>}
        </td>
        <td>{u.displayName}</td>
        <td>{label(u.role)}</td>
        <td>{scopeOf(u)}</td>
        <td>{u.badgeNumber ?? '—'}</td>
        <td>
          {u.active ? (
            <span className="badge ok">{statusOf(u)}</span>
          ) : (
            <span className="badge failed">{statusOf(u)}</span>
          )}
          {!u.active && u.deactivationReason && (
            <p className="deactivation-reason">
              Reason: {u.deactivationReason}
              {u.deactivatedAt ? ` (${dateTime(u.deactivatedAt)})` : ''}
            </p>
          )}
          {u.mustChangePassword && <p className="muted">Must set a new password at next sign-in</p>}
        </td>
        <td>{u.lockedUntil ? <>Locked until {dateTime(u.lockedUntil)}</> : 'Not locked'}</td>
        <td>{u.lastLoginAt ? dateTime(u.lastLoginAt) : 'Never'}</td>
        <td>
          <div className="row-actions">
            <button
              type="button"
              className="btn secondary"
              aria-expanded={panel === 'details'}
              onClick={() => onToggle('details')}
              aria-label={`Edit details of ${u.username}`}
            >
              Edit details
            </button>
            <button
              type="button"
              className="btn secondary"
              aria-expanded={panel === 'role'}
              onClick={() => onToggle('role')}
              aria-label={`Change role of ${u.username}`}
            >
              Change role
            </button>
            {!isMe && (
              <button
                type="button"
                className="btn secondary"
                aria-expanded={panel === 'reset'}
                onClick={() => onToggle('reset')}
                aria-label={`Reset password of ${u.username}`}
              >
                Reset password
              </button>
            )}
            {/* No "Deactivate" on one's own row: another administrator must (the service refuses it too). */}
            {u.active ? (
              !isMe && (
                <button
                  ref={deactivateButton}
                  type="button"
                  className="btn danger"
                  aria-expanded={panel === 'deactivate'}
                  onClick={() => onToggle('deactivate')}
                  aria-label={`Deactivate ${u.username}`}
                >
                  Deactivate
                </button>
              )
            ) : (
              <ActionButton kind="secondary" onClick={onReactivate} busyText="Reactivating…">
                <span className="sr-only">{`${u.username}: `}</span>Reactivate
              </ActionButton>
            )}
            {u.lockedUntil && (
              <ActionButton kind="secondary" onClick={onUnlock} busyText="Clearing…">
                Clear lockout<span className="sr-only">{` of ${u.username}`}</span>
              </ActionButton>
            )}
          </div>
        </td>
      </tr>
      {panel && (
        <tr className="row-form">
          <td colSpan={9}>
            {panel === 'details' && <DetailsEdit u={u} onSaved={onSaved} onCancel={() => onToggle('details')} />}
            {panel === 'role' && <RoleChange u={u} onSaved={onSaved} onCancel={() => onToggle('role')} />}
            {panel === 'deactivate' && <Deactivate u={u} onSaved={onSaved} onCancel={cancelDeactivate} />}
            {panel === 'reset' && <ResetPassword u={u} onReset={onReset} onCancel={() => onToggle('reset')} />}
          </td>
        </tr>
      )}
    </>
  );
}

interface DetailsDraft {
  displayName: string;
  badgeNumber: string;
  district: string;
}

/** PATCH /users/:id with a name, a badge and (for officers and supervisors) a district. Only what changed is sent. */
function DetailsEdit({ u, onSaved, onCancel }: { u: UserView; onSaved: (text: string) => void; onCancel: () => void }) {
  const [d, setD, clear] = useDraft<DetailsDraft>(`user-details:${u.id}`, {
    displayName: u.displayName,
    badgeNumber: u.badgeNumber ?? '',
    district: u.district === null ? '' : String(u.district),
  });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const first = useFocusOnMount<HTMLFormElement>();
  const set =
    <K extends keyof DetailsDraft>(k: K) =>
    (v: DetailsDraft[K]) =>
      setD((x) => ({ ...x, [k]: v }));
  // After a refusal, focus goes to the first field it marks: once React has rendered the marks (an animation frame
  // after setError may come before that render, and the disabled Save button had already dropped focus to the page).
  useEffect(() => {
    if (error) first.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [error, first]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: UpdateUser = {};
      if (d.displayName.trim() !== u.displayName) body.displayName = d.displayName.trim();
      const badge = d.badgeNumber.trim() || null;
      if (badge !== u.badgeNumber) body.badgeNumber = badge;
      if (needsDistrict(u.role) && d.district && Number(d.district) !== u.district)
        body.district = Number(d.district) as District;
      if (!Object.keys(body).length) {
        clear();
        onSaved(`Nothing to save for ${u.username}: the details are as they were.`);
        return;
      }
      const saved = await unwrap(api.PATCH('/api/v1/users/{id}', { params: { path: { id: u.id } }, body }));
      clear();
      const moved =
        body.district !== undefined
          ? ` Moved to District ${saved.district}: their existing cases stay in the district where they were opened.`
          : '';
      onSaved(`Saved the details of ${u.username}.${moved}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      ref={first}
      tabIndex={-1}
      onSubmit={save}
      className="row-form-body"
      noValidate
      aria-label={`Edit the details of ${u.username}`}
    >
      <p>
        <strong>Edit the details of {u.username}</strong> ({label(u.role).toLowerCase()}
        {scopeOf(u) === '—' ? '' : `, ${scopeOf(u)}`}).
      </p>
      <ErrorMessage error={inWords(error)} context="The details were not saved" />
      <div className="filter-grid">
        <TextField
          label="Display name"
          value={d.displayName}
          onChange={set('displayName')}
          required
          maxLength={200}
          hint="As it should appear on records."
          error={fieldError(error, 'displayName')}
        />
        <TextField
          label="Badge number"
          value={d.badgeNumber}
          onChange={set('badgeNumber')}
          maxLength={32}
          hint="Letters, digits and dashes; empty for none. One account per badge."
          error={fieldError(error, 'badgeNumber')}
        />
        {needsDistrict(u.role) && (
          <SelectField
            label="District"
            value={d.district}
            options={DISTRICTS}
            labels={DISTRICT_WORDS}
            required
            hint="A move changes which cases a supervisor reviews and where new cases open; existing cases stay in their district, and officers keep their own."
            onChange={set('district')}
            error={fieldError(error, 'district')}
          />
        )}
      </div>
      <div className="btn-row">
        <button type="submit" className="btn primary" disabled={busy} aria-busy={busy}>
          {busy ? 'Saving…' : 'Save details'}
        </button>
        <button
          type="button"
          className="btn secondary"
          onClick={() => {
            clear();
            onCancel();
          }}
        >
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Deactivation asks once, says what happens, and takes the reason the service requires (stored, audited, shown). */
function Deactivate({ u, onSaved, onCancel }: { u: UserView; onSaved: (text: string) => void; onCancel: () => void }) {
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const box = useFocusOnMount<HTMLDivElement>();

  const deactivate = async () => {
    setError(null);
    if (!reason.trim()) {
      setMissing(true);
      box.current?.querySelector<HTMLElement>('textarea')?.focus();
      return;
    }
    try {
      const body: UpdateUser = { active: false, deactivationReason: reason.trim() };
      await unwrap(api.PATCH('/api/v1/users/{id}', { params: { path: { id: u.id } }, body }));
      onSaved(
        `Deactivated ${u.username}: they are signed out and can no longer sign in. Nothing they recorded was changed.`,
      );
    } catch (err) {
      setError(err);
    }
  };

  return (
    <div ref={box} tabIndex={-1} className="warning" role="group" aria-labelledby={`confirm-${u.id}`}>
      <p id={`confirm-${u.id}`}>
        <strong>
          Deactivate {u.username} ({u.displayName})?
        </strong>{' '}
        They are signed out at once and cannot sign in until an administrator reactivates the account. Nothing they
        recorded is changed or deleted.
      </p>
      <ErrorMessage error={inWords(error)} context={`Could not deactivate ${u.username}`} />
      <TextArea
        label="Reason for deactivating"
        value={reason}
        onChange={(v) => {
          setReason(v);
          setMissing(false);
        }}
        rows={2}
        maxLength={1000}
        required
        hint="Kept with the account, shown in this list and recorded in the audit trail."
        error={missing ? 'Say why the account is being deactivated.' : fieldError(error, 'deactivationReason')}
      />
      <div className="btn-row">
        <ActionButton kind="danger" onClick={deactivate} busyText="Deactivating…">
          Yes, deactivate {u.username}
        </ActionButton>
        <button type="button" className="btn secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

/** Resetting a password: asks once (the old password stops working at once), generated by default. */
function ResetPassword({
  u,
  onReset,
  onCancel,
}: {
  u: UserView;
  onReset: (temporaryPassword: string | null) => void;
  onCancel: () => void;
}) {
  const [how, setHow] = useState<'generate' | 'choose'>('generate');
  const [chosen, setChosen] = useState('');
  const [tooShort, setTooShort] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const box = useFocusOnMount<HTMLDivElement>();

  const reset = async () => {
    setError(null);
    if (how === 'choose' && (chosen.length < 12 || chosen.length > 128)) {
      setTooShort(true);
      box.current?.querySelector<HTMLElement>('input[type="password"]')?.focus();
      return;
    }
    try {
      const r = await unwrap(
        api.POST('/api/v1/users/{id}/password-reset', {
          params: { path: { id: u.id } },
          body: how === 'choose' ? { temporaryPassword: chosen } : {},
        }),
      );
      setChosen('');
      onReset(r.temporaryPassword);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <div ref={box} tabIndex={-1} className="warning" role="group" aria-labelledby={`reset-${u.id}`}>
      <p id={`reset-${u.id}`}>
        <strong>
          Reset the password of {u.username} ({u.displayName})?
        </strong>{' '}
        Their current password stops working at once
        {u.lockedUntil ? ' and the sign-in lockout is cleared' : ''}. They sign in with a temporary password and must
        then choose their own before they can do anything else.
      </p>
      <ErrorMessage error={inWords(error)} context={`Could not reset the password of ${u.username}`} />
      <RadioGroup<'generate' | 'choose'>
        label="Temporary password"
        value={how}
        onChange={setHow}
        options={['generate', 'choose']}
        labels={{ generate: 'Generate one (shown to you once)', choose: 'I will type one' }}
      />
      {how === 'choose' && (
        <TextField
          label="Temporary password to give them"
          type="password"
          value={chosen}
          onChange={(v) => {
            setChosen(v);
            setTooShort(false);
          }}
          autoComplete="new-password"
          maxLength={128}
          required
          hint="12 to 128 characters."
          error={tooShort ? 'Type 12 to 128 characters.' : fieldError(error, 'temporaryPassword')}
        />
      )}
      <div className="btn-row">
        <ActionButton kind="danger" onClick={reset} busyText="Resetting…">
          Yes, reset the password of {u.username}
        </ActionButton>
        <button type="button" className="btn secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

interface RoleDraft {
  role: Role | '';
  district: string;
  office: Office | '';
}

/** PATCH /users/:id with a role and the district or office that role needs (and none it does not). */
function RoleChange({ u, onSaved, onCancel }: { u: UserView; onSaved: (text: string) => void; onCancel: () => void }) {
  const [d, setD, clear] = useDraft<RoleDraft>(`user-role:${u.id}`, {
    role: u.role,
    district: u.district === null ? '' : String(u.district),
    office: u.office ?? '',
  });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const form = useFocusOnMount<HTMLFormElement>();

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!d.role) return;
    setBusy(true);
    setError(null);
    try {
      const body: UpdateUser = {
        role: d.role,
        district: needsDistrict(d.role) && d.district ? (Number(d.district) as District) : null,
        office: needsOffice(d.role) && d.office ? d.office : null,
      };
      const saved = await unwrap(api.PATCH('/api/v1/users/{id}', { params: { path: { id: u.id } }, body }));
      clear();
      const scope = scopeOf(saved);
      onSaved(
        `${u.username} is now ${label(saved.role).toLowerCase()}${scope === '—' ? '' : ` (${scope})`}; the change applies from their next action.`,
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      ref={form}
      tabIndex={-1}
      onSubmit={save}
      className="row-form-body"
      noValidate
      aria-label={`Change the role of ${u.username}`}
    >
      <p>
        <strong>Change the role of {u.username}</strong> (now {label(u.role).toLowerCase()}
        {scopeOf(u) === '—' ? '' : `, ${scopeOf(u)}`}).
      </p>
      <ErrorMessage error={inWords(error)} context="The role was not changed" />
      <div className="filter-grid">
        <SelectField
          label="New role"
          value={d.role}
          options={roleValues}
          labels={ROLE_WORDS}
          required
          onChange={(role) => setD((x) => ({ ...x, role }))}
          error={fieldError(error, 'role')}
        />
        {needsDistrict(d.role) && (
          <SelectField
            label="District"
            value={d.district}
            options={DISTRICTS}
            labels={DISTRICT_WORDS}
            required
            hint="Officers and supervisors belong to one police district."
            onChange={(district) => setD((x) => ({ ...x, district }))}
            error={fieldError(error, 'district')}
          />
        )}
        {needsOffice(d.role) && (
          <SelectField
            label="Office"
            value={d.office}
            options={prosecutorOfficeValues}
            labels={OFFICE_NAMES}
            required
            hint="Prosecutors see only the packets sent to their office."
            onChange={(office) => setD((x) => ({ ...x, office }))}
            error={fieldError(error, 'office')}
          />
        )}
      </div>
      <div className="btn-row">
        <button type="submit" className="btn primary" disabled={busy || !d.role} aria-busy={busy}>
          {busy ? 'Saving…' : 'Save role'}
        </button>
        <button
          type="button"
          className="btn secondary"
          onClick={() => {
            clear();
            onCancel();
          }}
        >
          Cancel
        </button>
      </div>
    </form>
  );
}

interface CreateDraft {
  role: Role | '';
  username: string;
  displayName: string;
  badgeNumber: string;
  district: string;
  office: Office | '';
}

const EMPTY_USER: CreateDraft = { role: '', username: '', displayName: '', badgeNumber: '', district: '', office: '' };

/** POST /users. The password is kept in component state only, never in the draft. */
function CreateUser({ done, onCreated }: { done: string | null; onCreated: (text: string) => void }) {
  const [d, setD, clear] = useDraft<CreateDraft>('user-create', EMPTY_USER);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [roleMissing, setRoleMissing] = useState(false);
  const [busy, setBusy] = useState(false);
  const set =
    <K extends keyof CreateDraft>(k: K) =>
    (v: CreateDraft[K]) =>
      setD((x) => ({ ...x, [k]: v }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setRoleMissing(!d.role);
    if (!d.role) return;
    setBusy(true);
    try {
      const body: CreateUser = {
        role: d.role,
        username: d.username.trim(),
        displayName: d.displayName.trim(),
        password,
        ...(d.badgeNumber.trim() ? { badgeNumber: d.badgeNumber.trim() } : {}),
        ...(needsDistrict(d.role) ? { district: d.district ? (Number(d.district) as District) : null } : {}),
        ...(needsOffice(d.role) ? { office: d.office || null } : {}),
      };
      const u = await unwrap(api.POST('/api/v1/users', { body }));
      clear();
      setPassword('');
      const scope = scopeOf(u);
      onCreated(
        `Created ${u.username} (${label(u.role).toLowerCase()}${scope === '—' ? '' : `, ${scope}`}). They sign in with the initial password you set.`,
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="create-h" className="panel">
      <h2 id="create-h" tabIndex={-1}>
        Create a user
      </h2>
      {done && (
        <p className="success" role="status">
          {done}
        </p>
      )}
      <form onSubmit={submit} noValidate>
        <ErrorMessage error={inWords(error)} context="The user was not created" />
        <div className="form-cols">
          <SelectField
            label="Role"
            value={d.role}
            options={roleValues}
            labels={ROLE_WORDS}
            placeholder="Choose a role…"
            required
            onChange={(role) => {
              set('role')(role);
              setRoleMissing(false);
            }}
            error={
              roleMissing ? 'Choose the role first: it decides what else the account needs.' : fieldError(error, 'role')
            }
          />
          {needsDistrict(d.role) && (
            <SelectField
              label="District"
              value={d.district}
              options={DISTRICTS}
              labels={DISTRICT_WORDS}
              placeholder="Choose a district…"
              required
              hint="Officers and supervisors belong to one police district."
              onChange={set('district')}
              error={fieldError(error, 'district')}
            />
          )}
          {needsOffice(d.role) && (
            <SelectField
              label="Office"
              value={d.office}
              options={prosecutorOfficeValues}
              labels={OFFICE_NAMES}
              placeholder="Choose an office…"
              required
              hint="Prosecutors see only the packets sent to their office."
              onChange={set('office')}
              error={fieldError(error, 'office')}
            />
          )}
          <TextField
            label="Username"
            value={d.username}
            onChange={set('username')}
            required
            autoComplete="off"
            maxLength={64}
            hint="3 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit."
            error={fieldError(error, 'username')}
          />
          <TextField
            label="Display name"
            value={d.displayName}
            onChange={set('displayName')}
            required
            maxLength={200}
            hint="As it should appear on records, for example Officer Jane Doe."
            error={fieldError(error, 'displayName')}
          />
          <TextField
            label="Badge number"
            value={d.badgeNumber}
            onChange={set('badgeNumber')}
            maxLength={32}
            hint="Optional. Letters, digits and dashes, up to 32."
            error={fieldError(error, 'badgeNumber')}
          />
          <TextField
            label="Initial password"
            type="password"
            value={password}
            onChange={setPassword}
            required
            autoComplete="new-password"
            maxLength={128}
            hint={PASSWORD_HINT}
            error={fieldError(error, 'password')}
          />
        </div>
        {d.role && <p className="muted">{ROLE_WORDS[d.role]}.</p>}
        <div className="btn-row">
          <button type="submit" className="btn primary" disabled={busy} aria-busy={busy}>
            {busy ? 'Creating…' : 'Create user'}
          </button>
        </div>
      </form>
    </section>
  );
}
