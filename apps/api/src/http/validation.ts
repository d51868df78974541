import { ValidationError as ClassValidatorError, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { FieldError, ValidationError } from '@app/common';

/**
 * The numeric bound of each numeric rule a property broke (`{ minLength: 12 }`), read from the DTO's validation
 * metadata (the validator's error names the rule but carries its number only inside its English message).
 */
function limitsOf(e: ClassValidatorError, broken: string[]): Record<string, number> | undefined {
  const target = e.target as object | undefined;
  if (!target || typeof target !== 'object') return undefined;
  const out: Record<string, number> = {};
  for (const m of getMetadataStorage().getTargetValidationMetadatas(target.constructor, '', true, false)) {
    if (m.propertyName !== e.property || !m.name || !broken.includes(m.name)) continue;
    // One bound (minLength 12), or two (Length 1..2000: `isLength` and `isLength.max`).
    const [bound, upper] = (m.constraints ?? []).filter(
      (c): c is number => typeof c === 'number' && Number.isFinite(c),
    );
    if (bound !== undefined) out[m.name] = bound;
    if (upper !== undefined) out[`${m.name}.max`] = upper;
  }
  return Object.keys(out).length ? out : undefined;
}

function flatten(errors: ClassValidatorError[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints) {
      const entries = Object.entries(e.constraints);
      const messages = entries.map(([k, m]) =>
        k === 'whitelistValidation' ? `${field} is not an accepted field` : m.replace(e.property, field),
      );
      const constraints = entries.map(([k]) => k);
      const limits = limitsOf(e, constraints);
      out.push({ field, errors: messages, constraints, ...(limits ? { limits } : {}) });
    }
    if (e.children?.length) out.push(...flatten(e.children, field));
  }
  return out;
}

/** Whitelisting, unknown fields rejected with their names, errors as a coded ValidationError. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    // The target (the DTO instance) is read for the rules' bounds only; no error body carries it or the value.
    validationError: { target: true, value: false },
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      const isUnknown = (f: FieldError) => f.errors.some((m) => m.endsWith('is not an accepted field'));
      const unknown = fields.filter(isUnknown).map((f) => f.field);
      const invalid = fields.filter((f) => !isUnknown(f)).flatMap((f) => f.errors);
      const parts = [
        ...(unknown.length ? [`Unknown field(s): ${unknown.join(', ')}.`] : []),
        ...(invalid.length ? [`Invalid: ${invalid.join('; ')}.`] : []),
      ];
      return new ValidationError(parts.join(' '), fields);
    },
  });
}
