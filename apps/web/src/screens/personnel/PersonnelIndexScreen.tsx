import { FormEvent, useState } from 'react';
import { api, unwrap } from '../../api/client';
import {
  federalAgencyValues,
  identificationOutcomeValues,
  pathsApiV1FederalPersonnelGetParametersQueryRoleValues as roleValues,
  pathsApiV1FederalPersonnelGetParametersQuerySortValues as sortValues,
  type components,
} from '../../api/schema';
import { Link, navigate, pageParam, useLocation } from '../../router';
import { useUser } from '../../session';
import { dateTime, Loaded, Page, SelectField, TextField, useLoad } from '../../ui';
import { AGENCY_SHORT, OUTCOME_SHORT, PERSONNEL_ROLE_LABELS, PERSONNEL_SORT_LABELS } from '../../words';
import { agencyShort, entryTitle, outcomesWords, plural, rolesWords, scopeWords, type Entry } from './personnel-words';

type S = components['schemas'];
type Agency = S['FederalAgency'];
type Outcome = S['IdentificationOutcome'];
type PRole = (typeof roleValues)[number];
type Sort = (typeof sortValues)[number];

const PAGE_SIZE = 20;

interface Filters {
  q: string;
  agency: Agency | '';
  role: PRole | '';
  outcome: Outcome | '';
  sort: Sort;
  page: number;
}

const pick = <T extends string>(values: readonly T[], v: string | null): T | '' =>
  v !== null && (values as readonly string[]).includes(v) ? (v as T) : '';

/** The filters live in the address (?q=471&agency=ICE_ERO&sort=cases&page=2): reload, Back and links keep them. */
function readFilters(query: URLSearchParams): Filters {
  return {
    q: (query.get('q') ?? '').trim(),
    agency: pick(federalAgencyValues, query.get('agency')),
    role: pick(roleValues, query.get('role')),
    outcome: pick(identificationOutcomeValues, query.get('outcome')),
    sort: pick(sortValues, query.get('sort')) || 'cases',
    page: pageParam(query),
  };
}

function toQuery(f: Filters): string {
  const q = new URLSearchParams();
  if (f.q) q.set('q', f.q);
  if (f.agency) q.set('agency', f.agency);
  if (f.role) q.set('role', f.role);
  if (f.outcome) q.set('outcome', f.outcome);
  if (f.sort !== 'cases') q.set('sort', f.sort);
  if (f.page > 1) q.set('page', String(f.page));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/**
 * The federal personnel index (issue 15): every federal officer recorded on a case in the user's scope,
 * one entry per agency and badge (never merged by name), most cases first. Searchable by name, badge or
 * description (unidentified personnel are found by what was recorded about them); auditors see counts only.
 */
export function PersonnelIndexScreen() {
  const user = useUser();
  const auditor = user.role === 'AUDITOR';
  const { query } = useLocation();
  const f = readFilters(query);
  const [text, setText] = useState(f.q);

  const state = useLoad(
    () =>
      unwrap(
        api.GET('/api/v1/federal-personnel', {
          params: {
            query: {
              q: !auditor && f.q ? f.q : undefined,
              agency: f.agency || undefined,
              role: f.role || undefined,
              outcome: f.outcome || undefined,
              sort: f.sort,
              page: f.page,
              pageSize: PAGE_SIZE,
            },
          },
        }),
      ),
    [f.q, f.agency, f.role, f.outcome, f.sort, f.page],
  );

  const go = (next: Partial<Filters>) =>
    navigate(`/federal-personnel${toQuery({ ...f, page: 1, ...next })}`, { replace: true });
  const search = (e: FormEvent) => {
    e.preventDefault();
    go({ q: text.trim() });
  };

  return (
    <Page title="Federal personnel">
      <p>
        Every federal officer recorded in {scopeWords(user)}. Records with the same agency and badge are one entry;
        nothing is merged by name. A person can be recognised across records only by a link a user makes, with a reason.
      </p>
      <form role="search" aria-label="Search the federal personnel" className="filter-grid" onSubmit={search}>
        {!auditor && (
          <TextField
            label="Name, badge or description"
            value={text}
            onChange={setText}
            maxLength={200}
            hint={
              'Words, "a phrase" or the start of a word followed by *. Badges match however they were written (0471, #471).'
            }
          />
        )}
        <SelectField
          label="Agency"
          value={f.agency}
          options={federalAgencyValues}
          labels={AGENCY_SHORT}
          placeholder="Every agency"
          onChange={(v) => go({ agency: v })}
        />
        <SelectField
          label="Recorded as"
          value={f.role}
          options={roleValues}
          labels={PERSONNEL_ROLE_LABELS}
          placeholder="Supervisor or agent"
          onChange={(v) => go({ role: v })}
        />
        <SelectField
          label="Identification outcome"
          value={f.outcome}
          options={identificationOutcomeValues}
          labels={OUTCOME_SHORT}
          placeholder="Any outcome"
          onChange={(v) => go({ outcome: v })}
        />
        <SelectField
          label="Order"
          value={f.sort}
          options={sortValues}
          labels={PERSONNEL_SORT_LABELS}
          placeholder="Most cases first"
          onChange={(v) => go({ sort: v || 'cases' })}
        />
        {!auditor && (
          <div className="field">
            <button type="submit" className="btn primary">
              Search
            </button>
          </div>
        )}
      </form>

      <Loaded state={state} what="the federal personnel">
        {(p) => (
          <>
            <p className="result-summary" role="status">
              {p.total === 0
                ? `No federal personnel${f.q ? ` match “${f.q}”` : ''} in your scope.`
                : `${plural(p.total, 'entry', 'entries')}${f.q ? ` match “${f.q}”` : ''}, ${PERSONNEL_SORT_LABELS[p.sort].toLowerCase()}`}
            </p>
            {p.items.length > 0 && (
              <ul className="person-list" aria-label="Federal personnel">
                {p.items.map((e) => (
                  <EntryCard key={e.id} e={e} auditor={auditor} />
                ))}
              </ul>
            )}
            <Pager page={p.page} total={p.total} pageSize={p.pageSize} onPage={(n) => go({ page: n })} />
          </>
        )}
      </Loaded>
    </Page>
  );
}

function EntryCard({ e, auditor }: { e: Entry; auditor: boolean }) {
  return (
    <li className="person-card">
      <h2>
        <Link to={`/federal-personnel/${e.id}`}>{entryTitle(e)}</Link>
      </h2>
      <p className="person-counts">
        <strong>{plural(e.caseCount, 'case')}</strong>
        {e.recordCount !== e.caseCount && <> · {plural(e.recordCount, 'record')}</>}
        {e.linkCount > 0 && <> · linked to {plural(e.linkCount, 'other entry', 'other entries')}</>}
      </p>
      <dl className="facts">
        <dt>Agency</dt>
        <dd>{agencyShort(e.agency)}</dd>
        {!auditor && e.badges && e.badges.length > 0 && (
          <>
            <dt>Badge as recorded</dt>
            <dd>{e.badges.join(', ')}</dd>
          </>
        )}
        {!auditor && e.descriptions && e.descriptions.length > 0 && (
          <>
            <dt>Described as</dt>
            <dd>{e.descriptions.join(' · ')}</dd>
          </>
        )}
        <dt>Recorded as</dt>
        <dd>{rolesWords(e.roles)}</dd>
        <dt>Identification</dt>
        <dd>{outcomesWords(e.outcomes)}</dd>
        <dt>Latest incident</dt>
        <dd>{dateTime(e.lastIncidentAt)}</dd>
      </dl>
      {!e.groupedByBadge && (
        <p className="muted">
          One record of one case (no badge or no specific agency recorded, so never merged with others).
        </p>
      )}
    </li>
  );
}

function Pager({
  page,
  total,
  pageSize,
  onPage,
}: {
  page: number;
  total: number;
  pageSize: number;
  onPage: (n: number) => void;
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (pages === 1 && page === 1) return null;
  return (
    <nav className="pager" aria-label="Pages of the federal personnel">
      <button type="button" className="btn secondary" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous page
      </button>
      <span>
        Page {page} of {pages}
      </span>
      <button type="button" className="btn secondary" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next page
      </button>
    </nav>
  );
}
