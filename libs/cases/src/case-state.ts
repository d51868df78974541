import { InvalidTransitionError } from '@app/common';

export const CASE_STATUSES = [
  'DRAFT',
  'SUBMITTED',
  'RETURNED',
  'APPROVED',
  'REFERRED',
  'IN_REVIEW',
  'CLOSED',
  'WITHDRAWN',
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const CASE_ACTIONS = [
  'submit',
  'return',
  'approve',
  'send',
  'claim',
  'release',
  'decide',
  'request_more_info',
  'withdraw',
] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

/** The lifecycle of docs/domain.md ("The case lifecycle"), as data. Anything not listed is an illegal transition (409). */
export const CASE_TRANSITIONS: Readonly<Record<CaseAction, Partial<Record<CaseStatus, CaseStatus>>>> = {
  submit: { DRAFT: 'SUBMITTED', RETURNED: 'SUBMITTED' },
  return: { SUBMITTED: 'RETURNED' },
  approve: { SUBMITTED: 'APPROVED' },
  send: { APPROVED: 'REFERRED' },
  claim: { REFERRED: 'IN_REVIEW' },
  // Issue 16: a claim released (by its claimant, or a stale one by a colleague) puts the packet back in the queue.
  release: { IN_REVIEW: 'REFERRED' },
  decide: { IN_REVIEW: 'CLOSED' },
  // A decision needs a claim first, so more information is requested from IN_REVIEW only.
  request_more_info: { IN_REVIEW: 'RETURNED' },
  withdraw: { DRAFT: 'WITHDRAWN', SUBMITTED: 'WITHDRAWN', RETURNED: 'WITHDRAWN' },
};

/** States in which the case's content may be edited. */
export const EDITABLE_STATUSES: readonly CaseStatus[] = ['DRAFT', 'RETURNED'];

export function nextStatus(current: CaseStatus, action: CaseAction): CaseStatus {
  const to = CASE_TRANSITIONS[action][current];
  if (!to) throw new InvalidTransitionError(action.replace(/_/g, ' '), current);
  return to;
}

/** Content (fields, records, evidence) changes only while the case is with its author. */
export function assertEditable(current: CaseStatus, action = 'edit'): void {
  if (!EDITABLE_STATUSES.includes(current)) throw new InvalidTransitionError(action, current);
}
