import { FormEvent, ReactNode, useEffect, useState } from 'react';
import { api, ApiError, unwrap } from '../../api/client';
import {
  activityTypeValues,
  caseStatusValues,
  federalAgencyValues,
  pathsApiV1CasesGetParametersQuerySupervisorIdentificationValues as supervisorIdValues,
  policeDistrictValues,
  type components,
  type paths,
} from '../../api/schema';
import { Link, navigate, pageParam } from '../../router';
import { dateTime, ErrorMessage, label, SelectField, StatusBadge, TextField } from '../../ui';
import {
  ACTIVITY_LABELS,
  AGENCY_SHORT,
  CASE_SORT_LABELS,
  OUTCOME_SHORT,
  SEARCH_FIELD_NAMES,
  SEARCH_FIELD_PROBLEMS,
  SUPERVISOR_ID_FILTER_LABELS,
} from '../../words';

type S = components['schemas'];
export type CaseStatus = S['CaseStatus'];
type CaseItem = S['CaseListItem'];
/** A page of GET /cases; `totalCapped` if the service ever counts only up to a limit (then `total` is that limit). */
export type CasePage = S['CasePage'] & { totalCapped?: boolean };
type ListQuery = NonNullable<paths['/api/v1/cases']['get']['parameters']['query']>;
type Sort = NonNullable<ListQuery['sort']>;
type SupervisorId = NonNullable<ListQuery['supervisorIdentification']>;
type Agency = S['FederalAgency'];
type Activity = S['ActivityType'];

/** Whose list this is: what it may filter by, and how it says what it searched. */
export type SearchRole = 'OFFICER' | 'SUPERVISOR' | 'AUDITOR';

/** `?status=ALL`: an explicit "every status" (a supervisor's list otherwise opens on SUBMITTED). */
const ALL = 'ALL';
export const PAGE_SIZE = 20;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * One search of GET /cases, exactly as the address says it (so Back, reload and a shared link give the same list).
 * Dates are days (YYYY-MM-DD) in the reader's zone; anything else in the address is kept as typed and sent as is,
 * so the service refuses it and names the field.
 */
export interface CaseSearch {
  q: string;
  status: CaseStatus | '';
  district: string;
  from: string;
  to: string;
  agency: Agency | '';
  activityType: Activity | '';
  supervisorIdentification: SupervisorId | '';
  felony: '' | 'true' | 'false';
  hasFootage: '' | 'true' | 'false';
  author: string;
  sort: Sort | '';
  order: '' | 'asc';
  page: number;
}

const oneOf = <T extends string>(values: readonly T[], v: string | null): T | '' =>
  v !== null && (values as readonly string[]).includes(v) ? (v as T) : '';
const bool = (v: string | null): '' | 'true' | 'false' => (v === 'true' || v === 'false' ? v : '');

/** The status a role's list opens on when the address names none. */
function defaultStatus(role: SearchRole): CaseStatus | '' {
  return role === 'SUPERVISOR' ? 'SUBMITTED' : '';
}

export function readCaseSearch(query: URLSearchParams, role: SearchRole): CaseSearch {
  const rawStatus = query.get('status');
  return {
    q: query.get('q') ?? '',
    status: rawStatus === null ? defaultStatus(role) : oneOf(caseStatusValues, rawStatus),
    // A supervisor's district is theirs: the service scopes it, and the address cannot widen it.
    district: role === 'SUPERVISOR' ? '' : (query.get('district') ?? ''),
    from: query.get('from') ?? '',
    to: query.get('to') ?? '',
    agency: oneOf(federalAgencyValues, query.get('agency')),
    activityType: oneOf(activityTypeValues, query.get('activityType')),
    supervisorIdentification: oneOf(supervisorIdValues, query.get('supervisorIdentification')),
    felony: bool(query.get('felony')),
    hasFootage: bool(query.get('hasFootage')),
    author: role === 'OFFICER' ? '' : (query.get('author') ?? ''),
    sort: oneOf(['created', 'incident', 'updated', 'submitted', 'relevance'] as const, query.get('sort')),
    order: query.get('order') === 'asc' ? 'asc' : '',
    page: pageParam(query),
  };
}

/** The address of a search: only what differs from the role's default list. */
export function caseSearchHref(path: string, s: CaseSearch, role: SearchRole, keep?: URLSearchParams): string {
  const p = new URLSearchParams(keep);
  for (const k of [
    'q',
    'status',
    'district',
    'from',
    'to',
    'agency',
    'activityType',
    'supervisorIdentification',
    'felony',
    'hasFootage',
    'author',
    'sort',
    'order',
    'page',
  ])
    p.delete(k);
  if (s.q.trim()) p.set('q', s.q.trim());
  if (s.status !== defaultStatus(role)) p.set('status', s.status || ALL);
  const rest: [string, string][] = [
    ['district', s.district],
    ['from', s.from],
    ['to', s.to],
    ['agency', s.agency],
    ['activityType', s.activityType],
    ['supervisorIdentification', s.supervisorIdentification],
    ['felony', s.felony],
    ['hasFootage', s.hasFootage],
    ['author', s.author],
    ['sort', s.sort],
    ['order', s.order],
  ];
  for (const [k, v] of rest) if (v) p.set(k, v);
  if (s.page > 1) p.set('page', String(s.page));
  const qs = p.toString();
  return qs ? `${path}?${qs}` : path;
}

/** A day in the reader's zone as the instant it starts (or, for `to`, its last millisecond); not a day: as typed. */
function dayBound(v: string, end: boolean): string {
  const m = DAY.exec(v);
  if (!m) return v;
  const d = end ? new Date(+m[1], +m[2] - 1, +m[3], 23, 59, 59, 999) : new Date(+m[1], +m[2] - 1, +m[3]);
  // 2026-02-31 is no day: send it as typed, and the service names the field.
  if (Number.isNaN(d.getTime()) || d.getFullYear() !== +m[1] || d.getMonth() !== +m[2] - 1 || d.getDate() !== +m[3])
    return v;
  return d.toISOString();
}

/**
 * A supervisor's queue: the district's submitted cases, no order chosen and no words. It opens oldest waiting first
 * (issue 16: the case that has waited longest is the next to review), and shows the queue's own columns.
 */
export function isWaitingQueue(s: CaseSearch, role: SearchRole): boolean {
  return role === 'SUPERVISOR' && s.status === 'SUBMITTED' && !s.sort && !s.q.trim();
}

/** The query GET /cases is sent for a search (the relevance sort only where there are words to rank by). */
export function caseSearchQuery(s: CaseSearch, pageSize = PAGE_SIZE, role?: SearchRole): ListQuery {
  const q: Record<string, unknown> = { page: s.page, pageSize };
  if (role && isWaitingQueue(s, role)) {
    q.sort = 'submitted';
    q.order = 'asc';
  }
  if (s.q.trim()) q.q = s.q.trim();
  if (s.status) q.status = s.status;
  if (s.district) q.district = s.district;
  if (s.from) q.from = dayBound(s.from, false);
  if (s.to) q.to = dayBound(s.to, true);
  for (const k of ['agency', 'activityType', 'supervisorIdentification', 'author', 'sort', 'order'] as const)
    if (s[k]) q[k] = s[k];
  if (s.felony) q.felony = s.felony === 'true';
  if (s.hasFootage) q.hasFootage = s.hasFootage === 'true';
  return q as ListQuery;
}

export function loadCases(s: CaseSearch, role?: SearchRole): Promise<CasePage> {
  return unwrap(api.GET('/api/v1/cases', { params: { query: caseSearchQuery(s, PAGE_SIZE, role) } }));
}

/** Whether anything narrows the list beyond the role's default. */
export function isFiltered(s: CaseSearch, role: SearchRole): boolean {
  return !!(
    s.q.trim() ||
    s.status !== defaultStatus(role) ||
    s.district ||
    s.from ||
    s.to ||
    s.agency ||
    s.activityType ||
    s.supervisorIdentification ||
    s.felony ||
    s.hasFootage ||
    s.author
  );
}

function dayWords(v: string): string {
  const m = DAY.exec(v);
  return m ? new Date(+m[1], +m[2] - 1, +m[3]).toLocaleDateString(undefined, { dateStyle: 'medium' }) : v;
}

/** What was searched, in words: `“grey van”, status Submitted, felony alleged`. */
export function describeSearch(s: CaseSearch, authorName?: string | null): string {
  const parts: string[] = [];
  if (s.q.trim()) parts.push(`“${s.q.trim()}”`);
  if (s.status) parts.push(`status ${label(s.status)}`);
  if (s.district) parts.push(`district ${s.district}`);
  if (s.from && s.to) parts.push(`incident between ${dayWords(s.from)} and ${dayWords(s.to)}`);
  else if (s.from) parts.push(`incident on or after ${dayWords(s.from)}`);
  else if (s.to) parts.push(`incident on or before ${dayWords(s.to)}`);
  if (s.agency) parts.push(`agency ${AGENCY_SHORT[s.agency]}`);
  if (s.activityType) parts.push(`activity ${ACTIVITY_LABELS[s.activityType].toLowerCase()}`);
  if (s.supervisorIdentification)
    parts.push(`federal supervisor: ${SUPERVISOR_ID_FILTER_LABELS[s.supervisorIdentification].toLowerCase()}`);
  if (s.felony) parts.push(s.felony === 'true' ? 'felony alleged' : 'no felony alleged');
  if (s.hasFootage) parts.push(s.hasFootage === 'true' ? 'with footage' : 'without footage');
  if (s.author) parts.push(`written by ${authorName ?? 'the chosen author'}`);
  return parts.join(', ');
}

/** "22", or "more than 10,000" when the service stopped counting. */
export function totalWords(page: CasePage): string {
  return page.totalCapped ? `more than ${page.total.toLocaleString()}` : page.total.toLocaleString();
}

/** The fields a refused search named, each with what is wrong in words. */
export function searchFieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError) || error.status !== 400) return {};
  return Object.fromEntries(
    error.fields.map((f) => {
      const field = f.split('.')[0];
      return [
        field,
        SEARCH_FIELD_PROBLEMS[field] ?? `${SEARCH_FIELD_NAMES[field] ?? field}: this value cannot be used.`,
      ];
    }),
  );
}

/** A refused search (the fields named, in words) or any other failure (what the service said). */
export function SearchError({ error, what }: { error: unknown; what: string }) {
  const fields = searchFieldErrors(error);
  const names = Object.keys(fields);
  if (names.length === 0) return <ErrorMessage error={error} context={`Could not search ${what}`} />;
  return (
    <div className="error" role="alert">
      <p>
        <strong>Nothing was searched: correct the marked {names.length === 1 ? 'field' : 'fields'}.</strong>
      </p>
      <ul>
        {names.map((n) => (
          <li key={n}>
            {SEARCH_FIELD_NAMES[n] ?? n}: {fields[n]}
          </li>
        ))}
      </ul>
    </div>
  );
}

const SUPERVISOR_ID_OPTIONS = supervisorIdValues as readonly SupervisorId[];

/**
 * The search box and the filters. Choices in a list apply at once; the words and the dates when "Search" is pressed
 * (or Enter). Auditors: the box says it searches case metadata only.
 */
export function CaseSearchForm({
  search,
  role,
  district,
  errors,
  onSearch,
  onClear,
  authorName,
  submitText = 'Search',
}: {
  search: CaseSearch;
  role: SearchRole;
  district?: number | null;
  errors: Record<string, string>;
  submitText?: string;
  onSearch: (s: CaseSearch) => void;
  onClear: () => void;
  authorName?: string | null;
}) {
  const [draft, setDraft] = useState(search);
  const key = JSON.stringify(search);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- `search` is compared by value (key): a new object on every render
  useEffect(() => setDraft(search), [key]);
  const apply = (next: Partial<CaseSearch>) => {
    const s = { ...draft, ...next, page: 1 };
    if (!s.q.trim() && s.sort === 'relevance') s.sort = '';
    setDraft(s);
    onSearch(s);
  };
  const set =
    <K extends keyof CaseSearch>(k: K) =>
    (v: CaseSearch[K]) =>
      setDraft((d) => ({ ...d, [k]: v }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    apply({});
  };
  const auditor = role === 'AUDITOR';
  // The filters beyond status fold away (a phone would otherwise scroll past a dozen fields), open when one is in use.
  const chosen = (
    [
      'district',
      'from',
      'to',
      'agency',
      'activityType',
      'supervisorIdentification',
      'felony',
      'hasFootage',
      'sort',
      'order',
    ] as const
  ).filter((k) => search[k] !== '' || errors[k]).length;
  const [open, setOpen] = useState(chosen > 0);
  useEffect(() => {
    if (chosen > 0) setOpen(true);
  }, [chosen]);
  const sorts = (
    draft.q.trim()
      ? ['relevance', 'incident', 'updated', 'created', 'submitted']
      : ['incident', 'updated', 'created', 'submitted']
  ) as Sort[];
  const queue = isWaitingQueue(draft, role);

  return (
    <form onSubmit={submit} noValidate role="search" aria-label="Search the cases" className="case-search">
      <div className="search-row">
        <TextField
          label={auditor ? 'Search case metadata' : 'Search words'}
          value={draft.q}
          onChange={set('q')}
          maxLength={200}
          error={errors.q}
          hint={
            auditor
              ? 'Searches case metadata only: the case number (whole or part), status, activity and agencies. Narratives and personnel are never searched.'
              : 'Words from the narrative, the place, federal personnel (names, badges, descriptions, vehicles and plates) or the violations. Use "quotes" for a phrase, word* for the start of a word, or to accept either word, -word to leave a word out.'
          }
        />
        <button type="submit" className="btn primary">
          {submitText}
        </button>
      </div>
      <div className="filter-grid">
        <SelectField
          label={SEARCH_FIELD_NAMES.status}
          value={draft.status}
          onChange={(v) => apply({ status: v })}
          options={caseStatusValues}
          placeholder="All statuses"
          error={errors.status}
        />
        {role === 'SUPERVISOR' && (
          <div className="field">
            <span className="field-label">District</span>
            <p className="fixed-value">{district != null ? `District ${district} (yours)` : 'Your district'}</p>
          </div>
        )}
      </div>
      <details className="more-filters" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
        <summary>
          More filters{chosen > 0 ? ` (${chosen} in use)` : ''}: dates, {role === 'SUPERVISOR' ? '' : 'district, '}
          agency, activity, identification, felony, footage, order
        </summary>
        <div className="filter-grid">
          {role !== 'SUPERVISOR' && (
            <SelectField
              label={SEARCH_FIELD_NAMES.district}
              value={draft.district}
              onChange={(v) => apply({ district: v })}
              options={policeDistrictValues.map(String)}
              labels={Object.fromEntries(policeDistrictValues.map((d) => [String(d), `District ${d}`]))}
              placeholder="All districts"
              error={errors.district}
            />
          )}
          <TextField
            label="Incident from"
            type="date"
            value={draft.from}
            onChange={set('from')}
            error={errors.from}
            hint="The day, or leave empty."
          />
          <TextField
            label="Incident to"
            type="date"
            value={draft.to}
            onChange={set('to')}
            error={errors.to}
            hint="Up to and including this day."
          />
          <SelectField
            label={SEARCH_FIELD_NAMES.agency}
            value={draft.agency}
            onChange={(v) => apply({ agency: v })}
            options={federalAgencyValues}
            labels={AGENCY_SHORT}
            placeholder="Any agency"
            error={errors.agency}
          />
          <SelectField
            label={SEARCH_FIELD_NAMES.activityType}
            value={draft.activityType}
            onChange={(v) => apply({ activityType: v })}
            options={activityTypeValues}
            labels={ACTIVITY_LABELS}
            placeholder="Any activity"
            error={errors.activityType}
          />
          <SelectField
            label={SEARCH_FIELD_NAMES.supervisorIdentification}
            value={draft.supervisorIdentification}
            onChange={(v) => apply({ supervisorIdentification: v })}
            options={SUPERVISOR_ID_OPTIONS}
            labels={SUPERVISOR_ID_FILTER_LABELS}
            placeholder="Any outcome"
            error={errors.supervisorIdentification}
          />
          <SelectField
            label={SEARCH_FIELD_NAMES.felony}
            value={draft.felony}
            onChange={(v) => apply({ felony: v })}
            options={['true', 'false'] as const}
            labels={{ true: 'Yes: a felony is alleged', false: 'No felony alleged' }}
            placeholder="Either"
            error={errors.felony}
          />
          <SelectField
            label={SEARCH_FIELD_NAMES.hasFootage}
            value={draft.hasFootage}
            onChange={(v) => apply({ hasFootage: v })}
            options={['true', 'false'] as const}
            labels={{ true: 'With footage', false: 'Without footage' }}
            placeholder="Either"
            error={errors.hasFootage}
          />
          <SelectField
            label={SEARCH_FIELD_NAMES.sort}
            value={draft.sort}
            onChange={(v) => apply({ sort: v, order: v === 'relevance' ? '' : draft.order })}
            options={sorts}
            labels={CASE_SORT_LABELS}
            error={errors.sort}
            placeholder={
              draft.q.trim()
                ? 'Incident time (default with search words)'
                : queue
                  ? 'Waiting longest first (default for submitted cases)'
                  : 'When the case was opened (default)'
            }
          />
          {draft.sort !== 'relevance' && !queue && (
            <SelectField
              label={SEARCH_FIELD_NAMES.order}
              value={draft.order}
              onChange={(v) => apply({ order: v })}
              options={['asc'] as const}
              labels={{ asc: 'Oldest first' }}
              placeholder="Newest first"
              error={errors.order}
            />
          )}
        </div>
        <p>
          <button type="submit" className="btn primary">
            Search with these dates
          </button>
        </p>
      </details>
      {(search.author || errors.author) && (
        <p className="chosen-filter">
          Only cases written by <strong>{authorName ?? 'the chosen author'}</strong>.{' '}
          <button type="button" className="btn-link" onClick={() => apply({ author: '' })}>
            Show every author
          </button>
          {errors.author && <span className="field-error"> {errors.author}</span>}
        </p>
      )}
      <p>
        <button type="button" className="btn secondary" onClick={onClear}>
          Clear the search and filters
        </button>
      </p>
    </form>
  );
}

/** How long a submitted case has waited, in words: "less than an hour", "5 hours", "1 day", "3 days". */
export function waitingWords(sinceIso: string, now = Date.now()): string {
  const hours = Math.max(0, Math.floor((now - Date.parse(sinceIso)) / 3_600_000));
  if (hours < 1) return 'less than an hour';
  if (hours < 24) return hours === 1 ? '1 hour' : `${hours} hours`;
  const days = Math.floor(hours / 24);
  return days === 1 ? '1 day' : `${days.toLocaleString()} days`;
}

const evidenceWords = (n: number) => (n === 0 ? 'None' : n === 1 ? '1 item' : `${n.toLocaleString()} items`);

/**
 * The supervisor's queue (issue 16): the district's submitted cases, oldest waiting first, in the columns a reviewer
 * picks the next case by. A table on a wide screen, a stack on a phone (each cell says what it is: `data-label`).
 */
function WaitingCases({
  items,
  userId,
  caption,
  caseHref,
}: {
  items: CaseItem[];
  userId: string;
  caption: string;
  caseHref: (c: CaseItem) => string;
}) {
  // Waiting times as of when the list was shown (a new search or page shows a new list, and a new time).
  const [now] = useState(() => Date.now());
  return (
    <table className="stack case-results waiting-cases">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Case</th>
          <th scope="col">Officer</th>
          <th scope="col">Location</th>
          <th scope="col">Felony</th>
          <th scope="col">Waiting</th>
          <th scope="col">Evidence</th>
        </tr>
      </thead>
      <tbody>
        {items.map((c) => (
          <tr
            key={c.id}
            className={c.submittedAt && now - Date.parse(c.submittedAt) >= 86_400_000 ? 'waiting-long' : undefined}
          >
            <td data-label="Case">
              <Link to={caseHref(c)}>{c.caseNumber}</Link>
              {c.createdBy === userId && (
                <>
                  <br />
                  <span className="muted">Opened by you: another supervisor reviews it</span>
                </>
              )}
            </td>
            <td data-label="Officer">
              {c.authorName ?? <span className="muted">Name not on file</span>}
              {c.authorBadge && (
                <>
                  <br />
                  <span className="muted">Badge {c.authorBadge}</span>
                </>
              )}
            </td>
            <td data-label="Location">
              {c.incidentLocation ? (
                <span className="place">{c.incidentLocation}</span>
              ) : (
                <span className="muted">Place not recorded</span>
              )}
            </td>
            <td data-label="Felony">{c.anyFelony ? <strong>Yes</strong> : 'No'}</td>
            <td data-label="Waiting">
              {c.submittedAt ? (
                <>
                  <time dateTime={c.submittedAt} title={`Submitted ${dateTime(c.submittedAt)}`}>
                    {waitingWords(c.submittedAt, now)}
                  </time>
                  <br />
                  <span className="muted">since {dateTime(c.submittedAt)}</span>
                </>
              ) : (
                <span className="muted">Not submitted</span>
              )}
            </td>
            <td data-label="Evidence">{evidenceWords(c.evidenceCount)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ageWords(days: number): string {
  return days === 0 ? 'less than a day old' : days === 1 ? '1 day old' : `${days.toLocaleString()} days old`;
}

/**
 * The list of cases found: a table on a wide screen, a stack of cards on a phone (each cell says what it is).
 * `caseHref` is where a case opens; `onAuthor` narrows to one author (supervisors and auditors).
 */
export function CaseResults({
  page,
  search,
  role,
  userId,
  caption,
  caseHref,
  onPage,
  onAuthor,
  empty,
}: {
  page: CasePage;
  search: CaseSearch;
  role: SearchRole;
  userId: string;
  caption: string;
  caseHref: (c: CaseItem) => string;
  onPage: (n: number) => void;
  onAuthor?: (c: CaseItem) => void;
  empty: ReactNode;
}) {
  const supervisor = role === 'SUPERVISOR';
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
  const which = search.status ? `${label(search.status).toLowerCase()} ` : '';
  const what = describeSearch({ ...search, status: '' }, page.items[0]?.authorName);
  if (page.total === 0 && page.items.length === 0) return <div role="status">{empty}</div>;
  const from = (page.page - 1) * page.pageSize + 1;
  const to = from + page.items.length - 1;
  return (
    <>
      <p role="status" className="muted">
        {page.items.length === 0
          ? `No ${which}cases on page ${page.page}.`
          : `Showing ${from.toLocaleString()}–${to.toLocaleString()} of ${totalWords(page)} ${which}${page.total === 1 && !page.totalCapped ? 'case' : 'cases'}.`}
        {what && <> Searched for: {what}.</>}
      </p>
      {page.items.length > 0 && isWaitingQueue(search, role) && (
        <WaitingCases
          key={page.items.map((i) => `${i.id}:${i.version}`).join()}
          items={page.items}
          userId={userId}
          caseHref={caseHref}
          caption={`${caption}, oldest waiting first`}
        />
      )}
      {page.items.length > 0 && !isWaitingQueue(search, role) && (
        <table className="stack case-results">
          <caption>{caption}</caption>
          <thead>
            <tr>
              <th scope="col">Case</th>
              <th scope="col">Status</th>
              <th scope="col">Incident</th>
              <th scope="col">Author</th>
              <th scope="col">Opened</th>
              <th scope="col">Evidence and allegations</th>
              {supervisor && <th scope="col">Submitted</th>}
              <th scope="col">Last change</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((c) => {
              const mine = c.createdBy === userId;
              return (
                <tr key={c.id} className={c.status === 'RETURNED' && mine ? 'needs-action' : undefined}>
                  <td data-label="Case">
                    <Link to={caseHref(c)}>{c.caseNumber}</Link>
                    {supervisor && mine && (
                      <>
                        <br />
                        <span className="muted">Opened by you</span>
                      </>
                    )}
                  </td>
                  <td data-label="Status">
                    <StatusBadge status={c.status} />
                    {c.status === 'RETURNED' && mine && (
                      <>
                        <br />
                        <strong className="action-needed">Needs your action</strong>
                      </>
                    )}
                    {c.status === 'SUBMITTED' && supervisor && !mine && (
                      <>
                        <br />
                        <span className="muted">Waiting for review</span>
                      </>
                    )}
                  </td>
                  <td data-label="Incident">
                    {c.incidentAt ? (
                      <time dateTime={c.incidentAt}>{dateTime(c.incidentAt)}</time>
                    ) : (
                      <span className="muted">Time not recorded yet</span>
                    )}
                    {c.incidentLocation !== undefined && (
                      <>
                        <br />
                        {c.incidentLocation ? (
                          <span className="place">{c.incidentLocation}</span>
                        ) : (
                          <span className="muted">Place not recorded yet</span>
                        )}
                      </>
                    )}
                    <br />
                    {c.activityType ? (
                      ACTIVITY_LABELS[c.activityType]
                    ) : (
                      <span className="muted">Activity not recorded yet</span>
                    )}
                    {c.agencies.length > 0 && (
                      <span className="muted"> · {c.agencies.map((a) => AGENCY_SHORT[a]).join(', ')}</span>
                    )}
                    <br />
                    <span className="muted">District {c.district}</span>
                  </td>
                  <td data-label="Author">
                    {c.authorName ?? <span className="muted">Name not on file</span>}
                    {c.authorBadge && (
                      <>
                        <br />
                        <span className="muted">Badge {c.authorBadge}</span>
                      </>
                    )}
                    {onAuthor && !search.author && (
                      <>
                        <br />
                        <button type="button" className="btn-link" onClick={() => onAuthor(c)}>
                          Only cases by {c.authorName ?? 'this author'}
                        </button>
                      </>
                    )}
                  </td>
                  <td data-label="Opened">
                    <time dateTime={c.createdAt}>{dateTime(c.createdAt)}</time>
                    <br />
                    <span className="muted">{ageWords(c.ageDays)}</span>
                  </td>
                  <td data-label="Evidence and allegations">
                    {c.evidenceCount === 0
                      ? 'No evidence items'
                      : c.evidenceCount === 1
                        ? '1 evidence item'
                        : `${c.evidenceCount} evidence items`}
                    <br />
                    {c.anyFelony ? <strong>Felony alleged</strong> : <span className="muted">No felony alleged</span>}
                    <br />
                    <span className="muted">
                      Federal supervisor:{' '}
                      {c.supervisorIdentification
                        ? OUTCOME_SHORT[c.supervisorIdentification].toLowerCase()
                        : 'not recorded yet'}
                    </span>
                  </td>
                  {supervisor && (
                    <td data-label="Submitted">
                      {c.submittedAt ? (
                        <>
                          <time dateTime={c.submittedAt}>{dateTime(c.submittedAt)}</time>
                        </>
                      ) : (
                        <span className="muted">Not submitted</span>
                      )}
                    </td>
                  )}
                  <td data-label="Last change">
                    <time dateTime={c.updatedAt}>{dateTime(c.updatedAt)}</time>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {pages > 1 && (
        <nav aria-label="Pages of the case list" className="pager">
          <button
            type="button"
            className="btn secondary"
            disabled={page.page <= 1}
            onClick={() => onPage(page.page - 1)}
          >
            Previous page
          </button>
          <span>
            Page {page.page.toLocaleString()} of{' '}
            {page.totalCapped ? `more than ${pages.toLocaleString()}` : pages.toLocaleString()}
          </span>
          <button
            type="button"
            className="btn secondary"
            disabled={!page.totalCapped && page.page >= pages}
            onClick={() => onPage(page.page + 1)}
          >
            Next page
          </button>
        </nav>
      )}
    </>
  );
}

/** Navigates to a search (a new history entry: Back returns to the search before). */
export function goToSearch(path: string, s: CaseSearch, role: SearchRole, keep?: URLSearchParams): void {
  navigate(caseSearchHref(path, s, role, keep));
}
