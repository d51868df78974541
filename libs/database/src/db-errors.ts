import { ConflictError, DependencyUnavailableError } from '@app/common';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '53300',
  // query_canceled: statement_timeout (or an operator's pg_cancel_backend) cut the statement short.
  '57014',
]);

function codeOf(e: unknown): string | undefined {
  const err = e as { code?: string; driverError?: { code?: string } };
  return err?.driverError?.code ?? err?.code;
}

/** True when an error means the database could not be reached or went away. */
export function isDatabaseUnavailable(e: unknown): boolean {
  const code = codeOf(e);
  if (code && CONNECTION_CODES.has(code)) return true;
  const msg = e instanceof Error ? e.message : '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down)|^Query read timeout$/i.test(
    msg,
  );
}

export function isUniqueViolation(e: unknown, constraint?: string): boolean {
  const err = e as { driverError?: { code?: string; constraint?: string }; code?: string; constraint?: string };
  const code = err?.driverError?.code ?? err?.code;
  const name = err?.driverError?.constraint ?? err?.constraint;
  return code === '23505' && (!constraint || name === constraint);
}

/** Translates infrastructure failures to domain errors; rethrows anything else unchanged. */
export function translateDbError(e: unknown, onUnique?: () => ConflictError): never {
  if (isUniqueViolation(e) && onUnique) throw onUnique();
  if (isDatabaseUnavailable(e)) throw new DependencyUnavailableError('database', e);
  throw e;
}
