import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { Link } from '../../router';
import { Loaded, Page, useLoad } from '../../ui';
import {
  STATISTICS_CATEGORY_LABELS,
  STATISTICS_TABLE_NOTES,
  STATISTICS_TABLE_TITLES,
  SUPPRESSION_EXPLAINED,
  SUPPRESSION_WORDS,
} from '../../words';

type Statistics = components['schemas']['PublicStatistics'];
type Table = components['schemas']['StatisticsTable'];
type Cell = components['schemas']['StatisticsCell'];

export const STATISTICS_CSV = '/api/v1/public/statistics?format=csv';

/** "September 2026" for "2026-09". */
function monthName(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, 15)).toLocaleDateString('en-US', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

function chicagoTime(iso: string): string {
  return (
    new Date(iso).toLocaleString('en-US', { dateStyle: 'long', timeStyle: 'short', timeZone: 'America/Chicago' }) +
    ' (Chicago time)'
  );
}

function CellText({ cell }: { cell: Cell }) {
  if (!cell.suppressed) return <>{cell.count}</>;
  return (
    <span
      className={`withheld ${cell.suppressed === 'FEWER_THAN_10' ? 'small' : 'complementary'}`}
      title={SUPPRESSION_EXPLAINED[cell.suppressed]}
    >
      {SUPPRESSION_WORDS[cell.suppressed]}
    </span>
  );
}

function StatisticsTable({ table }: { table: Table }) {
  const words = STATISTICS_CATEGORY_LABELS[table.id];
  const headingId = `stats-${table.id}`;
  return (
    <section aria-labelledby={headingId} className="statistics-table">
      <h2 id={headingId}>{STATISTICS_TABLE_TITLES[table.id]}</h2>
      <p className="muted">{STATISTICS_TABLE_NOTES[table.id]}</p>
      {/* Focusable, so a keyboard can scroll a table wider than the screen. */}
      <div className="table-scroll" tabIndex={0} role="group" aria-labelledby={headingId}>
        <table className="compact statistics" data-table={table.id}>
          <thead>
            <tr>
              <th scope="col">Month of referral</th>
              {table.categories.map((c) => (
                <th scope="col" key={c}>
                  {words[c] ?? 'Other'}
                </th>
              ))}
              <th scope="col">{table.unit === 'CASES' ? 'All cases' : 'All agencies'}</th>
            </tr>
          </thead>
          <tbody>
            {table.rows.map((r) => (
              <tr key={r.month}>
                <th scope="row">{monthName(r.month)}</th>
                {r.cells.map((c, i) => (
                  <td key={table.categories[i]}>
                    <CellText cell={c} />
                  </td>
                ))}
                <td className="total">
                  <CellText cell={r.total} />
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">All months</th>
              {table.columnTotals.map((c, i) => (
                <td key={table.categories[i]} className="total">
                  <CellText cell={c} />
                </td>
              ))}
              <td className="total">
                <CellText cell={table.total} />
              </td>
            </tr>
          </tfoot>
        </table>
      </div>
    </section>
  );
}

/**
 * Public statistics, open to anyone (no sign-in): the cases the police department referred to
 * prosecutors under the order, by month. Small numbers are never shown, nor numbers that would let
 * someone work a small one out.
 */
export function StatisticsScreen({ signedIn }: { signedIn: boolean }) {
  const state = useLoad(() => unwrap(api.GET('/api/v1/public/statistics', {})) as Promise<Statistics>, []);
  return (
    <Page title="Public statistics: cases referred to prosecutors">
      <p>
        Cases the Chicago Police Department sent to prosecutors (the Cook County State’s Attorney or the City’s
        Department of Law) under Executive Order 2026-01, counted by the month a case was first sent. Complete months
        only. Nothing here identifies a person, a place or a case.
      </p>
      <p>
        <strong>No number below 10 is shown:</strong> it reads “{SUPPRESSION_WORDS.FEWER_THAN_10}”. Some larger numbers
        read “{SUPPRESSION_WORDS.COMPLEMENTARY}”: they are 10 or more, and are held back so that a small number cannot
        be worked out by subtracting the other numbers from a total.
      </p>
      <Loaded state={state} what="the statistics">
        {(s) => (
          <>
            <p className="computed-at">
              Counted on <time dateTime={s.computedAt}>{chicagoTime(s.computedAt)}</time>.
            </p>
            <p>
              <a className="btn secondary" href={STATISTICS_CSV} download>
                Download these tables (CSV)
              </a>
            </p>
            {s.tables.length === 0 || s.tables[0].rows.length === 0 ? (
              <p>No complete month has any referral yet.</p>
            ) : (
              s.tables.map((t) => <StatisticsTable key={t.id} table={t} />)
            )}
          </>
        )}
      </Loaded>
      <p>{signedIn ? <Link to="/">Back to the case console</Link> : <Link to="/">Sign in to the case console</Link>}</p>
    </Page>
  );
}
