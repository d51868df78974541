import { FormEvent, useEffect, useId, useState } from 'react';
import { api, ApiError, saveBlob, unwrap } from '../../api/client';
import { auditExportTicket, downloadWith } from '../../tickets';
import {
  auditActionValues,
  auditOutcomeValues,
  pathsApiV1AuditExportGetParametersQueryFormatValues,
  type components,
  type paths,
} from '../../api/schema';
import { useDraft } from '../../drafts';
import { Link, navigate, useLocation } from '../../router';
import { useUser } from '../../session';
import {
  CaseResults,
  CaseSearch,
  CaseSearchForm,
  caseSearchHref,
  describeSearch,
  isFiltered,
  loadCases,
  readCaseSearch,
  SearchError,
  searchFieldErrors,
} from '../common/CaseSearch';
import {
  ActionButton,
  DateTimeField,
  ErrorMessage,
  Hash,
  label,
  Loading,
  Page,
  SelectField,
  TextField,
  useLoad,
} from '../../ui';
import { ACTOR_ROLE_WORDS, AUDIT_ACTION_WORDS, AUDIT_OUTCOME_WORDS, ROLE_WORDS } from '../../words';
import { Details, humanise } from '../common/AuditDetails';

type AuditEvent = components['schemas']['AuditEventListItem'];
type AuditAction = components['schemas']['AuditAction'];
type Actor = components['schemas']['AuditActorView'];
type EventPage = components['schemas']['AuditEventPage'];
type Outcome = components['schemas']['AuditOutcome'];
type EventsQuery = NonNullable<paths['/api/v1/audit/events']['get']['parameters']['query']>;
type ExportQuery = NonNullable<paths['/api/v1/audit/export']['get']['parameters']['query']>;
type ExportFormat = NonNullable<ExportQuery['format']>;
type VerifyQuery = NonNullable<paths['/api/v1/audit/verify']['get']['parameters']['query']>;

/** The filters the event list and the export share (same names, same meaning on both routes). */
type FilterName = 'from' | 'to' | 'caseId' | 'actorId' | 'action' | 'outcome';
type Filters = Pick<EventsQuery, FilterName> & Pick<ExportQuery, FilterName>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PAGE_SIZE = 50;

/** A time to the second, in the reader's zone (the exports carry the UTC instant to the millisecond). */
function when(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

function count(n: number, one: string, many: string): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

/**
 * The auditor's screen: the database's chain re-verified at the top, a case finder, the event
 * search (filters, cursor pages), and the signed export of what the search selects.
 */
export function AuditScreen() {
  return (
    <Page title="Audit log">
      <ChainCheck />
      <FindCase />
      <SearchAndExport />
    </Page>
  );
}

// --- chain verification -------------------------------------------------------------------------

interface RangeDraft {
  fromSeq: string;
  toSeq: string;
}

/** GET /audit/verify: the service recomputes every hash of the chain it stores (or of a seq range). */
function ChainCheck() {
  const [range, setRange] = useDraft<RangeDraft>('audit-verify-range', { fromSeq: '', toSeq: '' });
  const [asked, setAsked] = useState<VerifyQuery>(() => rangeQuery(range));
  const [tick, setTick] = useState(0);
  const state = useLoad(
    async () => ({
      result: await unwrap(api.GET('/api/v1/audit/verify', { params: { query: asked } })),
      at: new Date().toISOString(),
    }),
    [asked, tick],
  );
  const fieldError = (f: string) => (state.error instanceof ApiError ? state.error.forField(f) : undefined);

  const again = (e: FormEvent) => {
    e.preventDefault();
    setAsked(rangeQuery(range));
    setTick((n) => n + 1);
  };

  const r = state.data?.result;
  const ranged = asked.from_seq !== undefined || asked.to_seq !== undefined;
  return (
    <section aria-labelledby="chain-h" className="panel">
      <h2 id="chain-h">Chain verification</h2>
      <p className="muted">
        The service recomputes the hash of every stored event and checks that each one links to the one before it. Each
        check is itself recorded in the audit log.
      </p>
      {state.loading && (
        <p role="status" className="muted">
          Checking the chain…
        </p>
      )}
      {state.error !== undefined && <ErrorMessage error={state.error} context="Could not check the chain" />}
      {r && !state.loading && r.ok && (
        <div className="success verify-result" role="status">
          <p className="verify-headline">
            <strong>Chain intact:</strong> {count(r.checked, 'event', 'events')} checked
            {r.firstSeq !== null && r.lastSeq !== null && (
              <>
                {' '}
                (#{r.firstSeq} to #{r.lastSeq}
                {ranged ? ', the range asked for' : ''})
              </>
            )}
            {r.checked === 0 && ' (no events in this range)'}
          </p>
          {r.headHash && (
            <p>
              Head hash (last event checked): <Hash value={r.headHash} />
            </p>
          )}
          <p className="muted">Checked {when(state.data!.at)}.</p>
        </div>
      )}
      {r && !state.loading && !r.ok && (
        <div className="error verify-result" role="alert">
          <p className="verify-headline">
            <strong>Chain broken at event #{r.firstBreak?.seq ?? '?'}:</strong>{' '}
            {r.firstBreak?.reason ?? 'the service did not say why'}.
          </p>
          <p>
            {count(r.checked, 'event', 'events')} before it verified
            {r.firstSeq !== null && r.lastSeq !== null ? ` (#${r.firstSeq} to #${r.lastSeq})` : ''}. Event #
            {r.firstBreak?.seq} and everything recorded after it cannot be relied on until the break is explained. Keep
            the exports you already hold and report this to the department's records officer.
          </p>
          {r.headHash && (
            <p>
              Last hash that verified: <Hash value={r.headHash} />
            </p>
          )}
          <p className="muted">Checked {when(state.data!.at)}.</p>
        </div>
      )}
      <form onSubmit={again} noValidate>
        <details className="range" open={ranged || !!range.fromSeq || !!range.toSeq}>
          <summary>Check only part of the chain</summary>
          <div className="filter-grid">
            <TextField
              label="From event #"
              type="number"
              value={range.fromSeq}
              onChange={(v) => setRange((d) => ({ ...d, fromSeq: v }))}
              hint="Leave empty to start at the first event."
              error={fieldError('from_seq')}
            />
            <TextField
              label="To event #"
              type="number"
              value={range.toSeq}
              onChange={(v) => setRange((d) => ({ ...d, toSeq: v }))}
              hint="Leave empty to check up to the newest event."
              error={fieldError('to_seq')}
            />
          </div>
        </details>
        <div className="btn-row">
          <button type="submit" className="btn secondary" disabled={state.loading} aria-busy={state.loading}>
            {state.loading ? 'Checking…' : 'Verify again'}
          </button>
        </div>
      </form>
    </section>
  );
}

function rangeQuery(r: RangeDraft): VerifyQuery {
  const q: VerifyQuery = {};
  if (r.fromSeq.trim()) q.from_seq = Number(r.fromSeq);
  if (r.toSeq.trim()) q.to_seq = Number(r.toSeq);
  return q;
}

// --- find cases ----------------------------------------------------------------------------------

/**
 * The case search (GET /cases) as an auditor may use it: the case metadata only (number, status, activity,
 * agencies; the filters), never a narrative or personnel. Kept in the address (/audit?q=…&status=…), so Back and
 * reload return to it. A case id typed in the box opens that case.
 */
function FindCase() {
  const user = useUser();
  const { query } = useLocation();
  const search = readCaseSearch(query, 'AUDITOR');
  const key = JSON.stringify(search);
  const asked = isFiltered(search, 'AUDITOR') || search.sort !== '' || search.page > 1;
  const list = useLoad(() => (asked ? loadCases(search) : Promise.resolve(null)), [key]);
  const go = (s: CaseSearch) => {
    if (UUID.test(s.q.trim())) navigate(`/audit/cases/${s.q.trim().toLowerCase()}`);
    else navigate(caseSearchHref('/audit', s, 'AUDITOR', query));
  };
  const authorName = search.author ? list.data?.items[0]?.authorName : undefined;
  const what = describeSearch(search, authorName);

  return (
    <section aria-labelledby="find-h">
      <h2 id="find-h">Find cases</h2>
      <CaseSearchForm
        search={search}
        role="AUDITOR"
        submitText="Find cases"
        errors={searchFieldErrors(list.error)}
        authorName={authorName}
        onSearch={go}
        onClear={() =>
          navigate(caseSearchHref('/audit', readCaseSearch(new URLSearchParams(), 'AUDITOR'), 'AUDITOR', query))
        }
      />
      {list.error ? (
        <SearchError error={list.error} what="the cases" />
      ) : asked && !list.data ? (
        <Loading what="the cases" />
      ) : (
        list.data && (
          <CaseResults
            page={list.data}
            search={search}
            role="AUDITOR"
            userId={user.id}
            caption={`Cases: ${what}`}
            caseHref={(c) => `/audit/cases/${c.id}`}
            onPage={(n) => go({ ...search, page: n })}
            onAuthor={(c) => go({ ...search, author: c.createdBy, page: 1 })}
            empty={
              <>
                <p>
                  <strong>No case matches {what}.</strong>
                </p>
                <p>
                  {search.q.trim()
                    ? 'This search looks only at case metadata (the case number, status, activity and agencies), never at narratives or personnel, so words that appear only there find nothing here.'
                    : 'Try fewer filters, or clear the search.'}
                </p>
              </>
            }
          />
        )
      )}
    </section>
  );
}

// --- event search and export ----------------------------------------------------------------------

type Order = 'newest' | 'oldest';

/**
 * The event search as the address holds it (/audit?action=…&actor=…): Back, reload and a copied link give the same
 * search and page. Its names differ from the case finder's (from, to, order, page) so both live in one address.
 */
interface EventSearch {
  since: string | null;
  before: string | null;
  /** A case number (or id) as typed. */
  caseRef: string;
  /** The actor's username (what people read) and id (what the service filters by). */
  actor: string;
  actorId: string;
  action: AuditAction | '';
  outcome: Outcome | '';
  order: Order;
  /** Where the page starts (a nextCursor), and its number for people. */
  cursor: string;
  pageNo: number;
}

const EVENT_KEYS = [
  'since',
  'before',
  'case',
  'actor',
  'actorId',
  'action',
  'outcome',
  'events',
  'cursor',
  'pageNo',
] as const;

function oneOf<T extends string>(values: readonly T[], v: string | null): T | '' {
  return v !== null && (values as readonly string[]).includes(v) ? (v as T) : '';
}

function readEventSearch(q: URLSearchParams): EventSearch {
  const instant = (v: string | null) => (v && !Number.isNaN(Date.parse(v)) ? v : null);
  const actorId = q.get('actorId') ?? '';
  const cursor = q.get('cursor') ?? '';
  const n = Number(q.get('pageNo') ?? '1');
  return {
    since: instant(q.get('since')),
    before: instant(q.get('before')),
    caseRef: q.get('case') ?? '',
    actor: q.get('actor') ?? '',
    actorId: UUID.test(actorId) ? actorId.toLowerCase() : '',
    action: oneOf(auditActionValues, q.get('action')),
    outcome: oneOf(auditOutcomeValues, q.get('outcome')),
    order: q.get('events') === 'oldest' ? 'oldest' : 'newest',
    cursor: /^\d{1,18}$/.test(cursor) ? cursor : '',
    pageNo: /^\d{1,18}$/.test(cursor) && Number.isSafeInteger(n) && n >= 2 ? n : 1,
  };
}

/** The address of a search, keeping the case finder's part of the current one. */
function eventSearchHref(s: EventSearch, current: URLSearchParams): string {
  const q = new URLSearchParams(current);
  for (const k of EVENT_KEYS) q.delete(k);
  const set = (k: string, v: string | null) => {
    if (v) q.set(k, v);
  };
  set('since', s.since);
  set('before', s.before);
  set('case', s.caseRef.trim());
  set('actor', s.actor.trim());
  set('actorId', s.actor.trim() ? s.actorId : '');
  set('action', s.action);
  set('outcome', s.outcome);
  if (s.order === 'oldest') q.set('events', 'oldest');
  if (s.cursor) {
    q.set('cursor', s.cursor);
    q.set('pageNo', String(s.pageNo));
  }
  const qs = q.toString();
  return qs ? `/audit?${qs}` : '/audit';
}

const NO_SEARCH: EventSearch = {
  since: null,
  before: null,
  caseRef: '',
  actor: '',
  actorId: '',
  action: '',
  outcome: '',
  order: 'newest',
  cursor: '',
  pageNo: 1,
};

/** A case number or a user name typed in a filter that names nothing (or several things). */
class FilterProblem extends Error {
  constructor(
    readonly field: 'case' | 'actor',
    message: string,
  ) {
    super(message);
  }
}

async function resolveCase(ref: string): Promise<{ caseId?: string; caseLabel?: string }> {
  const q = ref.trim();
  if (!q) return {};
  if (UUID.test(q)) return { caseId: q.toLowerCase(), caseLabel: q.toLowerCase() };
  const page = await unwrap(api.GET('/api/v1/cases', { params: { query: { q, pageSize: 10 } } }));
  const exact = page.items.find((c) => c.caseNumber.toUpperCase() === q.toUpperCase());
  if (exact) return { caseId: exact.id, caseLabel: exact.caseNumber };
  if (page.items.length === 0) throw new FilterProblem('case', `No case has the number “${q}”.`);
  throw new FilterProblem(
    'case',
    `Several cases contain “${q}” (for example ${page.items[0].caseNumber}): type the whole case number.`,
  );
}

/** The people of the trail whose username or name contains `q` (GET /audit/actors; each lookup is recorded). */
function findActors(q: string): Promise<Actor[]> {
  return unwrap(api.GET('/api/v1/audit/actors', { params: { query: { q } } })).then((r) => r.items);
}

/** The user with exactly this username (letter case ignored). */
async function actorNamed(username: string): Promise<Actor> {
  const name = username.trim();
  const hit = (await findActors(name)).find((a) => a.username.toLowerCase() === name.toLowerCase());
  if (!hit) throw new FilterProblem('actor', `No user has the username “${name}”. Choose one from the suggestions.`);
  return hit;
}

interface Resolved {
  filters: Filters;
  caseLabel?: string;
}

async function resolveSearch(s: EventSearch): Promise<Resolved> {
  const { caseId, caseLabel } = await resolveCase(s.caseRef);
  // A hand-written address may name the actor only: looked up (and recorded) like a typed name.
  const actorId = s.actor.trim() ? s.actorId || (await actorNamed(s.actor)).id : '';
  const f: Filters = {};
  if (s.since) f.from = s.since;
  if (s.before) f.to = s.before;
  if (caseId) f.caseId = caseId;
  if (actorId) f.actorId = actorId;
  if (s.action) f.action = s.action;
  if (s.outcome) f.outcome = s.outcome;
  return { filters: f, caseLabel };
}

/** "events with actor jdoe, action Case submitted for review", or the whole trail. */
function describe(s: EventSearch, caseLabel?: string): string {
  const parts: string[] = [];
  if (s.since) parts.push(`from ${when(s.since)}`);
  if (s.before) parts.push(`before ${when(s.before)}`);
  if (s.caseRef.trim()) parts.push(`case ${caseLabel ?? s.caseRef.trim()}`);
  if (s.actor.trim()) parts.push(`actor ${s.actor.trim()}`);
  if (s.action) parts.push(`action ${AUDIT_ACTION_WORDS[s.action]}`);
  if (s.outcome) parts.push(`outcome ${AUDIT_OUTCOME_WORDS[s.outcome]}`);
  return parts.length ? `events with ${parts.join(', ')}` : 'every event (the whole trail)';
}

function fetchPage(filters: Filters, order: Order, cursor: string | undefined): Promise<EventPage> {
  const query = {
    ...filters,
    order: order === 'newest' ? ('desc' as const) : ('asc' as const),
    ...(cursor ? { cursor } : {}),
    limit: PAGE_SIZE,
  };
  return unwrap(api.GET('/api/v1/audit/events', { params: { query } }));
}

/**
 * Where the page before this one starts: the PAGE_SIZE events just before its first one in reading order, read the
 * other way round. None further: it is the first page.
 */
async function previousCursor(filters: Filters, order: Order, firstSeq: number): Promise<string> {
  const back = await fetchPage(filters, order === 'newest' ? 'oldest' : 'newest', String(firstSeq));
  if (!back.nextCursor) return '';
  const seqs = back.items.map((e) => e.seq);
  return String(order === 'newest' ? Math.max(...seqs) + 1 : Math.min(...seqs) - 1);
}

function SearchAndExport() {
  const { query } = useLocation();
  const search = readEventSearch(query);
  const key = JSON.stringify(search);
  const [draft, setDraft] = useState<EventSearch>(search);
  const [suggestions, setSuggestions] = useState<Actor[]>([]);
  const [problem, setProblem] = useState<FilterProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const [moveError, setMoveError] = useState<unknown>(null);
  const listId = useId();
  // Back, Forward, a link or a reload: the form shows the search in the address.
  useEffect(() => {
    setDraft(readEventSearch(new URLSearchParams(location.search)));
    setProblem(null);
    setMoveError(null);
  }, [key]);
  const state = useLoad(async () => {
    const r = await resolveSearch(search);
    return { ...r, key, page: await fetchPage(r.filters, search.order, search.cursor || undefined) };
  }, [key]);
  const set =
    <K extends keyof EventSearch>(k: K) =>
    (v: EventSearch[K]) =>
      setDraft((d) => ({ ...d, [k]: v }));

  // Suggestions while a name is typed (after a pause; each lookup is recorded in the trail).
  const typed = draft.actor.trim();
  useEffect(() => {
    if (!typed || typed === search.actor.trim()) return;
    const t = setTimeout(() => {
      findActors(typed).then(setSuggestions, () => setSuggestions([]));
    }, 350);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only a change of the typed text starts a lookup
  }, [typed]);

  const go = (s: EventSearch) => navigate(eventSearchHref(s, query));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    let d = { ...draft, cursor: '', pageNo: 1 };
    const name = d.actor.trim();
    if (name && name.toLowerCase() !== search.actor.trim().toLowerCase()) {
      const picked = suggestions.find((a) => a.username.toLowerCase() === name.toLowerCase());
      setBusy(true);
      try {
        const a = picked ?? (await actorNamed(name));
        d = { ...d, actor: a.username, actorId: a.id };
      } catch (err) {
        if (err instanceof FilterProblem) setProblem(err);
        else setMoveError(err);
        return;
      } finally {
        setBusy(false);
      }
    } else if (name) {
      d = { ...d, actorId: search.actorId };
    }
    go(d);
  };

  const previous = async () => {
    const first = data?.page.items[0];
    if (!data || !first) return;
    setBusy(true);
    setMoveError(null);
    try {
      const cursor = search.pageNo <= 2 ? '' : await previousCursor(data.filters, search.order, first.seq);
      go({ ...search, cursor, pageNo: cursor ? search.pageNo - 1 : 1 });
    } catch (err) {
      setMoveError(err);
    } finally {
      setBusy(false);
    }
  };

  // The results of the search in the address only (while the next one loads, the previous results are not shown as its).
  const data = state.data?.key === key ? state.data : undefined;
  const filterProblem = problem ?? (state.error instanceof FilterProblem ? state.error : null);
  const apiError = state.error instanceof FilterProblem ? null : state.error;
  const fieldError = (f: string) => (apiError instanceof ApiError ? apiError.forField(f) : undefined);
  const items = data?.page.items ?? [];
  const newest = search.order === 'newest';
  const orderWords = newest ? 'newest first' : 'oldest first';
  const what = describe(search, data?.caseLabel);
  const range = items.length ? `events #${items[0].seq} to #${items[items.length - 1].seq}` : 'no events';

  return (
    <>
      <section aria-labelledby="search-h">
        <h2 id="search-h">Search the audit log</h2>
        <form onSubmit={(e) => void submit(e)} noValidate>
          <div className="filter-grid">
            <DateTimeField
              label="From (at or after)"
              value={draft.since}
              onChange={set('since')}
              error={fieldError('from')}
            />
            <DateTimeField label="To (before)" value={draft.before} onChange={set('before')} error={fieldError('to')} />
            <TextField
              label="Case number"
              value={draft.caseRef}
              onChange={set('caseRef')}
              hint="For example ION-2026-000123."
              error={filterProblem?.field === 'case' ? filterProblem.message : fieldError('caseId')}
            />
            <TextField
              label="Actor (username)"
              value={draft.actor}
              onChange={set('actor')}
              list={listId}
              autoComplete="off"
              hint="Type part of a username or name and choose from the suggestions."
              error={filterProblem?.field === 'actor' ? filterProblem.message : fieldError('actorId')}
            />
            <datalist id={listId}>
              {suggestions.map((a) => (
                <option
                  key={a.id}
                  value={a.username}
                >{`${a.displayName}, ${ROLE_WORDS[a.role]}${a.active ? '' : ' (deactivated)'}`}</option>
              ))}
            </datalist>
            <SelectField
              label="Action"
              value={draft.action}
              onChange={set('action')}
              options={auditActionValues}
              labels={AUDIT_ACTION_WORDS}
              placeholder="Any action"
              error={fieldError('action')}
            />
            <SelectField
              label="Outcome"
              value={draft.outcome}
              onChange={set('outcome')}
              options={auditOutcomeValues}
              labels={AUDIT_OUTCOME_WORDS}
              placeholder="Any outcome"
              error={fieldError('outcome')}
            />
            <SelectField
              label="Order"
              value={draft.order}
              onChange={(v) => set('order')(v || 'newest')}
              options={ORDERS}
              labels={ORDER_WORDS}
              placeholder="Newest first"
            />
          </div>
          <div className="btn-row">
            <button type="submit" className="btn primary" disabled={busy} aria-busy={busy}>
              {busy ? 'Searching…' : 'Search'}
            </button>
            <button type="button" className="btn secondary" disabled={busy} onClick={() => go(NO_SEARCH)}>
              Clear filters
            </button>
          </div>
        </form>
        <ErrorMessage error={apiError ?? moveError} context="Could not search the audit log" />
        {!data && !state.error && <Loading what="the events" />}
        {data && (
          <>
            <p role="status" className="result-summary">
              Showing {what}, {orderWords}: page {search.pageNo}, {range}.
            </p>
            {items.length === 0 ? (
              <p>No events match these filters.</p>
            ) : (
              <EventTable
                items={items}
                caption={`Audit events: ${what}, ${orderWords}, page ${search.pageNo}`}
                onlyActor={(a) =>
                  go({ ...search, actor: a.username ?? '', actorId: a.id ?? '', cursor: '', pageNo: 1 })
                }
              />
            )}
            <nav aria-label="Pages of events" className="btn-row">
              <button
                type="button"
                className="btn secondary"
                disabled={busy || search.pageNo <= 1}
                onClick={() => void previous()}
              >
                Previous page ({newest ? 'newer' : 'older'} events)
              </button>
              <button
                type="button"
                className="btn secondary"
                disabled={busy || !data.page.nextCursor}
                onClick={() => go({ ...search, cursor: data.page.nextCursor ?? '', pageNo: search.pageNo + 1 })}
              >
                Next page ({newest ? 'older' : 'newer'} events)
              </button>
            </nav>
          </>
        )}
      </section>
      <ExportPanel filters={data?.filters} what={data ? what : undefined} />
    </>
  );
}

const ORDERS: readonly Order[] = ['newest', 'oldest'];
const ORDER_WORDS: Record<Order, string> = { newest: 'Newest first', oldest: 'Oldest first' };

function EventTable({
  items,
  caption,
  onlyActor,
}: {
  items: AuditEvent[];
  caption: string;
  onlyActor: (a: AuditEvent['actor']) => void;
}) {
  return (
    <table className="compact events stack">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Event #</th>
          <th scope="col">Time</th>
          <th scope="col">Actor</th>
          <th scope="col">Action</th>
          <th scope="col">Outcome</th>
          <th scope="col">Target</th>
          <th scope="col">Case</th>
          <th scope="col">Request id</th>
        </tr>
      </thead>
      <tbody>
        {items.map((e) => (
          <tr key={e.id}>
            <td data-label="Event #">{e.seq}</td>
            <td data-label="Time">
              <time dateTime={e.occurredAt}>{when(e.occurredAt)}</time>
            </td>
            <td data-label="Actor">
              {e.actor.username ?? <span className="muted">(nobody signed in)</span>}
              <br />
              <span className="muted">{ACTOR_ROLE_WORDS[e.actor.role]}</span>
              {e.actor.id && (
                <>
                  <br />
                  <button type="button" className="btn-link" onClick={() => onlyActor(e.actor)}>
                    events by {e.actor.username ?? e.actor.id}
                  </button>
                </>
              )}
            </td>
            <td data-label="Action">
              <span className="action-words">{AUDIT_ACTION_WORDS[e.action] ?? humanise(e.action)}</span>
              <details className="event-details">
                <summary>Details</summary>
                <dl className="facts">
                  <dt>Recorded facts</dt>
                  <dd>
                    <Details details={e.details} />
                  </dd>
                  <dt>Time (UTC)</dt>
                  <dd className="mono">{e.occurredAt}</dd>
                  <dt>Client address</dt>
                  <dd>{e.clientIp ?? '—'}</dd>
                  <dt>Browser / client</dt>
                  <dd>{e.userAgent ?? '—'}</dd>
                  <dt>Actor id</dt>
                  <dd className="mono">{e.actor.id ?? '—'}</dd>
                  <dt>Event id</dt>
                  <dd className="mono">{e.id}</dd>
                  <dt>Previous hash</dt>
                  <dd>
                    <Hash value={e.prevHash} />
                  </dd>
                  <dt>Hash</dt>
                  <dd>
                    <Hash value={e.hash} />
                  </dd>
                </dl>
              </details>
            </td>
            <td data-label="Outcome">
              <span className={`badge ${e.outcome === 'SUCCESS' ? 'ok' : 'failed'}`}>
                {AUDIT_OUTCOME_WORDS[e.outcome]}
              </span>
            </td>
            <td data-label="Target">
              {e.targetType ? label(e.targetType) : '—'}
              {e.targetId && (
                <>
                  <br />
                  <span className="mono">{e.targetId}</span>
                </>
              )}
            </td>
            <td data-label="Case">
              {e.caseId ? (
                <Link to={`/audit/cases/${e.caseId}`}>{e.caseNumber ?? 'a case no longer listed'}</Link>
              ) : (
                '—'
              )}
            </td>
            <td data-label="Request id">
              <span className="mono">{e.requestId ?? '—'}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const FORMATS = pathsApiV1AuditExportGetParametersQueryFormatValues;
const FORMAT_WORDS: Record<ExportFormat, { name: string; hint: string }> = {
  ndjson: { name: 'NDJSON', hint: 'one JSON record per line; what the offline verifier reads fastest' },
  csv: { name: 'CSV', hint: 'opens in a spreadsheet; the offline verifier reads it too' },
};

/** GET /audit/export with the search's filters, saved by the browser; then how to check it offline. */
function ExportPanel({ filters, what }: { filters?: Filters; what?: string }) {
  const [format, setFormat] = useDraft<ExportFormat>('audit-export-format', 'ndjson');
  const [saved, setSaved] = useState<{ format: ExportFormat; what: string } | null>(null);
  const [key, setKey] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const exportNow = async () => {
    if (!filters) return;
    setError(null);
    setSaved(null);
    try {
      // A ticket for exactly these filters, then a plain link: the browser streams the export to disk.
      await downloadWith(auditExportTicket({ ...filters, format } as Record<string, string>));
      setSaved({ format, what: what ?? 'the search above' });
    } catch (err) {
      setError(err);
    }
  };

  const saveKey = async () => {
    setError(null);
    try {
      const { keys } = await unwrap(api.GET('/api/v1/keys'));
      const k = keys.find((x) => x.current) ?? keys[0];
      if (!k) throw new Error('The service published no public key.');
      saveBlob('ion-public.pem', new Blob([k.publicKeyPem], { type: 'application/x-pem-file' }));
      setKey(k.id);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section aria-labelledby="export-h" className="panel">
      <h2 id="export-h">Export</h2>
      <p>
        Exports {filters && what ? <strong>{what}</strong> : 'the events of the search above'}, the same filters as the
        search above, up to the moment of the export. To export something else, change the filters and press Search
        first. The export is itself recorded in the audit log (who exported, with which filters).
      </p>
      <fieldset className="field">
        <legend>Format</legend>
        {FORMATS.map((f) => (
          <label key={f} className="inline">
            <input
              type="radio"
              name="audit-export-format"
              value={f}
              checked={format === f}
              onChange={() => setFormat(f)}
            />{' '}
            {FORMAT_WORDS[f].name} <span className="muted">({FORMAT_WORDS[f].hint})</span>
          </label>
        ))}
      </fieldset>
      <div className="btn-row">
        <ActionButton onClick={exportNow} busyText="Exporting…" disabled={!filters}>
          Export and download
        </ActionButton>
      </div>
      <ErrorMessage error={error} context="Could not export" />
      {saved && (
        <div className="success export-saved" role="status">
          <p>
            The export has started: {saved.what}, as {FORMAT_WORDS[saved.format].name}. Your browser saves it (a file
            named ion-audit-….{saved.format}) and shows its progress in its downloads list.
          </p>
        </div>
      )}
      <div className="notice">
        <h3>Checking an export offline</h3>
        <p>
          Every export ends with a checkpoint of the whole chain and a seal over the file, both signed with the
          service's key: any row changed, removed, added or reordered after the export is detected. It can be checked
          without the database or the network:
        </p>
        <ol>
          <li>
            Save the service's public key:{' '}
            <ActionButton kind="secondary" onClick={saveKey} busyText="Saving…">
              Save public key (ion-public.pem)
            </ActionButton>
            {key && <span role="status"> Saved ion-public.pem (key {key}).</span>}
          </li>
          <li>
            On a computer with a copy of this service's software, run{' '}
            <code className="command">npm run audit:verify -- EXPORT-FILE --key ion-public.pem</code> with the name of
            the saved export in place of EXPORT-FILE
          </li>
          <li>
            It answers <samp>OK: … chain intact, checkpoint … signed …, sealed</samp> when the file is exactly what the
            service exported, or <samp>FAILED at line … (seq …)</samp> naming the first problem.
          </li>
        </ol>
      </div>
    </section>
  );
}
