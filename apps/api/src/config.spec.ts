import { resolve } from 'node:path';
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

  it('DATABASE_MIGRATE_ON_START: true by default, false only with a configured database', () => {
    expect(loadDatabaseConfig({ DATABASE_URL: 'postgres://a@b/c' })).toMatchObject({ migrateOnStart: true });
    expect(loadDatabaseConfig({ DATABASE_URL: 'postgres://a@b/c', DATABASE_MIGRATE_ON_START: 'false' })).toMatchObject({
      migrateOnStart: false,
    });
    expect(() => loadDatabaseConfig({ DATABASE_MIGRATE_ON_START: 'false' })).toThrow(
      /DATABASE_MIGRATE_ON_START: false needs DATABASE_URL/,
    );
    expect(() => loadDatabaseConfig({ DATABASE_URL: 'postgres://a@b/c', DATABASE_MIGRATE_ON_START: 'no' })).toThrow(
      /DATABASE_MIGRATE_ON_START/,
    );
  });

  it('uses the embedded database when DATABASE_URL is unset', () => {
    expect(loadDatabaseConfig({ DATA_DIR: '/tmp/x' })).toMatchObject({
      embedded: true,
      dataDir: '/tmp/x',
      poolSize: 10,
    });
  });

  it('SYSTEM_USE_NOTICE: a default notice (authorized use only, monitored and recorded), or 20 to 4000 characters; AUTH_REQUIRE_NOTICE_ACK true or false', () => {
    const base = { DATABASE_URL: 'postgres://a@b/c', JWT_SECRET: 'x'.repeat(32) };
    const d = loadAuthConfig(base);
    expect(d.systemUseNotice.text).toMatch(/authorized use only/);
    expect(d.systemUseNotice.text).toMatch(/monitored, recorded/);
    expect(d.systemUseNotice.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(d.requireNoticeAck).toBe(false);
    const custom = loadAuthConfig({
      ...base,
      SYSTEM_USE_NOTICE: '  Authorized use only. Monitored.  ',
      AUTH_REQUIRE_NOTICE_ACK: 'true',
    });
    expect(custom).toMatchObject({
      systemUseNotice: { text: 'Authorized use only. Monitored.' },
      requireNoticeAck: true,
    });
    expect(() => loadAuthConfig({ ...base, SYSTEM_USE_NOTICE: 'too short' })).toThrow(
      /SYSTEM_USE_NOTICE: must be at least 20/,
    );
    expect(() => loadAuthConfig({ ...base, SYSTEM_USE_NOTICE: 'x'.repeat(4001) })).toThrow(/SYSTEM_USE_NOTICE/);
    expect(() => loadAuthConfig({ ...base, AUTH_REQUIRE_NOTICE_ACK: 'yes' })).toThrow(
      /AUTH_REQUIRE_NOTICE_ACK: must be true or false/,
    );
  });

  it('requires JWT_SECRET with a configured database, and a long one', () => {
    expect(() => loadAuthConfig({ DATABASE_URL: 'postgres://a@b/c' })).toThrow(/JWT_SECRET: required/);
    expect(() => loadAuthConfig({ DATABASE_URL: 'postgres://a@b/c', JWT_SECRET: 'short' })).toThrow(
      /JWT_SECRET: must be at least 32/,
    );
    expect(loadAuthConfig({ DATABASE_URL: 'postgres://a@b/c', JWT_SECRET: 'x'.repeat(32) })).toMatchObject({
      seedDemoUsers: false,
      lockoutThreshold: 5,
      lockoutMinutes: 10,
    });
  });

  it('refuses a bad PORT, HOST or TRUST_PROXY', () => {
    expect(() => loadAppConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadAppConfig({ HOST: 'everywhere' })).toThrow(/HOST/);
    expect(() => loadAppConfig({ TRUST_PROXY: 'maybe' })).toThrow(/TRUST_PROXY/);
    expect(loadAppConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      trustProxy: false,
      rateLimits: { login: 60, upload: 60, statistics: 120, windowSeconds: 60 },
      logLevel: 'info',
      webRoot: resolve('dist/web'),
    });
    expect(loadAppConfig({ WEB_ROOT: '/srv/console' }).webRoot).toBe('/srv/console');
  });

  it('TRUST_PROXY: false, true, a hop count, or a list of proxy addresses and ranges', () => {
    expect(loadAppConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadAppConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadAppConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,loopback' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      'loopback',
    ]);
    expect(() => loadAppConfig({ TRUST_PROXY: 'lb.internal' })).toThrow(
      /TRUST_PROXY: must be true, false, a number of proxy hops/,
    );
  });

  it('refuses a rate limit below 1, a window over a day, or an unknown log level', () => {
    expect(() => loadAppConfig({ LOGIN_RATE_LIMIT: '0' })).toThrow(/LOGIN_RATE_LIMIT/);
    expect(() => loadAppConfig({ UPLOAD_RATE_LIMIT: 'many' })).toThrow(/UPLOAD_RATE_LIMIT/);
    expect(() => loadAppConfig({ RATE_LIMIT_WINDOW_SECONDS: '86401' })).toThrow(/RATE_LIMIT_WINDOW_SECONDS/);
    expect(() => loadAppConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    expect(
      loadAppConfig({
        LOGIN_RATE_LIMIT: '5',
        UPLOAD_RATE_LIMIT: '7',
        RATE_LIMIT_WINDOW_SECONDS: '30',
        LOG_LEVEL: 'warn',
      }),
    ).toMatchObject({
      rateLimits: { login: 5, upload: 7, windowSeconds: 30 },
      logLevel: 'warn',
    });
  });
});
