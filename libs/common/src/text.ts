import { ValidateBy, ValidationOptions } from 'class-validator';

/**
 * U+0000. PostgreSQL text and jsonb cannot hold it, C strings end at it, and no honest client sends
 * it: every string the service takes (body values and keys, query parameters, upload metadata) is
 * refused when it holds one (see apps/api/src/http/json-body.ts).
 */
export const NUL = '\u0000';

/**
 * Characters a single-line field (a name, badge, device id, citation, reference, username,
 * location, filename, search term) may not hold: the C0 controls U+0000-U+001F (tab, line feed
 * and carriage return included), DEL U+007F, and the C1 controls U+0080-U+009F (NEL, CSI, ...).
 * They have no glyph, break log lines, CSV rows and headers built from the value, and can carry
 * terminal escape sequences. Multi-line text (narrative, reasons, notes, descriptions) keeps tab,
 * line feed and carriage return; only U+0000 is refused there.
 */
// eslint-disable-next-line no-control-regex -- the C0 and C1 controls a single-line field refuses, named on purpose
export const SINGLE_LINE_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f]/;

/** The first control character of `s` that a single-line field refuses, as U+XXXX; null when none. */
export function firstLineBreakingControl(s: string): string | null {
  const m = SINGLE_LINE_FORBIDDEN.exec(s);
  return m ? codePointName(m[0]) : null;
}

/** `U+001B` for ESC. */
export function codePointName(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Constraint name of {@link IsSingleLine} (the fuzz and control-character suites read it from the metadata). */
export const IS_SINGLE_LINE = 'isSingleLine';

/**
 * A single line of text: no control character (C0 including tab/CR/LF, DEL, C1). Non-strings
 * pass (the field's @IsString or @Matches refuses them), so it composes with @IsOptional.
 */
export function IsSingleLine(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: IS_SINGLE_LINE,
      validator: {
        validate: (v: unknown) => typeof v !== 'string' || !SINGLE_LINE_FORBIDDEN.test(v),
        defaultMessage: (a) => {
          const at = typeof a?.value === 'string' ? firstLineBreakingControl(a.value) : null;
          return `${a?.property} must be a single line without control characters${at ? ` (it holds ${at})` : ''}`;
        },
      },
    },
    options,
  );
}
