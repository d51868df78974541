import { useEffect, useState } from 'react';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { Link } from '../../router';
import type { Role } from '../../session';
import { useUser } from '../../session';
import { age, dateTime, ErrorMessage, Loading, Page } from '../../ui';
import { ATTENTION_QUEUE_WORDS, INTEGRITY_FAILURE_WORDS } from '../../words';

type S = components['schemas'];
type View = S['AttentionView'];
type Queue = S['AttentionQueue'];
type Item = S['AttentionItem'];
type Key = S['AttentionQueueKey'];

/** How often the counts refresh while the tab is visible (none while it is hidden; at once when it shows again). */
export const ATTENTION_REFRESH_MS = 45_000;

/**
 * Loads GET /me/attention: once as the screen opens (`opened`, audited as a view), then every ATTENTION_REFRESH_MS
 * while the tab is visible. The service audits a refresh only when what it shows changed, so the trail records every
 * distinct thing shown without an event per poll. What was shown stays on screen while a refresh is under way.
 */
function useAttention(): { data: View | undefined; error: unknown } {
  const [data, setData] = useState<View>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let live = true;
    let busy = false;
    let timer: number | undefined;
    const load = async (opened: boolean) => {
      if (busy) return;
      busy = true;
      try {
        const v = await unwrap(api.GET('/api/v1/me/attention', { params: { query: opened ? { opened: true } : {} } }));
        if (live) {
          setData(v);
          setError(undefined);
        }
      } catch (e) {
        if (live) setError(e);
      } finally {
        busy = false;
      }
    };
    const schedule = () => {
      window.clearTimeout(timer);
      if (!live || document.hidden) return;
      timer = window.setTimeout(() => void load(false).then(schedule), ATTENTION_REFRESH_MS);
    };
    const onVisibility = () => {
      if (document.hidden) window.clearTimeout(timer);
      else void load(false).then(schedule);
    };
    void load(true).then(schedule);
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      live = false;
      window.clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, []);
  return { data, error };
}

/** Where a queue's count leads: the list it counts, filtered as far as that list's address allows. */
function listHref(key: Key): string {
  switch (key) {
    case 'RETURNED_CASES':
      return '/cases?status=RETURNED';
    case 'INCOMPLETE_DRAFTS':
      return '/cases?status=DRAFT';
    case 'SUBMITTED_WAITING':
    case 'WAITING_OVER_A_DAY':
      return '/cases?sort=updated&order=asc';
    case 'UNCLAIMED_PACKETS':
      return '/review-queue?status=PENDING&sort=oldest';
    case 'PACKETS_NEAR_SLA':
    case 'PACKETS_PAST_SLA':
      return '/review-queue?status=PENDING%2CIN_REVIEW&sort=oldest';
    case 'MY_CLAIMS':
      return '/review-queue?status=IN_REVIEW&sort=oldest';
    case 'LOCKED_ACCOUNTS':
      return '/admin/users';
    default:
      return '/audit';
  }
}

/** Where one item leads, for the role looking at it. */
function itemHref(role: Role, key: Key, i: Item): string | null {
  if (role === 'OFFICER' || role === 'SUPERVISOR') return i.caseId ? `/cases/${i.caseId}` : null;
  if (role === 'PROSECUTOR') return i.id ? `/packets/${i.id}` : null;
  if (role === 'AUDITOR') return key !== 'DENIED_SPIKES' && i.caseId ? `/audit/cases/${i.caseId}` : null;
  return null;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** What one item is, in words. */
function itemText(key: Key, i: Item, now: number): { name: string; detail: string } {
  switch (key) {
    case 'RETURNED_CASES':
      return { name: `Case ${i.caseNumber}`, detail: i.since ? `returned ${age(i.since, now)} ago` : 'returned' };
    case 'INCOMPLETE_DRAFTS':
      return { name: `Case ${i.caseNumber}`, detail: `${plural(i.missing.length, 'item', 'items')} still missing` };
    case 'SUBMITTED_WAITING':
    case 'WAITING_OVER_A_DAY':
      return { name: `Case ${i.caseNumber}`, detail: i.since ? `waiting ${age(i.since, now)}` : 'waiting' };
    case 'UNCLAIMED_PACKETS':
    case 'PACKETS_NEAR_SLA':
    case 'PACKETS_PAST_SLA':
      return {
        name: `Case ${i.caseNumber}`,
        detail: `${i.since ? `sent ${age(i.since, now)} ago, ` : ''}due ${dateTime(i.dueAt)}`,
      };
    case 'MY_CLAIMS':
      return {
        name: `Case ${i.caseNumber}`,
        detail: `claimed ${i.since ? `${age(i.since, now)} ago` : ''}, due ${dateTime(i.dueAt)}`,
      };
    case 'FAILED_VERIFICATIONS':
      return { name: `Evidence of case ${i.caseNumber}`, detail: i.since ? `failed ${dateTime(i.since)}` : 'failed' };
    case 'INTEGRITY_FAILURES':
      return {
        name: i.caseNumber ? `Case ${i.caseNumber}` : 'Audit trail',
        detail: `${INTEGRITY_FAILURE_WORDS[i.action ?? ''] ?? 'Integrity failure'}, ${dateTime(i.since)}`,
      };
    case 'DENIED_SPIKES':
      return {
        name: i.username ?? (i.clientIp ? `Not signed in, from ${i.clientIp}` : 'Not signed in'),
        detail: `${plural(i.deniedLastDay ?? 0, 'refusal', 'refusals')} in 24 hours (usually ${i.deniedDailyAverage ?? 0} a day)`,
      };
    case 'LOCKED_ACCOUNTS':
      return { name: i.username ?? 'An account', detail: `locked until ${dateTime(i.dueAt)}` };
  }
}

function QueueCard({ role, queue, now }: { role: Role; queue: Queue; now: number }) {
  const w = ATTENTION_QUEUE_WORDS[queue.key];
  const id = `q-${queue.key.toLowerCase()}`;
  return (
    <section
      className={`panel attention${queue.count > 0 ? ' has-work' : ''}`}
      aria-labelledby={id}
      data-queue={queue.key}
    >
      <h2 id={id}>
        <Link to={listHref(queue.key)} className="attention-count">
          <span className="count">{queue.count}</span> <span>{w.title}</span>
        </Link>
      </h2>
      <p className="hint">
        {w.explain} <Link to={listHref(queue.key)}>{w.list}</Link>.
      </p>
      {queue.count === 0 ? (
        <p>{w.empty}</p>
      ) : (
        <>
          <ul className="attention-items">
            {queue.items.map((i, n) => {
              const { name, detail } = itemText(queue.key, i, now);
              const href = itemHref(role, queue.key, i);
              return (
                <li key={`${i.id ?? i.clientIp ?? ''}-${n}`}>
                  {href ? <Link to={href}>{name}</Link> : <strong>{name}</strong>}
                  <span className="muted"> · {detail}</span>
                </li>
              );
            })}
          </ul>
          {queue.count > queue.items.length && <p className="muted">and {queue.count - queue.items.length} more.</p>}
        </>
      )}
    </section>
  );
}

/** The landing page of every role: what needs the user now, with counts that refresh without a reload. */
export function HomeScreen() {
  const user = useUser();
  const { data, error } = useAttention();
  const now = data ? Date.parse(data.computedAt) : Date.now();
  return (
    <Page title="What needs you now">
      {error ? (
        <ErrorMessage
          error={error}
          context={data ? 'The counts could not be refreshed' : 'The counts could not be loaded'}
        />
      ) : null}
      {!data ? (
        !error && <Loading what="what needs you" />
      ) : (
        <>
          <p className="muted">
            Counts as of {new Date(data.computedAt).toLocaleTimeString(undefined, { timeStyle: 'short' })}; they refresh
            by themselves while this page is open.
          </p>
          <div className="attention-grid">
            {data.queues.map((q) => (
              <QueueCard key={q.key} role={user.role} queue={q} now={now} />
            ))}
          </div>
        </>
      )}
    </Page>
  );
}
