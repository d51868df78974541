import { loadAuthConfig } from '../../../libs/auth/src/auth.config';
import { loadDatabaseConfig } from '../../../libs/database/src/database.config';
import { loadAppConfig } from './app.config';

describe('configuration is validated at boot, naming the variable', () => {
  it('refuses a malformed DATABASE_URL', () => {
    expect(() => loadDatabaseConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: must be a postgres/);
  });

  it('refuses DATABASE_MIGRATION_URL without DATABASE_URL', () => {
    expect(() => loadDatabaseConfig({ DATABASE_MIGRATION_URL: 'postgres://a@b/c' })).toThrow(/DATABASE_MIGRATION_URL/);
  });

  it('refuses a pool size out of range', () => {
    expect(() => loadDatabaseConfig({ DATABASE_POOL_SIZE: '0' })).toThrow(/DATABASE_POOL_SIZE/);
  });

  it('uses the embedded database when DATABASE_URL is unset', () => {
    expect(loadDatabaseConfig({ DATA_DIR: '/tmp/x' })).toMatchObject({ embedded: true, dataDir: '/tmp/x', poolSize: 10 });
  });

  it('requires JWT_SECRET with a configured database, and a long one', () => {
    expect(() => loadAuthConfig({ DATABASE_URL: 'postgres://a@b/c' })).toThrow(/JWT_SECRET: required/);
    expect(() => loadAuthConfig({ DATABASE_URL: 'postgres://a@b/c', JWT_SECRET: 'short' })).toThrow(/JWT_SECRET: must be at least 32/);
    expect(loadAuthConfig({ DATABASE_URL: 'postgres://a@b/c', JWT_SECRET: 'x'.repeat(32) })).toMatchObject({
      seedDemoUsers: false, lockoutThreshold: 5, lockoutMinutes: 10,
    });
  });

  it('refuses a bad PORT, HOST or TRUST_PROXY', () => {
    expect(() => loadAppConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadAppConfig({ HOST: 'everywhere' })).toThrow(/HOST/);
    expect(() => loadAppConfig({ TRUST_PROXY: 'maybe' })).toThrow(/TRUST_PROXY/);
    expect(loadAppConfig({})).toEqual({ port: 3000, host: '127.0.0.1', trustProxy: false });
  });
});
