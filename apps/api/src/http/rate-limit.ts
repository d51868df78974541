import { ExecutionContext, Injectable, Logger, SetMetadata } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  normalizeIp,
  ThrottlerGuard,
  ThrottlerLimitDetail,
  ThrottlerModuleOptions,
  ThrottlerRequest,
  ThrottlerStorage,
} from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { AuthUser, RateLimitedError } from '@app/common';
import type { AppConfig } from '../app.config';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * Rate limits on the two routes an attacker or a runaway client would hammer:
 * - login: per client IP (password spraying across accounts; the per-account lockout already
 *   stops guessing one password). Behind a load balancer set TRUST_PROXY so the IP is the client's.
 * - upload: per user (a stuck uploader or a stolen token filling storage).
 * - statistics: the public statistics, per client IP (anyone may read them without signing in;
 *   the answer is cached, so this only bounds what one client can make the service do).
 * Counters live in PostgreSQL, so every API replica counts against one limit. A refusal is 429 with
 * Retry-After, and is audited as `rate_limit.exceeded` (DENIED) by the exception filter.
 */
export type RateLimitName = 'login' | 'upload' | 'statistics';

export const RATE_LIMIT = 'ion:rate-limit';

/** Puts a route under one of the named limits (the route must also use RateLimitGuard). */
export const RateLimited = (name: RateLimitName) => SetMetadata(RATE_LIMIT, name);

/** The client's IP (X-Forwarded-For only with TRUST_PROXY); IPv6 clients grouped by /64 as one host. */
function clientIp(req: Request): string {
  const ip = req.ip ?? req.socket?.remoteAddress ?? 'unknown';
  return normalizeIp(ip, 64);
}

export function rateLimitOptions(config: ConfigService, storage: ThrottlerStorage): ThrottlerModuleOptions {
  const { rateLimits } = config.get<AppConfig>('app')!;
  const ttl = rateLimits.windowSeconds * 1000;
  return {
    throttlers: [
      { name: 'login', limit: rateLimits.login, ttl, getTracker: (req) => `ip:${clientIp(req as Request)}` },
      {
        name: 'upload',
        limit: rateLimits.upload,
        ttl,
        getTracker: (req) => `user:${(req as { user?: AuthUser }).user?.id ?? clientIp(req as Request)}`,
      },
      { name: 'statistics', limit: rateLimits.statistics, ttl, getTracker: (req) => `ip:${clientIp(req as Request)}` },
    ],
    storage,
  };
}

@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  /** Only the limit the route names applies (the module lists both). */
  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const name = this.reflector.get<RateLimitName | undefined>(RATE_LIMIT, props.context.getHandler());
    if (props.throttler.name !== name) return true;
    return super.handleRequest(props);
  }

  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const name = this.reflector.get<RateLimitName>(RATE_LIMIT, context.getHandler());
    const res = context.switchToHttp().getResponse<Response>();
    res.setHeader('Retry-After', String(detail.timeToBlockExpire));
    throw new RateLimitedError({
      name,
      max: detail.limit,
      windowSeconds: Math.round(detail.ttl / 1000),
      retryAfterSeconds: detail.timeToBlockExpire,
    });
  }
}

/**
 * Fixed-window counters in one UPSERT: a blocked key stays blocked until `blocked_until`; otherwise
 * the window restarts when it has ended, and passing the limit blocks the key for blockDuration.
 */
@Injectable()
export class PostgresThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger(PostgresThrottlerStorage.name);
  private calls = 0;

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const rows: Array<{ hits: number; expires_ms: string; blocked_ms: string | null }> = await this.ds.query(
      `INSERT INTO rate_limit_hits AS t (key, hits, window_ends, blocked_until)
         VALUES ($1, 1, now() + make_interval(secs => $2 / 1000.0),
                 CASE WHEN 1 > $3 THEN now() + make_interval(secs => $4 / 1000.0) END)
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN t.blocked_until > now() THEN t.hits WHEN t.window_ends <= now() THEN 1 ELSE t.hits + 1 END,
         window_ends = CASE WHEN t.blocked_until > now() THEN t.window_ends
                            WHEN t.window_ends <= now() THEN now() + make_interval(secs => $2 / 1000.0)
                            ELSE t.window_ends END,
         blocked_until = CASE WHEN t.blocked_until > now() THEN t.blocked_until
                              WHEN (CASE WHEN t.window_ends <= now() THEN 1 ELSE t.hits + 1 END) > $3
                                THEN now() + make_interval(secs => $4 / 1000.0) END
       RETURNING hits,
         ceil(extract(epoch FROM (window_ends - now())) * 1000)::bigint AS expires_ms,
         ceil(extract(epoch FROM (blocked_until - now())) * 1000)::bigint AS blocked_ms`,
      [`${throttlerName}:${key}`.slice(0, 128), ttl, limit, blockDuration],
    );
    if (++this.calls % 1000 === 0) this.sweep();
    const { hits, expires_ms, blocked_ms } = rows[0];
    const blockedMs = blocked_ms === null ? 0 : Math.max(0, Number(blocked_ms));
    return {
      totalHits: hits,
      timeToExpire: Math.max(0, Math.ceil(Number(expires_ms) / 1000)),
      isBlocked: blockedMs > 0,
      timeToBlockExpire: Math.ceil(blockedMs / 1000),
    };
  }

  /** Forgets counters whose window and block have both ended (not awaited: never delays a request). */
  private sweep(): void {
    this.ds
      .query(
        `DELETE FROM rate_limit_hits WHERE window_ends < now() AND (blocked_until IS NULL OR blocked_until < now())`,
      )
      .catch((e: unknown) =>
        this.logger.warn(`Could not sweep rate-limit counters: ${e instanceof Error ? e.message : e}`),
      );
  }
}
