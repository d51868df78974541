import { api, unwrap } from '../../api/client';
import { caseStatusValues, type components } from '../../api/schema';
import { Link, navigate, pageParam, useLocation } from '../../router';
import { useUser } from '../../session';
import { age, dateTime, label, Loaded, Page, SelectField, StatusBadge, useLoad } from '../../ui';
import { ACTIVITY_LABELS, AGENCY_SHORT } from '../../words';

type CaseStatus = components['schemas']['CaseStatus'];
type CaseSummary = components['schemas']['CaseListItem'];

const PAGE_SIZE = 20;
/** In the address: `?status=ALL` is an explicit "every status" (a supervisor's list otherwise opens on SUBMITTED). */
const ALL = 'ALL';

/**
 * An officer's own cases ("My cases": the service lists only the cases they wrote), or a supervisor's
 * district ("District cases", opening on the submitted cases waiting for review). Newest first; the
 * status filter and the page are kept in the address, so Back and bookmarks return to the same list.
 */
export function CaseListScreen() {
  const user = useUser();
  const supervisor = user.role === 'SUPERVISOR';
  const { query } = useLocation();
  const raw = query.get('status');
  const status: CaseStatus | '' =
    raw === null ? (supervisor ? 'SUBMITTED' : '') : (caseStatusValues as readonly string[]).includes(raw) ? (raw as CaseStatus) : '';
  const page = pageParam(query);

  const go = (s: CaseStatus | '', p: number) => navigate(`/cases?status=${s || ALL}${p > 1 ? `&page=${p}` : ''}`);

  const list = useLoad(
    () => unwrap(api.GET('/api/v1/cases', { params: { query: { status: status || undefined, page, pageSize: PAGE_SIZE } } })),
    [status, page],
  );
  // Cases sent back to this officer (by a supervisor, or by a prosecutor asking for more information): they need action.
  const returned = useLoad(
    () => (supervisor ? Promise.resolve(null) : unwrap(api.GET('/api/v1/cases', { params: { query: { status: 'RETURNED', pageSize: 1 } } }))),
    [supervisor],
  );
  const title = supervisor ? (user.district != null ? `District ${user.district} cases` : 'District cases') : 'My cases';
  const returnedCount = returned.data?.total ?? 0;

  return (
    <Page title={title}>
      {supervisor
        ? <p>Cases of your district. The list opens on the cases submitted and waiting for a supervisor's review; choose another status to see the rest.</p>
        : <p>The cases you opened, newest first.</p>}

      {!supervisor && returnedCount > 0 && (
        <div className="warning" role="status">
          <p>
            <strong>{returnedCount === 1 ? '1 case was returned to you and needs your action.' : `${returnedCount} cases were returned to you and need your action.`}</strong>{' '}
            A supervisor or a prosecutor sent {returnedCount === 1 ? 'it' : 'them'} back with a note saying what to add or correct.
          </p>
          {status !== 'RETURNED' && (
            <button type="button" className="btn secondary" onClick={() => go('RETURNED', 1)}>Show returned cases</button>
          )}
        </div>
      )}

      <div className="filters">
        <SelectField label="Status" value={status} onChange={(v) => go(v, 1)} options={caseStatusValues} placeholder="All statuses" />
      </div>

      <Loaded state={list} what="the cases">
        {(p) => <CaseTable page={p} status={status} supervisor={supervisor} userId={user.id} onPage={(n) => go(status, n)} />}
      </Loaded>
    </Page>
  );
}

function CaseTable({ page, status, supervisor, userId, onPage }: {
  page: components['schemas']['CasePage']; status: CaseStatus | ''; supervisor: boolean; userId: string; onPage: (n: number) => void;
}) {
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
  const which = status ? `${label(status).toLowerCase()} ` : '';
  if (page.total === 0) {
    return (
      <p role="status">
        {status ? `No ${which}cases.` : 'No cases yet.'}{' '}
        {!supervisor && !status && 'To open one, choose “New case” in the menu at the top.'}
      </p>
    );
  }
  const from = (page.page - 1) * page.pageSize + 1;
  const to = Math.min(page.total, from + page.items.length - 1);
  return (
    <>
      <p role="status" className="muted">
        {page.items.length === 0 ? `No ${which}cases on page ${page.page}.` : `Showing ${from}–${to} of ${page.total} ${which}${page.total === 1 ? 'case' : 'cases'}.`}
      </p>
      {page.items.length > 0 && (
        <table>
          <caption>{supervisor ? 'District cases' : 'My cases'}{status ? ` with status ${label(status)}` : ''}, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Case number</th>
              <th scope="col">Status</th>
              <th scope="col">Opened</th>
              <th scope="col">Incident</th>
              {supervisor && <th scope="col">Submitted</th>}
              <th scope="col">Last update</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((c) => <CaseRow key={c.id} c={c} supervisor={supervisor} mine={c.createdBy === userId} />)}
          </tbody>
        </table>
      )}
      {pages > 1 && (
        <nav aria-label="Pages of the case list" className="pager">
          <button type="button" className="btn secondary" disabled={page.page <= 1} onClick={() => onPage(page.page - 1)}>Previous page</button>
          <span>Page {page.page} of {pages}</span>
          <button type="button" className="btn secondary" disabled={page.page >= pages} onClick={() => onPage(page.page + 1)}>Next page</button>
        </nav>
      )}
    </>
  );
}

function CaseRow({ c, supervisor, mine }: { c: CaseSummary; supervisor: boolean; mine: boolean }) {
  return (
    <tr className={c.status === 'RETURNED' && mine ? 'needs-action' : undefined}>
      <td>
        <Link to={`/cases/${c.id}`}>{c.caseNumber}</Link>
        {supervisor && mine && <><br /><span className="muted">Opened by you</span></>}
      </td>
      <td>
        <StatusBadge status={c.status} />
        {c.status === 'RETURNED' && mine && <><br /><strong className="action-needed">Needs your action</strong></>}
        {c.status === 'SUBMITTED' && supervisor && !mine && <><br /><span className="muted">Waiting for review</span></>}
      </td>
      <td>
        <time dateTime={c.createdAt}>{dateTime(c.createdAt)}</time>
        <br /><span className="muted">{age(c.createdAt)} ago</span>
      </td>
      <td>
        {c.incidentAt ? <time dateTime={c.incidentAt}>{dateTime(c.incidentAt)}</time> : <span className="muted">Time not recorded yet</span>}
        <br />
        {c.activityType ? ACTIVITY_LABELS[c.activityType] : <span className="muted">Activity not recorded yet</span>}
        {c.agencies.length > 0 && <span className="muted"> · {c.agencies.map((a) => AGENCY_SHORT[a]).join(', ')}</span>}
      </td>
      {supervisor && (
        <td>
          {c.submittedAt
            ? <><time dateTime={c.submittedAt}>{dateTime(c.submittedAt)}</time><br /><span className="muted">{age(c.submittedAt)} ago</span></>
            : <span className="muted">Not submitted</span>}
        </td>
      )}
      <td><time dateTime={c.updatedAt}>{dateTime(c.updatedAt)}</time></td>
    </tr>
  );
}
