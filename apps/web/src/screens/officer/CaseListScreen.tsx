import { api, unwrap } from '../../api/client';
import { navigate, useLocation } from '../../router';
import { useUser } from '../../session';
import { Loading, Page, useLoad } from '../../ui';
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
  type SearchRole,
} from '../common/CaseSearch';

/**
 * An officer's own cases ("My cases": the service lists only the cases they wrote), or a supervisor's
 * district ("District cases", opening on the submitted cases waiting for review), searched and filtered.
 * The whole search (words, filters, order, page) is kept in the address, so Back, reload and bookmarks
 * return to the same list.
 */
export function CaseListScreen() {
  const user = useUser();
  const role: SearchRole = user.role === 'SUPERVISOR' ? 'SUPERVISOR' : 'OFFICER';
  const supervisor = role === 'SUPERVISOR';
  const { query } = useLocation();
  const search = readCaseSearch(query, role);
  const key = JSON.stringify(search);

  const go = (s: CaseSearch) => navigate(caseSearchHref('/cases', s, role));

  const list = useLoad(() => loadCases(search, role), [key]);
  // Cases sent back to this officer (by a supervisor, or by a prosecutor asking for more information): they need action.
  const returned = useLoad(
    () =>
      supervisor
        ? Promise.resolve(null)
        : unwrap(api.GET('/api/v1/cases', { params: { query: { status: 'RETURNED', pageSize: 1 } } })),
    [supervisor],
  );
  const title = supervisor
    ? user.district != null
      ? `District ${user.district} cases`
      : 'District cases'
    : 'My cases';
  const returnedCount = returned.data?.total ?? 0;
  const errors = searchFieldErrors(list.error);
  const authorName = search.author ? list.data?.items[0]?.authorName : undefined;
  const filtered = isFiltered(search, role);
  const what = describeSearch(search, authorName);

  return (
    <Page title={title}>
      {supervisor ? (
        <p>
          Cases of your district. The list opens on the cases submitted and waiting for a supervisor's review, the one
          waiting longest first; choose another status to see the rest.
        </p>
      ) : (
        <p>The cases you opened, newest first unless you choose another order.</p>
      )}

      {!supervisor && returnedCount > 0 && (
        <div className="warning" role="status">
          <p>
            <strong>
              {returnedCount === 1
                ? '1 case was returned to you and needs your action.'
                : `${returnedCount} cases were returned to you and need your action.`}
            </strong>{' '}
            A supervisor or a prosecutor sent {returnedCount === 1 ? 'it' : 'them'} back with a note saying what to add
            or correct.
          </p>
          {search.status !== 'RETURNED' && (
            <button
              type="button"
              className="btn secondary"
              onClick={() => go({ ...readCaseSearch(new URLSearchParams(), role), status: 'RETURNED' })}
            >
              Show returned cases
            </button>
          )}
        </div>
      )}

      <CaseSearchForm
        search={search}
        role={role}
        district={user.district}
        errors={errors}
        authorName={authorName}
        onSearch={go}
        onClear={() => navigate('/cases')}
      />

      {list.error ? (
        <SearchError error={list.error} what="the cases" />
      ) : !list.data ? (
        <Loading what="the cases" />
      ) : (
        <CaseResults
          page={list.data}
          search={search}
          role={role}
          userId={user.id}
          caption={`${supervisor ? 'District cases' : 'My cases'}${what ? `: ${what}` : ''}`}
          caseHref={(c) => `/cases/${c.id}`}
          onPage={(n) => go({ ...search, page: n })}
          onAuthor={supervisor ? (c) => go({ ...search, author: c.createdBy, page: 1 }) : undefined}
          empty={
            filtered ? (
              <>
                <p>
                  <strong>No cases match {what}.</strong>
                </p>
                <p>
                  {supervisor ? 'Only your district’s cases are searched.' : 'Only the cases you opened are searched.'}{' '}
                  Try fewer words or filters, or clear the search.
                </p>
              </>
            ) : supervisor ? (
              <p>No submitted cases of your district are waiting for review. Choose another status to see the rest.</p>
            ) : (
              <p>No cases yet. To open one, choose “New case” in the menu at the top.</p>
            )
          }
        />
      )}
    </Page>
  );
}
