import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';

/**
 * Crafted referrals for the public statistics (issue 15 §5): n cases first sent in `month`, whose latest
 * packet's manifest says this activity, supervisor outcome and agencies, and whose decision is this one
 * (AWAITING_DECISION: still PENDING). Written straight into the database by the owner, like the benches do:
 * hundreds of cases through the API would take minutes and prove nothing more about counting.
 */
export interface ReferralGroup {
  month: string;
  n: number;
  decision: string;
  activity: string;
  outcome: string;
  agencies: string[];
}

let seq = 0;

export async function craftReferrals(
  owner: Pool,
  g: ReferralGroup,
  people: { officerId: string; supervisorId: string },
  opts: { resentIn?: string } = {},
): Promise<void> {
  for (let i = 0; i < g.n; i++) {
    seq++;
    const caseNumber = `ION-2026-9${String(seq).padStart(5, '0')}${randomUUID().slice(0, 4)}`.slice(0, 20);
    const {
      rows: [c],
    } = await owner.query(
      `INSERT INTO cases (case_number, status, district, created_by) VALUES ($1, 'REFERRED', 1, $2) RETURNING id`,
      [caseNumber, people.officerId],
    );
    const manifest = (activity: string) =>
      JSON.stringify({
        case: {
          id: c.id,
          caseNumber,
          district: 1,
          incidentLocation: '1 crafted St',
          activityType: activity,
          agencies: g.agencies,
        },
        federalOfficers: [
          {
            isSupervisor: true,
            name: 'Crafted Name',
            badgeNumber: `CR-${seq}`,
            agency: g.agencies[0],
            identificationOutcome: g.outcome,
          },
        ],
      });
    const insert = async (version: number, previous: string | null, sentAt: string, m: string, decision: string) => {
      const id = randomUUID();
      const decided = decision !== 'AWAITING_DECISION';
      await owner.query(
        `INSERT INTO packets (id, case_id, case_number, version, previous_packet_id, office, felony, status, sent_by, sent_at, manifest,
           manifest_sha256, signature, key_id, public_key_pem, storage_bucket, manifest_key, signature_key, evidence_count, evidence_bytes,
           claimed_by, claimed_at, decision, decision_reason, decided_by, decided_at)
         VALUES ($1::uuid, $2, $3, $4, $5, 'CCSAO', false, $6, $7, $8, $9::text, encode(sha256(convert_to($9::text, 'UTF8')), 'hex'), 'c2ln', 'crafted', 'pem',
           'crafted', 'crafted/' || $1::text || '/manifest.json', 'crafted/' || $1::text || '/manifest.sig', 0, 0,
           $10, $11, $12, $13, $10, $11)`,
        [
          id,
          c.id,
          caseNumber,
          version,
          previous,
          decided ? 'DECIDED' : 'PENDING',
          people.supervisorId,
          sentAt,
          m,
          decided ? people.supervisorId : null,
          decided ? sentAt : null,
          decided ? decision : null,
          decided ? 'crafted decision' : null,
        ],
      );
      return id;
    };
    const sent = `${g.month}-15T12:00:00-06:00`;
    if (opts.resentIn && i === 0) {
      // Sent first as a DETENTION, returned for more information, sent again later as g.activity:
      // one case, counted in its first month, under what its latest packet says.
      const v1 = await insert(1, null, sent, manifest('DETENTION'), 'MORE_INFO_REQUESTED');
      await insert(2, v1, `${opts.resentIn}-05T12:00:00-06:00`, manifest(g.activity), g.decision);
    } else {
      await insert(1, null, sent, manifest(g.activity), g.decision);
    }
  }
}

/** 'YYYY-MM' of the month n months before the current one, Chicago time. */
export function chicagoMonthsBack(n: number): string {
  const [y, m] = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Chicago', year: 'numeric', month: '2-digit' })
    .format(new Date())
    .split('-')
    .map(Number);
  const k = y * 12 + (m - 1) - n;
  return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;
}
