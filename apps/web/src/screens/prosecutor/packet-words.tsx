import { ApiError } from '../../api/client';
import type { components } from '../../api/schema';
import { age, dateTime, ErrorMessage } from '../../ui';

type Office = components['schemas']['ProsecutorOffice'];
type Decision = components['schemas']['PacketDecision'];
type PacketView = components['schemas']['PacketView'];

/** The prosecuting offices, by name (the code stays visible: it is what the records say). */
export const OFFICE_NAMES: Record<Office, string> = {
  CCSAO: "Cook County State's Attorney (CCSAO)",
  CITY_LAW: 'City of Chicago Department of Law (CITY_LAW)',
};

export const DECISION_NAMES: Record<Decision, string> = {
  CHARGES_FILED: 'Charges filed',
  DECLINED: 'Declined to prosecute',
  REFERRED_ELSEWHERE: 'Referred elsewhere',
  MORE_INFO_REQUESTED: 'More information requested',
};

/** How long the packet has waited: from sending until the decision, or until now while undecided. */
export function packetAge(p: PacketView): string {
  return age(p.sentAt, p.review.decidedAt ? Date.parse(p.review.decidedAt) : Date.now());
}

/** The SLA in words, with a badge that says (not only shows) when it is breached. */
export function SlaStatus({ packet }: { packet: PacketView }) {
  const { sla } = packet;
  return (
    <>
      {sla.breached
        ? <span className="badge breach">SLA breached</span>
        : <span className="badge ok">{packet.status === 'DECIDED' ? 'Decided within SLA' : 'Within SLA'}</span>}
      <br />
      <span className="muted">{packet.status === 'DECIDED' ? 'was due' : 'due'} {dateTime(sla.dueAt)} ({sla.days}-day SLA)</span>
    </>
  );
}

/**
 * An action's failure above the action. When the record changed meanwhile (a stale version, or
 * another person already moved it on), a button reloads it, so the person can look again first.
 */
export function ActionError({ error, context, onReload, reloadText = 'Reload' }: { error: unknown; context?: string; onReload?: () => void; reloadText?: string }) {
  if (!error) return null;
  const stale = error instanceof ApiError && (['VERSION.CONFLICT', 'CASE.INVALID_TRANSITION', 'RESOURCE.CONFLICT'] as string[]).includes(error.code);
  return (
    <>
      <ErrorMessage error={error} context={context} />
      {stale && onReload && (
        <p><button type="button" className="btn secondary" onClick={onReload}>{reloadText}</button></p>
      )}
    </>
  );
}
