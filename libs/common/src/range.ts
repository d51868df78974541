import { ValidateBy, ValidationOptions } from 'class-validator';

/**
 * The upper end of a range (`to`, `to_seq`, `recordedEnd`...): refused when it comes before the
 * property `start` names, so a backwards range is a 400 naming it rather than an empty answer.
 * Instants compare as instants (any ISO 8601 offset), numbers as numbers; the check is skipped
 * while either end is missing or malformed (their own validators say so).
 */
export function NotBefore(start: string, options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'notBefore',
      constraints: [start],
      validator: {
        validate: (end: unknown, args) => {
          const begin = (args?.object as Record<string, unknown> | undefined)?.[start];
          const [a, b] = [comparable(begin), comparable(end)];
          return a === null || b === null || b >= a;
        },
        defaultMessage: (args) => `${args?.property} must not be before ${start}`,
      },
    },
    options,
  );
}

function comparable(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v !== '') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}
