import { FormEvent, useEffect, useRef, useState } from 'react';
import { api, ApiError, saveBlob, unwrap } from '../../api/client';
import { auditExportTicket, downloadWith } from '../../tickets';
import { auditOutcomeValues, pathsApiV1AuditExportGetParametersQueryFormatValues, type components, type paths } from '../../api/schema';
import { useDraft } from '../../drafts';
import { Link, navigate, useLocation } from '../../router';
import { useUser } from '../../session';
import {
  CaseResults, CaseSearch, CaseSearchForm, caseSearchHref, describeSearch, isFiltered, loadCases, readCaseSearch, SearchError, searchFieldErrors,
} from '../common/CaseSearch';
import { ActionButton, DateTimeField, ErrorMessage, Hash, label, Loading, Page, SelectField, TextField, useLoad } from '../../ui';

type AuditEvent = components['schemas']['AuditEventView'];
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

/** The case number an event names in its details (case events carry it), for a readable link. */
function caseNumberOf(e: AuditEvent): string | undefined {
  const n = e.details.caseNumber;
  return typeof n === 'string' ? n : undefined;
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
  const state = useLoad(async () => ({
    result: await unwrap(api.GET('/api/v1/audit/verify', { params: { query: asked } })),
    at: new Date().toISOString(),
  }), [asked, tick]);
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
        The service recomputes the hash of every stored event and checks that each one links to the one before it. Each check is
        itself recorded in the audit log.
      </p>
      {state.loading && <p role="status" className="muted">Checking the chain…</p>}
      {state.error !== undefined && <ErrorMessage error={state.error} context="Could not check the chain" />}
      {r && !state.loading && r.ok && (
        <div className="success verify-result" role="status">
          <p className="verify-headline">
            <strong>Chain intact:</strong> {count(r.checked, 'event', 'events')} checked
            {r.firstSeq !== null && r.lastSeq !== null && <> (#{r.firstSeq} to #{r.lastSeq}{ranged ? ', the range asked for' : ''})</>}
            {r.checked === 0 && ' (no events in this range)'}
          </p>
          {r.headHash && <p>Head hash (last event checked): <Hash value={r.headHash} /></p>}
          <p className="muted">Checked {when(state.data!.at)}.</p>
        </div>
      )}
      {r && !state.loading && !r.ok && (
        <div className="error verify-result" role="alert">
          <p className="verify-headline">
            <strong>Chain broken at event #{r.firstBreak?.seq ?? '?'}:</strong> {r.firstBreak?.reason ?? 'the service did not say why'}.
          </p>
          <p>
            {count(r.checked, 'event', 'events')} before it verified
            {r.firstSeq !== null && r.lastSeq !== null ? ` (#${r.firstSeq} to #${r.lastSeq})` : ''}.
            {' '}Event #{r.firstBreak?.seq} and everything recorded after it cannot be relied on until the break is explained.
            Keep the exports you already hold and report this to the department's records officer.
          </p>
          {r.headHash && <p>Last hash that verified: <Hash value={r.headHash} /></p>}
          <p className="muted">Checked {when(state.data!.at)}.</p>
        </div>
      )}
      <form onSubmit={again} noValidate>
        <details className="range" open={ranged || !!range.fromSeq || !!range.toSeq}>
          <summary>Check only part of the chain</summary>
          <div className="filter-grid">
            <TextField label="From event #" type="number" value={range.fromSeq} onChange={(v) => setRange((d) => ({ ...d, fromSeq: v }))}
              hint="Leave empty to start at the first event." error={fieldError('from_seq')} />
            <TextField label="To event #" type="number" value={range.toSeq} onChange={(v) => setRange((d) => ({ ...d, toSeq: v }))}
              hint="Leave empty to check up to the newest event." error={fieldError('to_seq')} />
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
      <CaseSearchForm search={search} role="AUDITOR" submitText="Find cases" errors={searchFieldErrors(list.error)} authorName={authorName}
        onSearch={go} onClear={() => navigate(caseSearchHref('/audit', readCaseSearch(new URLSearchParams(), 'AUDITOR'), 'AUDITOR', query))} />
      {list.error ? <SearchError error={list.error} what="the cases" /> : asked && !list.data ? <Loading what="the cases" /> : list.data && (
        <CaseResults page={list.data} search={search} role="AUDITOR" userId={user.id} caption={`Cases: ${what}`}
          caseHref={(c) => `/audit/cases/${c.id}`} onPage={(n) => go({ ...search, page: n })}
          onAuthor={(c) => go({ ...search, author: c.createdBy, page: 1 })}
          empty={(
            <>
              <p><strong>No case matches {what}.</strong></p>
              <p>
                {search.q.trim()
                  ? 'This search looks only at case metadata (the case number, status, activity and agencies), never at narratives or personnel, so words that appear only there find nothing here.'
                  : 'Try fewer filters, or clear the search.'}
              </p>
            </>
          )} />
      )}
    </section>
  );
}

// --- event search and export ----------------------------------------------------------------------

interface FilterDraft {
  from: string | null;
  to: string | null;
  /** A case number or a case id, as typed. */
  caseRef: string;
  actorId: string;
  action: string;
  outcome: Outcome | '';
}

const NO_FILTERS: FilterDraft = { from: null, to: null, caseRef: '', actorId: '', action: '', outcome: '' };

interface Search {
  filters: Filters;
  /** How the case filter reads to a person (its number). */
  caseLabel?: string;
  /** The cursor of each page shown so far: [undefined (page 1), cursor of page 2, …]. */
  cursors: (string | undefined)[];
  page: EventPage;
}

/** A case number typed in the case filter that names no case (or several). */
class CaseRefProblem extends Error {}

async function resolveCase(ref: string): Promise<{ caseId?: string; caseLabel?: string }> {
  const q = ref.trim();
  if (!q) return {};
  if (UUID.test(q)) return { caseId: q.toLowerCase(), caseLabel: q.toLowerCase() };
  const page = await unwrap(api.GET('/api/v1/cases', { params: { query: { q, pageSize: 10 } } }));
  const exact = page.items.find((c) => c.caseNumber.toUpperCase() === q.toUpperCase());
  if (exact) return { caseId: exact.id, caseLabel: exact.caseNumber };
  if (page.items.length === 0) throw new CaseRefProblem(`No case has the number “${q}”.`);
  throw new CaseRefProblem(`Several cases contain “${q}” (for example ${page.items[0].caseNumber}): type the whole case number.`);
}

function filtersOf(d: FilterDraft, caseId?: string): Filters {
  const f: Filters = {};
  if (d.from) f.from = d.from;
  if (d.to) f.to = d.to;
  if (caseId) f.caseId = caseId;
  if (d.actorId.trim()) f.actorId = d.actorId.trim();
  if (d.action.trim()) f.action = d.action.trim();
  if (d.outcome) f.outcome = d.outcome;
  return f;
}

/** "action case.submitted, outcome Denied", or the whole trail. */
function describe(f: Filters, caseLabel?: string): string {
  const parts: string[] = [];
  if (f.from) parts.push(`from ${when(f.from)}`);
  if (f.to) parts.push(`before ${when(f.to)}`);
  if (f.caseId) parts.push(`case ${caseLabel ?? f.caseId}`);
  if (f.actorId) parts.push(`by user ${f.actorId}`);
  if (f.action) parts.push(`action ${f.action}`);
  if (f.outcome) parts.push(`outcome ${label(f.outcome)}`);
  return parts.length ? `events with ${parts.join(', ')}` : 'every event (the whole trail)';
}

function fetchPage(filters: Filters, cursor: string | undefined): Promise<EventPage> {
  return unwrap(api.GET('/api/v1/audit/events', { params: { query: { ...filters, ...(cursor ? { cursor } : {}), limit: PAGE_SIZE } } }));
}

function SearchAndExport() {
  const { query } = useLocation();
  const linkedCase = query.get('case');
  const [draft, setDraft] = useDraft<FilterDraft>('audit-filters', NO_FILTERS);
  const [search, setSearch] = useState<Search | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [caseProblem, setCaseProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [paged, setPaged] = useState(false);
  const started = useRef<string | null>(null);
  const set = <K extends keyof FilterDraft>(k: K) => (v: FilterDraft[K]) => setDraft((d) => ({ ...d, [k]: v }));

  const run = async (d: FilterDraft) => {
    setBusy(true);
    setError(null);
    setCaseProblem(undefined);
    try {
      const { caseId, caseLabel } = await resolveCase(d.caseRef);
      const filters = filtersOf(d, caseId);
      const page = await fetchPage(filters, undefined);
      setSearch({ filters, caseLabel, cursors: [undefined], page });
      setPaged(false);
    } catch (err) {
      if (err instanceof CaseRefProblem) setCaseProblem(err.message);
      else setError(err);
    } finally {
      setBusy(false);
    }
  };

  // The first search: the filters last typed, or a case's events when opened from a case (/audit?case=ION-…).
  useEffect(() => {
    const key = linkedCase ?? '';
    if (started.current === key) return;
    started.current = key;
    if (linkedCase) {
      const d = { ...NO_FILTERS, caseRef: linkedCase };
      setDraft(d);
      void run(d);
    } else {
      void run(draft);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [linkedCase]);

  const goTo = async (cursors: (string | undefined)[]) => {
    if (!search) return;
    setBusy(true);
    setError(null);
    try {
      const page = await fetchPage(search.filters, cursors[cursors.length - 1]);
      setSearch({ ...search, cursors, page });
      setPaged(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const onlyActor = (actorId: string) => {
    const d = { ...draft, actorId };
    setDraft(d);
    void run(d);
  };

  const fieldError = (f: string) => (error instanceof ApiError ? error.forField(f) : undefined);
  const items = search?.page.items ?? [];
  const pageNo = search?.cursors.length ?? 1;
  const range = items.length ? `events #${items[0].seq} to #${items[items.length - 1].seq}` : 'no events';

  return (
    <>
      <section aria-labelledby="search-h">
        <h2 id="search-h">Search the audit log</h2>
        <form onSubmit={(e) => { e.preventDefault(); void run(draft); }} noValidate>
          <div className="filter-grid">
            <DateTimeField label="From (at or after)" value={draft.from} onChange={set('from')} error={fieldError('from')} />
            <DateTimeField label="To (before)" value={draft.to} onChange={set('to')} error={fieldError('to')} />
            <TextField label="Case (number or id)" value={draft.caseRef} onChange={set('caseRef')} hint="For example ION-2026-000123."
              error={caseProblem ?? fieldError('caseId')} />
            <TextField label="Action" value={draft.action} onChange={set('action')} hint="Exact action name, for example case.submitted or access.denied."
              error={fieldError('action')} />
            <SelectField label="Outcome" value={draft.outcome} onChange={set('outcome')} options={auditOutcomeValues} placeholder="Any outcome"
              error={fieldError('outcome')} />
            <TextField label="Actor (user id)" value={draft.actorId} onChange={set('actorId')}
              hint="Or choose “events by …” next to a person in the results." error={fieldError('actorId')} />
          </div>
          <div className="btn-row">
            <button type="submit" className="btn primary" disabled={busy} aria-busy={busy}>{busy ? 'Searching…' : 'Search'}</button>
            <button type="button" className="btn secondary" disabled={busy} onClick={() => { setDraft(NO_FILTERS); void run(NO_FILTERS); }}>
              Clear filters
            </button>
          </div>
        </form>
        <ErrorMessage error={error} context="Could not search the audit log" />
        {search && (
          <>
            <p role="status" className="result-summary">
              {paged ? `Page ${pageNo}: ${range}.` : `Showing ${describe(search.filters, search.caseLabel)}, oldest first: page ${pageNo}, ${range}.`}
            </p>
            {items.length === 0
              ? <p>No events match these filters.</p>
              : <EventTable items={items} caption={`Audit events: ${describe(search.filters, search.caseLabel)}, oldest first, page ${pageNo}`} onlyActor={onlyActor} />}
            <nav aria-label="Pages of events" className="btn-row">
              <button type="button" className="btn secondary" disabled={busy || pageNo <= 1} onClick={() => void goTo(search.cursors.slice(0, -1))}>
                Previous page (older events)
              </button>
              <button type="button" className="btn secondary" disabled={busy || !search.page.nextCursor}
                onClick={() => void goTo([...search.cursors, search.page.nextCursor ?? undefined])}>
                Next page (newer events)
              </button>
            </nav>
          </>
        )}
      </section>
      <ExportPanel filters={search?.filters} caseLabel={search?.caseLabel} />
    </>
  );
}

function EventTable({ items, caption, onlyActor }: { items: AuditEvent[]; caption: string; onlyActor: (actorId: string) => void }) {
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
            <td data-label="Time"><time dateTime={e.occurredAt}>{when(e.occurredAt)}</time></td>
            <td data-label="Actor">
              {e.actor.username ?? <span className="muted">(nobody signed in)</span>}
              <br /><span className="muted">{label(e.actor.role)}</span>
              {e.actor.id && (
                <>
                  <br />
                  <button type="button" className="btn-link" onClick={() => onlyActor(e.actor.id!)}>events by {e.actor.username ?? e.actor.id}</button>
                </>
              )}
            </td>
            <td data-label="Action">
              <code>{e.action}</code>
              <details className="event-details">
                <summary>Details</summary>
                <dl className="facts">
                  {Object.keys(e.details).length > 0 && <><dt>Recorded facts</dt><dd><pre className="json">{JSON.stringify(e.details, null, 2)}</pre></dd></>}
                  <dt>Time (UTC)</dt><dd className="mono">{e.occurredAt}</dd>
                  <dt>Client address</dt><dd>{e.clientIp ?? '—'}</dd>
                  <dt>Browser / client</dt><dd>{e.userAgent ?? '—'}</dd>
                  <dt>Actor id</dt><dd className="mono">{e.actor.id ?? '—'}</dd>
                  <dt>Event id</dt><dd className="mono">{e.id}</dd>
                  <dt>Previous hash</dt><dd><Hash value={e.prevHash} /></dd>
                  <dt>Hash</dt><dd><Hash value={e.hash} /></dd>
                </dl>
              </details>
            </td>
            <td data-label="Outcome"><span className={`badge ${e.outcome === 'SUCCESS' ? 'ok' : 'failed'}`}>{label(e.outcome)}</span></td>
            <td data-label="Target">{e.targetType ? label(e.targetType) : '—'}{e.targetId && <><br /><span className="mono">{e.targetId}</span></>}</td>
            <td data-label="Case">{e.caseId ? <Link to={`/audit/cases/${e.caseId}`}>{caseNumberOf(e) ?? <span className="mono">{e.caseId}</span>}</Link> : '—'}</td>
            <td data-label="Request id"><span className="mono">{e.requestId ?? '—'}</span></td>
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
function ExportPanel({ filters, caseLabel }: { filters?: Filters; caseLabel?: string }) {
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
      setSaved({ format, what: describe(filters, caseLabel) });
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
        Exports {filters ? <strong>{describe(filters, caseLabel)}</strong> : 'the events of the search above'}, the same filters as the
        search above, up to the moment of the export. To export something else, change the filters and press Search first.
        The export is itself recorded in the audit log (who exported, with which filters).
      </p>
      <fieldset className="field">
        <legend>Format</legend>
        {FORMATS.map((f) => (
          <label key={f} className="inline">
            <input type="radio" name="audit-export-format" value={f} checked={format === f} onChange={() => setFormat(f)} />
            {' '}{FORMAT_WORDS[f].name} <span className="muted">({FORMAT_WORDS[f].hint})</span>
          </label>
        ))}
      </fieldset>
      <div className="btn-row">
        <ActionButton onClick={exportNow} busyText="Exporting…" disabled={!filters}>Export and download</ActionButton>
      </div>
      <ErrorMessage error={error} context="Could not export" />
      {saved && (
        <div className="success export-saved" role="status">
          <p>
            The export has started: {saved.what}, as {FORMAT_WORDS[saved.format].name}. Your browser saves it (a file named ion-audit-….{saved.format})
            and shows its progress in its downloads list.
          </p>
        </div>
      )}
      <div className="notice">
        <h3>Checking an export offline</h3>
        <p>
          Every export ends with a checkpoint of the whole chain and a seal over the file, both signed with the service's key: any row
          changed, removed, added or reordered after the export is detected. It can be checked without the database or the network:
        </p>
        <ol>
          <li>
            Save the service's public key:{' '}
            <ActionButton kind="secondary" onClick={saveKey} busyText="Saving…">Save public key (ion-public.pem)</ActionButton>
            {key && <span role="status"> Saved ion-public.pem (key {key}).</span>}
          </li>
          <li>
            On a computer with a copy of this service's software, run{' '}
            <code className="command">npm run audit:verify -- EXPORT-FILE --key ion-public.pem</code> with the name of the saved export in place of EXPORT-FILE
          </li>
          <li>
            It answers <samp>OK: … chain intact, checkpoint … signed …, sealed</samp> when the file is exactly what the service exported,
            or <samp>FAILED at line … (seq …)</samp> naming the first problem.
          </li>
        </ol>
      </div>
    </section>
  );
}
