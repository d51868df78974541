import { FormEvent, useEffect, useState } from 'react';
import { api, ApiError, unwrap } from '../../api/client';
import { packetStatusValues, type components } from '../../api/schema';
import { Link, navigate, pageParam, useLocation } from '../../router';
import { useUser } from '../../session';
import {
  ActionButton,
  Checkbox,
  dateTime,
  ErrorMessage,
  Loading,
  Page,
  SelectField,
  StatusBadge,
  TextField,
  useLoad,
} from '../../ui';
import { SearchError, searchFieldErrors } from '../common/CaseSearch';
import { packetAge, SlaStatus } from './packet-words';
import { OFFICE_NAMES } from '../../words';

type PacketStatus = components['schemas']['PacketStatus'];
type PacketView = components['schemas']['PacketView'];
type Sort = components['schemas']['ReviewQueuePage']['sort'];

const PAGE_SIZE = 20;
/** The API's default: the open queue. */
const OPEN: PacketStatus[] = ['PENDING', 'IN_REVIEW'];
const STATUS_WORDS: Record<PacketStatus, string> = {
  PENDING: 'Pending (not claimed)',
  IN_REVIEW: 'In review',
  DECIDED: 'Decided',
};
const SORT_WORDS: Record<Sort, string> = { oldest: 'Oldest first', newest: 'Newest first' };

interface Filters {
  status: PacketStatus[];
  sort: Sort;
  page: number;
  q: string;
}

/** The filters live in the address (?q=grey%20van&status=PENDING,IN_REVIEW&sort=oldest&page=2): reload and back keep them. */
function readFilters(query: URLSearchParams): Filters {
  const raw = query.get('status');
  const status = raw === null ? OPEN : packetStatusValues.filter((s) => raw.split(',').includes(s));
  const sort: Sort = query.get('sort') === 'newest' ? 'newest' : 'oldest';
  const page = pageParam(query);
  return { status, sort, page, q: query.get('q') ?? '' };
}

/**
 * The office's review queue: packets sent to this prosecutor's office, oldest first by default, with
 * their age and SLA. A pending packet can be claimed from here; the claim is atomic, so when someone
 * else was quicker the queue says so and shows who holds it now.
 */
export function QueueScreen() {
  const user = useUser();
  const { query } = useLocation();
  const { status, sort, page, q: words } = readFilters(query);
  const [typed, setTyped] = useState(words);
  useEffect(() => setTyped(words), [words]);
  const [message, setMessage] = useState<string | null>(null);
  const [claimError, setClaimError] = useState<{ error: unknown; text: string } | null>(null);

  const state = useLoad(
    () =>
      status.length === 0
        ? Promise.resolve(null)
        : unwrap(
            api.GET('/api/v1/review-queue', {
              params: {
                query: { status, sort, page, pageSize: PAGE_SIZE, ...(words.trim() ? { q: words.trim() } : {}) },
              },
            }),
          ),
    [status.join(','), sort, page, words],
  );

  /** A new search is a new entry in the history (Back returns to the one before); paging and ordering replace it. */
  const setFilters = (next: Partial<Filters>, opts: { push?: boolean } = {}) => {
    const f = { status, sort, page: 1, q: words, ...next };
    const q = new URLSearchParams({
      ...(f.q.trim() ? { q: f.q.trim() } : {}),
      status: f.status.join(','),
      sort: f.sort,
      page: String(f.page),
    });
    setMessage(null);
    setClaimError(null);
    navigate(`/review-queue?${q}`, { replace: !opts.push });
  };
  const search = (e: FormEvent) => {
    e.preventDefault();
    setFilters({ q: typed }, { push: true });
  };
  const errors = searchFieldErrors(state.error);
  const shown = listWords(status.map((s) => STATUS_WORDS[s].split(' (')[0].toLowerCase())).toLowerCase();

  const claim = async (p: PacketView) => {
    setMessage(null);
    setClaimError(null);
    try {
      await unwrap(api.POST('/api/v1/packets/{id}/claim', { params: { path: { id: p.id } }, body: {} }));
      setMessage(
        `You claimed packet version ${p.version} of case ${p.caseNumber}. It is now in review by you: open it to read the packet and record a decision.`,
      );
    } catch (e) {
      const taken = e instanceof ApiError && e.status === 409;
      setClaimError({
        error: e,
        text: taken
          ? `Someone else claimed packet version ${p.version} of case ${p.caseNumber} before you did, so it is not yours to review. The queue has been reloaded and shows who holds it now.`
          : `Could not claim packet version ${p.version} of case ${p.caseNumber}.`,
      });
    }
    state.reload();
  };

  /** Issue 16: one's own claim goes back to the queue (reversible: it can be claimed again, so it does not ask). */
  const release = async (p: PacketView) => {
    setMessage(null);
    setClaimError(null);
    try {
      await unwrap(api.POST('/api/v1/packets/{id}/release', { params: { path: { id: p.id } }, body: {} }));
      setMessage(
        `You released packet version ${p.version} of case ${p.caseNumber}. It is back in the queue, unclaimed. To hand it to a colleague instead, open the packet.`,
      );
    } catch (e) {
      setClaimError({
        error: e,
        text: `Could not release packet version ${p.version} of case ${p.caseNumber}: ${e instanceof Error ? e.message : 'the service refused'}`,
      });
    }
    state.reload();
  };

  const office = user.office ? OFFICE_NAMES[user.office] : 'your office';
  return (
    <Page title="Review queue">
      <p>
        Evidence packets sent to {office}. Each one is signed by the police department; claim one to review it and
        record a decision.
      </p>

      <form onSubmit={search} noValidate role="search" aria-label="Search the review queue" className="search-row">
        <TextField
          label="Search the packets"
          value={typed}
          onChange={setTyped}
          maxLength={200}
          error={errors.q}
          hint={
            'Words from what the packets say: case number, narrative, place, federal personnel (names, badges, vehicles), violations, evidence. Use "quotes" for a phrase, word* for the start of a word.'
          }
        />
        <button type="submit" className="btn primary">
          Search
        </button>
        {words && (
          <button type="button" className="btn secondary" onClick={() => setFilters({ q: '' }, { push: true })}>
            Clear the search
          </button>
        )}
      </form>

      <div className="queue-filters" role="group" aria-label="Filter and order the queue">
        <fieldset className="field">
          <legend>Show packets that are</legend>
          {packetStatusValues.map((s) => (
            <Checkbox
              key={s}
              label={STATUS_WORDS[s]}
              checked={status.includes(s)}
              onChange={(on) =>
                setFilters({ status: packetStatusValues.filter((x) => (x === s ? on : status.includes(x))) })
              }
            />
          ))}
        </fieldset>
        <SelectField
          label="Order by time sent"
          value={sort}
          options={['oldest', 'newest'] as const}
          labels={SORT_WORDS}
          placeholder="Oldest first (default)"
          onChange={(v) => setFilters({ sort: v || 'oldest' })}
        />
      </div>

      {message && (
        <div className="success" role="status">
          <p>{message}</p>
        </div>
      )}
      {claimError && (
        <div role="alert" className="error">
          <p>
            <strong>{claimError.text}</strong>
          </p>
          {!(claimError.error instanceof ApiError && claimError.error.status === 409) && (
            <ErrorMessage error={claimError.error} />
          )}
        </div>
      )}

      {status.length === 0 ? (
        <p className="warning">Choose at least one status above to see packets.</p>
      ) : state.error ? (
        <SearchError error={state.error} what="the review queue" />
      ) : !state.data ? (
        <Loading what="the review queue" />
      ) : (
        (() => {
          const q = state.data;
          return (
            <>
              {q.items.length === 0 ? (
                <div role="status">
                  {words ? (
                    <p>
                      <strong>
                        No {shown} packets sent to {office} match “{words}”.
                      </strong>{' '}
                      The search reads what the packets' signed manifests say; try other words, or tick more statuses
                      above.
                    </p>
                  ) : (
                    <p>No packets match these filters.</p>
                  )}
                </div>
              ) : (
                <table className="stack packets">
                  <caption>
                    {listWords(q.status.map((s) => STATUS_WORDS[s].split(' (')[0].toLowerCase()))} packets
                    {words ? ` matching “${words}”` : ''}, {SORT_WORDS[q.sort].toLowerCase()}: {q.total} in all
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">Case number</th>
                      <th scope="col">Packet version</th>
                      <th scope="col">Age</th>
                      <th scope="col">SLA</th>
                      <th scope="col">Status</th>
                      <th scope="col">Claimed by</th>
                      <th scope="col">Action</th>
                    </tr>
                  </thead>
                  <tbody>
                    {q.items.map((p) => (
                      <tr key={p.id}>
                        <td data-label="Case number">
                          <Link to={`/packets/${p.id}`}>{p.caseNumber}</Link>
                          {p.felony && (
                            <>
                              <br />
                              <span className="muted">felony</span>
                            </>
                          )}
                        </td>
                        <td data-label="Packet version">v{p.version}</td>
                        <td data-label="Age">
                          {packetAge(p)}
                          <br />
                          <span className="muted">sent {dateTime(p.sentAt)}</span>
                        </td>
                        <td data-label="SLA">
                          <SlaStatus packet={p} />
                        </td>
                        <td data-label="Status">
                          <StatusBadge status={p.status} />
                        </td>
                        <td data-label="Claimed by">
                          {p.review.claimedByName ? (
                            <>
                              {p.review.claimedBy === user.id ? 'You' : p.review.claimedByName}
                              <br />
                              <span className="muted">{dateTime(p.review.claimedAt)}</span>
                            </>
                          ) : (
                            '—'
                          )}
                        </td>
                        <td data-label="Action">
                          {p.status === 'PENDING' ? (
                            <ActionButton kind="secondary" onClick={() => claim(p)} busyText="Claiming…">
                              Claim {p.caseNumber} v{p.version}
                            </ActionButton>
                          ) : p.status === 'IN_REVIEW' && p.review.claimedBy === user.id ? (
                            <ActionButton kind="secondary" onClick={() => release(p)} busyText="Releasing…">
                              Release {p.caseNumber} v{p.version}
                            </ActionButton>
                          ) : (
                            '—'
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              <Pager page={q.page} total={q.total} pageSize={q.pageSize} onPage={(n) => setFilters({ page: n })} />
            </>
          );
        })()
      )}
    </Page>
  );
}

/** ['pending', 'in review'] -> "Pending and in review". */
function listWords(words: string[]): string {
  const text = words.length > 1 ? `${words.slice(0, -1).join(', ')} and ${words.at(-1)}` : (words[0] ?? '');
  return text.charAt(0).toUpperCase() + text.slice(1);
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
    <nav className="pager" aria-label="Queue pages">
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
