import { ValidationError as ClassValidatorError, ValidationPipe } from '@nestjs/common';
import { FieldError, ValidationError } from '@app/common';

function flatten(errors: ClassValidatorError[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints) {
      const messages = Object.entries(e.constraints).map(([k, m]) =>
        k === 'whitelistValidation' ? `${field} is not an accepted field` : m.replace(e.property, field),
      );
      out.push({ field, errors: messages });
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
    validationError: { target: false, value: false },
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
