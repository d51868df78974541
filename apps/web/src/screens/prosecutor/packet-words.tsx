import type { components } from '../../api/schema';
import { age, dateTime } from '../../ui';

type PacketView = components['schemas']['PacketView'];

/** How long the packet has waited: from sending until the decision, or until now while undecided. */
export function packetAge(p: PacketView): string {
  return age(p.sentAt, p.review.decidedAt ? Date.parse(p.review.decidedAt) : Date.now());
}

/** The SLA in words, with a badge that says (not only shows) when it is breached. */
export function SlaStatus({ packet }: { packet: PacketView }) {
  const { sla } = packet;
  return (
    <>
      {sla.breached ? (
        <span className="badge breach">SLA breached</span>
      ) : (
        <span className="badge ok">{packet.status === 'DECIDED' ? 'Decided within SLA' : 'Within SLA'}</span>
      )}
      <br />
      <span className="muted">
        {packet.status === 'DECIDED' ? 'was due' : 'due'} {dateTime(sla.dueAt)} ({sla.days}-day SLA)
      </span>
    </>
  );
}
