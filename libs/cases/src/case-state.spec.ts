import { InvalidTransitionError } from '@app/common';
import { CASE_ACTIONS, CASE_STATUSES, CASE_TRANSITIONS, assertEditable, nextStatus } from './case-state';

describe('case state machine', () => {
  const allowed: [string, string, string][] = [
    ['DRAFT', 'submit', 'SUBMITTED'],
    ['RETURNED', 'submit', 'SUBMITTED'],
    ['SUBMITTED', 'return', 'RETURNED'],
    ['SUBMITTED', 'approve', 'APPROVED'],
    ['APPROVED', 'send', 'REFERRED'],
    ['REFERRED', 'claim', 'IN_REVIEW'],
    ['IN_REVIEW', 'release', 'REFERRED'],
    ['IN_REVIEW', 'decide', 'CLOSED'],
    ['IN_REVIEW', 'request_more_info', 'RETURNED'],
    ['DRAFT', 'withdraw', 'WITHDRAWN'],
    ['SUBMITTED', 'withdraw', 'WITHDRAWN'],
    ['RETURNED', 'withdraw', 'WITHDRAWN'],
  ];

  it.each(allowed)('%s --%s--> %s', (from, action, to) => {
    expect(nextStatus(from as never, action as never)).toBe(to);
  });

  it('refuses every pair not in the design, naming the current state', () => {
    const ok = new Set(allowed.map(([f, a]) => `${f}:${a}`));
    let refused = 0;
    for (const s of CASE_STATUSES) {
      for (const a of CASE_ACTIONS) {
        if (ok.has(`${s}:${a}`)) continue;
        expect(() => nextStatus(s, a)).toThrow(InvalidTransitionError);
        try {
          nextStatus(s, a);
        } catch (e) {
          expect((e as InvalidTransitionError).currentState).toBe(s);
        }
        refused++;
      }
    }
    expect(refused).toBe(CASE_STATUSES.length * CASE_ACTIONS.length - allowed.length);
    const tableSize = Object.values(CASE_TRANSITIONS).reduce((n, t) => n + Object.keys(t).length, 0);
    expect(tableSize).toBe(allowed.length);
  });

  it('allows edits only in DRAFT and RETURNED; CLOSED and WITHDRAWN are terminal', () => {
    for (const s of CASE_STATUSES) {
      if (s === 'DRAFT' || s === 'RETURNED') expect(() => assertEditable(s)).not.toThrow();
      else expect(() => assertEditable(s)).toThrow(InvalidTransitionError);
    }
    for (const a of CASE_ACTIONS) {
      expect(CASE_TRANSITIONS[a].CLOSED).toBeUndefined();
      expect(CASE_TRANSITIONS[a].WITHDRAWN).toBeUndefined();
    }
  });
});
