import type { components } from '../../api/schema';
import type { User } from '../../session';
import { AGENCY_SHORT, OFFICE_NAMES, OUTCOME_SHORT, PERSONNEL_ROLE_LABELS } from '../../words';

type S = components['schemas'];
export type Entry = S['PersonnelEntryView'];
type Agency = S['FederalAgency'];
type Outcome = S['IdentificationOutcome'];

/** What the index shows of an entry: names where recorded, else the badge, else the description (never a code). */
export function entryTitle(e: {
  agency: Agency | null;
  names?: string[];
  badges?: string[];
  descriptions?: string[];
  roles?: Entry['roles'];
}): string {
  if (e.names?.length) return e.names.join(' / ');
  if (e.badges?.length) return `Badge ${e.badges.join(' / ')}`;
  if (e.descriptions?.length) return `Unidentified: ${e.descriptions[0]}`;
  if (e.names === undefined)
    return `${agencyShort(e.agency)}${e.roles?.length ? `, ${rolesWords(e.roles).toLowerCase()}` : ''}`; // auditors: no names
  return 'Unidentified, no description recorded';
}

export function agencyShort(a: Agency | null): string {
  return a ? AGENCY_SHORT[a] : 'Agency not recorded';
}

export function rolesWords(roles: Entry['roles']): string {
  return roles.map((r) => PERSONNEL_ROLE_LABELS[r]).join(' and ') || 'Role not recorded';
}

export function outcomesWords(outcomes: Outcome[]): string {
  return outcomes.map((o) => OUTCOME_SHORT[o]).join('; ') || 'No identification outcome recorded';
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Where a case opens for this user: a prosecutor through the packet sent to their office, an auditor's case view, or the case. */
export function caseHref(user: User, c: { caseId: string; packetId?: string }): string | null {
  if (user.role === 'PROSECUTOR') return c.packetId ? `/packets/${c.packetId}` : null;
  if (user.role === 'AUDITOR') return `/audit/cases/${c.caseId}`;
  return `/cases/${c.caseId}`;
}

/** Whose cases the index covers, in the user's words. */
export function scopeWords(user: User): string {
  switch (user.role) {
    case 'PROSECUTOR':
      return `the cases whose evidence packets were sent to ${user.office ? OFFICE_NAMES[user.office] : 'your office'}`;
    case 'SUPERVISOR':
      return `the cases of ${user.district != null ? `District ${user.district}` : 'your district'}`;
    case 'AUDITOR':
      return 'every case, as counts: names, badges and descriptions are not shown to auditors';
    default:
      return 'your cases';
  }
}
