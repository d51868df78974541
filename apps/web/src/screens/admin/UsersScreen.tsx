import { FormEvent, useState } from 'react';
import { api, ApiError, unwrap } from '../../api/client';
import { policeDistrictValues, prosecutorOfficeValues, roleValues, type components } from '../../api/schema';
import { useDraft } from '../../drafts';
import { useUser } from '../../session';
import { ActionButton, dateTime, ErrorMessage, label, Loaded, Page, SelectField, TextField, useLoad } from '../../ui';
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
 * Codes whose plain-words message would hide what the service said: a refusal aimed at this
 * request (an administrator removing their own access) or a conflict (a username already taken).
 */
function withServiceWords(e: unknown): unknown {
  if (e instanceof ApiError && (e.code === 'AUTH.FORBIDDEN' || e.code === 'RESOURCE.CONFLICT') && e.body.message) {
    const copy = new ApiError(e.status, e.body);
    copy.message = e.body.message;
    return copy;
  }
  return e;
}

/** A field's error: the service's field list, or a conflict message that names the field ("username: … is already taken."). */
function fieldError(e: unknown, field: string): string | undefined {
  if (!(e instanceof ApiError)) return undefined;
  const listed = e.forField(field);
  if (listed) return listed;
  const m = e.code === 'RESOURCE.CONFLICT' ? /^(\w+): (.*)$/.exec(e.body.message) : null;
  return m && m[1] === field ? m[2] : undefined;
}

interface ListFilters {
  role: Role | '';
  status: 'active' | 'inactive' | '';
}

type Notice = { kind: 'done'; text: string } | { kind: 'failed'; error: unknown; context: string } | null;

/** The administrator's screen: the accounts, creating one, changing a role, deactivating and reactivating. */
export function UsersScreen() {
  const me = useUser();
  const [filters, setFilters] = useDraft<ListFilters>('users-filters', { role: '', status: '' });
  const [page, setPage] = useState(1);
  const [tick, setTick] = useState(0);
  const [editing, setEditing] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const [created, setCreated] = useState<{ n: number; text: string | null }>({ n: 0, text: null });
  // The filters travel with the page they produced: the caption never describes rows still loading.
  const state = useLoad(async () => ({
    shown: filters,
    page: await unwrap(api.GET('/api/v1/users', {
      params: {
        query: {
          page, pageSize: PAGE_SIZE,
          ...(filters.role ? { role: filters.role } : {}),
          ...(filters.status ? { active: filters.status === 'active' } : {}),
        },
      },
    })),
  }), [filters.role, filters.status, page, tick]);
  const reload = () => setTick((n) => n + 1);
  /** One message at a time: a row action's result replaces the last creation's. */
  const say = (n: Notice) => {
    setNotice(n);
    setCreated((c) => ({ ...c, text: null }));
  };

  const setActive = async (u: UserView, active: boolean) => {
    setNotice(null);
    try {
      const body: UpdateUser = { active };
      await unwrap(api.PATCH('/api/v1/users/{id}', { params: { path: { id: u.id } }, body }));
      setConfirming(null);
      say({
        kind: 'done',
        text: active
          ? `Reactivated ${u.username}: they can sign in again.`
          : `Deactivated ${u.username}: they are signed out and can no longer sign in. Nothing they recorded was changed.`,
      });
      reload();
    } catch (err) {
      setConfirming(null);
      say({ kind: 'failed', error: withServiceWords(err), context: `Could not ${active ? 'reactivate' : 'deactivate'} ${u.username}` });
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
      say({ kind: 'failed', error: withServiceWords(err), context: `Could not clear the lockout of ${u.username}` });
    }
  };

  return (
    <Page title="Users" actions={<a className="btn secondary" href="#create-h">Create a user</a>}>
      <section aria-labelledby="list-h">
        <h2 id="list-h">Accounts</h2>
        <div className="filter-grid">
          <SelectField label="Show role" value={filters.role} options={roleValues} placeholder="All roles"
            onChange={(role) => { setFilters((f) => ({ ...f, role })); setPage(1); }} />
          <SelectField<'active' | 'inactive'> label="Show status" value={filters.status} options={['active', 'inactive']} placeholder="Active and deactivated"
            labels={{ active: 'Active only', inactive: 'Deactivated only' }} onChange={(status) => { setFilters((f) => ({ ...f, status })); setPage(1); }} />
        </div>
        {notice?.kind === 'done' && <p className="success" role="status">{notice.text}</p>}
        {notice?.kind === 'failed' && <ErrorMessage error={notice.error} context={notice.context} />}
        <Loaded state={state} what="the users">
          {({ shown, page: p }) => {
            const pages = Math.max(1, Math.ceil(p.total / p.pageSize));
            return (
              <>
                <p className="muted">{p.total === 1 ? '1 account' : `${p.total} accounts`}{pages > 1 ? `; page ${p.page} of ${pages}` : ''}.</p>
                {p.items.length === 0 ? <p>No accounts match these filters.</p> : (
                  <table className="compact users" aria-busy={state.loading}>
                    <caption>User accounts{shown.role ? `: ${label(shown.role).toLowerCase()}s` : ''}{shown.status === 'active' ? ', active only' : shown.status === 'inactive' ? ', deactivated only' : ''}</caption>
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
                        <UserRows key={u.id} u={u} isMe={u.id === me.id}
                          editing={editing === u.id} confirming={confirming === u.id}
                          onEdit={() => { setEditing(editing === u.id ? null : u.id); setConfirming(null); setNotice(null); }}
                          onConfirm={() => { setConfirming(confirming === u.id ? null : u.id); setEditing(null); setNotice(null); }}
                          onDeactivate={() => setActive(u, false)} onReactivate={() => setActive(u, true)} onUnlock={() => unlock(u)}
                          onSaved={(text) => { setEditing(null); say({ kind: 'done', text }); reload(); }} />
                      ))}
                    </tbody>
                  </table>
                )}
                {pages > 1 && (
                  <nav aria-label="Pages of accounts" className="btn-row">
                    <button type="button" className="btn secondary" disabled={p.page <= 1} onClick={() => setPage(p.page - 1)}>Previous page</button>
                    <button type="button" className="btn secondary" disabled={p.page >= pages} onClick={() => setPage(p.page + 1)}>Next page</button>
                  </nav>
                )}
              </>
            );
          }}
        </Loaded>
      </section>
      {/* A new key after each creation: the form starts empty (its draft was cleared). */}
      <CreateUser key={created.n} done={created.text} onCreated={(text) => { setCreated((c) => ({ n: c.n + 1, text })); setNotice(null); setPage(1); reload(); }} />
    </Page>
  );
}

function UserRows({ u, isMe, editing, confirming, onEdit, onConfirm, onDeactivate, onReactivate, onUnlock, onSaved }: {
  u: UserView; isMe: boolean; editing: boolean; confirming: boolean;
  onEdit: () => void; onConfirm: () => void; onDeactivate: () => Promise<void>; onReactivate: () => Promise<void>; onUnlock: () => Promise<void>;
  onSaved: (text: string) => void;
}) {
  return (
    <>
      <tr className={u.active ? undefined : 'inactive'}>
        <td><span className="username">{u.username}</span>{isMe && <span className="muted"> (you)</span>}</td>
        <td>{u.displayName}</td>
        <td>{label(u.role)}</td>
        <td>{scopeOf(u)}</td>
        <td>{u.badgeNumber ?? '—'}</td>
        <td>{u.active ? <span className="badge ok">Active</span> : <span className="badge failed">Deactivated</span>}</td>
        <td>{u.lockedUntil ? <>Locked until {dateTime(u.lockedUntil)}</> : 'Not locked'}</td>
        <td>{u.lastLoginAt ? dateTime(u.lastLoginAt) : 'Never'}</td>
        <td>
          <div className="row-actions">
            <button type="button" className="btn secondary" aria-expanded={editing} onClick={onEdit} aria-label={`Change role of ${u.username}`}>Change role</button>
            {u.active
              ? <button type="button" className="btn danger" aria-expanded={confirming} onClick={onConfirm} aria-label={`Deactivate ${u.username}`}>Deactivate</button>
              : <ActionButton kind="secondary" onClick={onReactivate} busyText="Reactivating…"><span className="sr-only">{`${u.username}: `}</span>Reactivate</ActionButton>}
            {u.lockedUntil && <ActionButton kind="secondary" onClick={onUnlock} busyText="Clearing…">Clear lockout<span className="sr-only">{` of ${u.username}`}</span></ActionButton>}
          </div>
        </td>
      </tr>
      {editing && (
        <tr className="row-form">
          <td colSpan={9}><RoleChange u={u} onSaved={onSaved} onCancel={onEdit} /></td>
        </tr>
      )}
      {confirming && (
        <tr className="row-form">
          <td colSpan={9}>
            <div className="warning" role="group" aria-labelledby={`confirm-${u.id}`}>
              <p id={`confirm-${u.id}`}>
                <strong>Deactivate {u.username} ({u.displayName})?</strong> They are signed out at once and cannot sign in until an
                administrator reactivates the account. Nothing they recorded is changed or deleted.
              </p>
              <div className="btn-row">
                <ActionButton kind="danger" onClick={onDeactivate} busyText="Deactivating…">Yes, deactivate {u.username}</ActionButton>
                <button type="button" className="btn secondary" onClick={onConfirm}>Cancel</button>
              </div>
            </div>
          </td>
        </tr>
      )}
    </>
  );
}

interface RoleDraft {
  role: Role | '';
  district: string;
  office: Office | '';
}

/** PATCH /users/:id with a role and the district or office that role needs (and none it does not). */
function RoleChange({ u, onSaved, onCancel }: { u: UserView; onSaved: (text: string) => void; onCancel: () => void }) {
  const [d, setD, clear] = useDraft<RoleDraft>(`user-role:${u.id}`, { role: u.role, district: u.district === null ? '' : String(u.district), office: u.office ?? '' });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

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
      onSaved(`${u.username} is now ${label(saved.role).toLowerCase()}${scope === '—' ? '' : ` (${scope})`}; the change applies from their next action.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={save} className="row-form-body" noValidate aria-label={`Change the role of ${u.username}`}>
      <p><strong>Change the role of {u.username}</strong> (now {label(u.role).toLowerCase()}{scopeOf(u) === '—' ? '' : `, ${scopeOf(u)}`}).</p>
      <ErrorMessage error={withServiceWords(error)} context="The role was not changed" />
      <div className="filter-grid">
        <SelectField label="New role" value={d.role} options={roleValues} labels={ROLE_WORDS} required
          onChange={(role) => setD((x) => ({ ...x, role }))} error={fieldError(error, 'role')} />
        {needsDistrict(d.role) && (
          <SelectField label="District" value={d.district} options={DISTRICTS} labels={DISTRICT_WORDS} required
            hint="Officers and supervisors belong to one police district." onChange={(district) => setD((x) => ({ ...x, district }))} error={fieldError(error, 'district')} />
        )}
        {needsOffice(d.role) && (
          <SelectField label="Office" value={d.office} options={prosecutorOfficeValues} labels={OFFICE_NAMES} required
            hint="Prosecutors see only the packets sent to their office." onChange={(office) => setD((x) => ({ ...x, office }))} error={fieldError(error, 'office')} />
        )}
      </div>
      <div className="btn-row">
        <button type="submit" className="btn primary" disabled={busy || !d.role} aria-busy={busy}>{busy ? 'Saving…' : 'Save role'}</button>
        <button type="button" className="btn secondary" onClick={() => { clear(); onCancel(); }}>Cancel</button>
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
  const set = <K extends keyof CreateDraft>(k: K) => (v: CreateDraft[K]) => setD((x) => ({ ...x, [k]: v }));

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
      onCreated(`Created ${u.username} (${label(u.role).toLowerCase()}${scope === '—' ? '' : `, ${scope}`}). They sign in with the initial password you set.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="create-h" className="panel">
      <h2 id="create-h" tabIndex={-1}>Create a user</h2>
      {done && <p className="success" role="status">{done}</p>}
      <form onSubmit={submit} noValidate>
        <ErrorMessage error={withServiceWords(error)} context="The user was not created" />
        <div className="form-cols">
          <SelectField label="Role" value={d.role} options={roleValues} labels={ROLE_WORDS} placeholder="Choose a role…" required
            onChange={(role) => { set('role')(role); setRoleMissing(false); }}
            error={roleMissing ? 'Choose the role first: it decides what else the account needs.' : fieldError(error, 'role')} />
          {needsDistrict(d.role) && (
            <SelectField label="District" value={d.district} options={DISTRICTS} labels={DISTRICT_WORDS} placeholder="Choose a district…" required
              hint="Officers and supervisors belong to one police district." onChange={set('district')} error={fieldError(error, 'district')} />
          )}
          {needsOffice(d.role) && (
            <SelectField label="Office" value={d.office} options={prosecutorOfficeValues} labels={OFFICE_NAMES} placeholder="Choose an office…" required
              hint="Prosecutors see only the packets sent to their office." onChange={set('office')} error={fieldError(error, 'office')} />
          )}
          <TextField label="Username" value={d.username} onChange={set('username')} required autoComplete="off" maxLength={64}
            hint="3 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit." error={fieldError(error, 'username')} />
          <TextField label="Display name" value={d.displayName} onChange={set('displayName')} required maxLength={200}
            hint="As it should appear on records, for example Officer Jane Doe." error={fieldError(error, 'displayName')} />
          <TextField label="Badge number" value={d.badgeNumber} onChange={set('badgeNumber')} maxLength={32}
            hint="Optional. Letters, digits and dashes, up to 32." error={fieldError(error, 'badgeNumber')} />
          <TextField label="Initial password" type="password" value={password} onChange={setPassword} required autoComplete="new-password" maxLength={128}
            hint={PASSWORD_HINT} error={fieldError(error, 'password')} />
        </div>
        {d.role && <p className="muted">{ROLE_WORDS[d.role]}.</p>}
        <div className="btn-row">
          <button type="submit" className="btn primary" disabled={busy} aria-busy={busy}>{busy ? 'Creating…' : 'Create user'}</button>
        </div>
      </form>
    </section>
  );
}
