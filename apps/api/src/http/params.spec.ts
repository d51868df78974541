import { ValidationError } from '@app/common';
import { expectedVersion } from './params';

describe('expectedVersion (If-Match / version)', () => {
  it.each([
    ['"3"', undefined, 3],
    ['W/"4"', undefined, 4],
    ['5', undefined, 5],
    [undefined, 6, 6],
    ['"7"', 7, 7],
    [undefined, undefined, undefined],
    ['', undefined, undefined],
  ])('If-Match %p with version %p -> %p', (h, v, expected) => {
    expect(expectedVersion(h as string | undefined, v as number | undefined)).toBe(expected);
  });

  it.each(['"abc"', '*', '"1", "2"', '-1'])('refuses malformed If-Match %p naming the header', (h) => {
    expect(() => expectedVersion(h, undefined)).toThrow(ValidationError);
    expect(() => expectedVersion(h, undefined)).toThrow(/If-Match/);
  });

  it('refuses a header and a body version that disagree', () => {
    expect(() => expectedVersion('"2"', 3)).toThrow(/disagree/);
  });
});
