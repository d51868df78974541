import { Fragment } from 'react';
import { auditActionValues, type components } from '../../api/schema';
import { Hash } from '../../ui';
import { AUDIT_ACTION_WORDS, AUDIT_DETAIL_WORDS, AUDIT_OUTCOME_WORDS, ERROR_WORDS } from '../../words';

/*
 * An audit event's recorded details as labelled fields, in words: the auditor's log and the case timeline's raw
 * events show them the same way (issue 16: details as labelled fields, never raw JSON or codes).
 */

type AuditAction = components['schemas']['AuditAction'];
type Outcome = components['schemas']['AuditOutcome'];

export const isAction = (v: string): v is AuditAction => (auditActionValues as readonly string[]).includes(v);
const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** "consecutiveFailures" or "actual_sha256" as a label: "Consecutive failures", "Actual sha256". */
export function humanise(key: string): string {
  const s = key
    .replace(/[_.-]+/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .trim()
    .toLowerCase();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A recorded value as text: known codes in words, lists joined, nested facts as their own labelled list. Never JSON. */
function DetailValue({ name, value }: { name: string; value: unknown }) {
  if (value === null || value === undefined || value === '') return <span className="muted">none</span>;
  if (typeof value === 'boolean') return <>{value ? 'Yes' : 'No'}</>;
  if (typeof value === 'number') return <>{value.toLocaleString()}</>;
  if (typeof value === 'string') {
    if (name === 'action' && isAction(value)) return <>{AUDIT_ACTION_WORDS[value]}</>;
    // What a refused request tried to do: the route's permission, worded as the failed attempt it names.
    if (name === 'attempted' && isAction(value))
      return <>{capitalise(AUDIT_ACTION_WORDS[value].replace(/^Failed: /, ''))}</>;
    if (name === 'outcome' && value in AUDIT_OUTCOME_WORDS) return <>{AUDIT_OUTCOME_WORDS[value as Outcome]}</>;
    if (name === 'code' && value in ERROR_WORDS) return <>{ERROR_WORDS[value as keyof typeof ERROR_WORDS]}</>;
    if (/^[0-9a-f]{64}$/.test(value)) return <Hash value={value} />;
    // A code-like value (out_of_scope, same_password) in words; any other text as it was recorded.
    return <span className="detail-text">{/^[a-z]+(_[a-z]+)+$/.test(value) ? humanise(value) : value}</span>;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="muted">none</span>;
    if (value.every((v) => v === null || typeof v !== 'object'))
      return <>{value.map((v) => (v === null ? 'none' : String(v))).join(', ')}</>;
    return (
      <ol className="detail-list">
        {value.map((v, i) => (
          <li key={i}>
            <DetailValue name={name} value={v} />
          </li>
        ))}
      </ol>
    );
  }
  if (typeof value === 'object') return <Details details={value as Record<string, unknown>} />;
  return <>{String(value)}</>;
}

/** The event's recorded facts as labelled fields (words for the keys the service writes; other keys humanised). */
export function Details({ details }: { details: Record<string, unknown> }) {
  const keys = Object.keys(details);
  if (!keys.length) return <span className="muted">none</span>;
  return (
    <dl className="facts details">
      {keys.map((k) => (
        <Fragment key={k}>
          <dt>{AUDIT_DETAIL_WORDS[k] ?? humanise(k)}</dt>
          <dd>
            <DetailValue name={k} value={details[k]} />
          </dd>
        </Fragment>
      ))}
    </dl>
  );
}
