/// <reference types="jest" />
import {
  changedFields,
  chooseConflict,
  deepEqual,
  draftPending,
  isMergeDraft,
  merge3,
  rebaseDraft,
  undecided,
  type FieldEquality,
  type MergeDraft,
} from './merge';

interface Fields {
  location: string;
  narrative: string;
  agencies: string[];
  at: string | null;
  injured: boolean | null;
}

const base: Fields = {
  location: 'Fullerton Ave',
  narrative: 'Agents stopped a van.',
  agencies: ['ICE_ERO'],
  at: '2026-11-20T20:05:00.000Z',
  injured: null,
};
const sameInstant: FieldEquality<Fields> = { at: (a, b) => (a && b ? Date.parse(a) === Date.parse(b) : a === b) };

describe('three-way merge of a form after a version conflict', () => {
  it('a field I did not touch takes their value (never writes back the old one)', () => {
    const mine = { ...base, narrative: 'Agents stopped a van on Cermak Rd.' };
    const theirs = { ...base, location: '2400 N Milwaukee Ave' };
    const r = merge3(base, mine, theirs);
    expect(r.draft.value).toEqual({
      ...base,
      location: '2400 N Milwaukee Ave',
      narrative: 'Agents stopped a van on Cermak Rd.',
    });
    expect(r.kept).toEqual(['narrative']);
    expect(r.taken).toEqual(['location']);
    expect(r.draft.conflicts).toEqual([]);
    // The new base is theirs: what is left to send is exactly my change.
    expect(changedFields(r.draft.base, r.draft.value)).toEqual(['narrative']);
  });

  it('a field both changed differently is a conflict naming both values; the form holds theirs until a choice', () => {
    const mine = { ...base, location: 'Cermak Rd and Kedzie' };
    const theirs = { ...base, location: '2400 N Milwaukee Ave' };
    const r = merge3(base, mine, theirs);
    expect(r.draft.conflicts).toEqual([
      {
        field: 'location',
        base: 'Fullerton Ave',
        mine: 'Cermak Rd and Kedzie',
        theirs: '2400 N Milwaukee Ave',
        choice: null,
      },
    ]);
    expect(r.draft.value.location).toBe('2400 N Milwaukee Ave');
    expect(undecided(r.draft)).toHaveLength(1);
    expect(draftPending(r.draft)).toBe(true);

    const mineChosen = chooseConflict(r.draft, 'location', 'mine');
    expect(mineChosen.value.location).toBe('Cermak Rd and Kedzie');
    expect(undecided(mineChosen)).toEqual([]);
    expect(changedFields(mineChosen.base, mineChosen.value)).toEqual(['location']);

    const theirsChosen = chooseConflict(r.draft, 'location', 'theirs');
    expect(theirsChosen.value.location).toBe('2400 N Milwaukee Ave');
    expect(changedFields(theirsChosen.base, theirsChosen.value)).toEqual([]);
    expect(draftPending(theirsChosen)).toBe(false);
  });

  it('both changed to the same value: no conflict, nothing left to send', () => {
    const both = { ...base, agencies: ['ICE_ERO', 'CBP_OFO'] };
    const r = merge3(base, both, { ...both });
    expect(r.draft.conflicts).toEqual([]);
    expect(changedFields(r.draft.base, r.draft.value)).toEqual([]);
  });

  it('lists are one field: a reordered or extended list is a change; equal lists are not', () => {
    expect(deepEqual(['A', 'B'], ['A', 'B'])).toBe(true);
    expect(deepEqual(['A', 'B'], ['B', 'A'])).toBe(false);
    expect(deepEqual({ a: 1, b: [{ c: null }] }, { b: [{ c: null }], a: 1 })).toBe(true);
    expect(deepEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(deepEqual(null, {})).toBe(false);
    expect(deepEqual([], {})).toBe(false);
    const r = merge3(base, { ...base, agencies: ['ICE_ERO', 'FBI'] }, { ...base, agencies: ['FBI'] });
    expect(r.draft.conflicts.map((c) => c.field)).toEqual(['agencies']);
  });

  it('per-field equality: one instant written two ways is not a change', () => {
    const theirs = { ...base, at: '2026-11-20T14:05:00-06:00' };
    const mine = { ...base, narrative: 'x' };
    expect(merge3(base, mine, theirs, sameInstant).taken).toEqual([]);
    expect(merge3(base, mine, theirs).taken).toEqual(['at']);
  });

  it('an undecided conflict survives a second change by someone else, with my value and their newest', () => {
    const first = merge3(base, { ...base, location: 'mine' }, { ...base, location: 'theirs-1' }).draft;
    // They save again, touching the same field and another one.
    const second = rebaseDraft(first, { ...base, location: 'theirs-2', injured: false });
    expect(second.draft.conflicts).toEqual([
      { field: 'location', base: 'Fullerton Ave', mine: 'mine', theirs: 'theirs-2', choice: null },
    ]);
    expect(second.draft.value).toEqual({ ...base, location: 'theirs-2', injured: false });
    // They save again without touching it: still a conflict against what they wrote, not my value silently kept.
    const third = rebaseDraft(first, { ...base, location: 'theirs-1', narrative: 'n' });
    expect(third.draft.conflicts.map((c) => [c.field, c.mine, c.theirs])).toEqual([['location', 'mine', 'theirs-1']]);
    expect(third.draft.value.narrative).toBe('n');
    // They changed it back to what I typed: nothing left to decide.
    expect(rebaseDraft(first, { ...base, location: 'mine' }).draft.conflicts).toEqual([]);
  });

  it('a decided conflict is an ordinary change on the next rebase', () => {
    const first = chooseConflict(
      merge3(base, { ...base, location: 'mine' }, { ...base, location: 'theirs-1' }).draft,
      'location',
      'mine',
    );
    const unchanged = rebaseDraft(first, { ...first.base, narrative: 'n' });
    expect(unchanged.kept).toEqual(['location']);
    expect(unchanged.draft.value).toMatchObject({ location: 'mine', narrative: 'n' });
    const again = rebaseDraft(first, { ...first.base, location: 'theirs-2' });
    expect(again.draft.conflicts.map((c) => [c.field, c.mine, c.theirs])).toEqual([['location', 'mine', 'theirs-2']]);
  });

  it('recognises a stored draft and refuses anything else', () => {
    const d: MergeDraft<Fields> = { base, value: base, conflicts: [] };
    expect(isMergeDraft(JSON.parse(JSON.stringify(d)))).toBe(true);
    for (const bad of [null, 'x', base, { base, value: base }, { base: 1, value: base, conflicts: [] }])
      expect(isMergeDraft(bad)).toBe(false);
  });
});
