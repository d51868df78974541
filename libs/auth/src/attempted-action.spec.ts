import { AUDIT_ACTION_CATALOGUE } from '@app/audit/audit-actions';
import { attemptedAction, Permission } from './permissions';

describe("failed requests are recorded under their route's permission", () => {
  it('every permission is an action of the audit catalogue, and every "attempt" entry is a permission', () => {
    const attempts = AUDIT_ACTION_CATALOGUE.filter((e) => e.name.endsWith('Attempt'))
      .map((e) => e.action as string)
      .sort();
    expect(
      Object.values(Permission)
        .map((p) => attemptedAction(p) as string)
        .sort(),
    ).toEqual(attempts);
  });
});
