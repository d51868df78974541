import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

/**
 * Validates environment variables against a class-validator class. Throws one Error whose
 * message names every bad variable, so boot stops with a clear reason.
 */
export function validateEnv<T extends object>(cls: new () => T, env: Record<string, unknown>): T {
  const instance = plainToInstance(cls, env, { enableImplicitConversion: true });
  const errors = validateSync(instance, { whitelist: false, skipMissingProperties: false });
  if (errors.length > 0) {
    const lines = errors.map(
      (e) =>
        `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')} (got ${JSON.stringify(env[e.property] ?? null)})`,
    );
    throw new Error(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return instance;
}
