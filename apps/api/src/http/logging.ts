import { LoggerService, RequestMethod } from '@nestjs/common';
import pino from 'pino';
import { ConfigService } from '@nestjs/config';
import type { Params } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthUser } from '@app/common';
import type { AppConfig } from '../app.config';
import { redactUrl } from './redact';
import type { ContextRequest } from './request-context.middleware';

type LoggedRequest = IncomingMessage & ContextRequest & { user?: AuthUser };

/**
 * Structured logs: one JSON object per line on stdout (pino), for a log shipper to collect.
 * Every request is logged once when it completes, with the request id that its response carries
 * in X-Request-Id and its audit events carry in request_id, so a support ticket, a log line and
 * an audit event can be matched. Secrets never reach a log: no bodies, no Authorization header.
 */
export function loggingOptions(config: ConfigService): Params {
  const { logLevel } = config.get<AppConfig>('app')!;
  return {
    forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
    pinoHttp: {
      level: logLevel,
      // assignRequestId (app.setup.ts) has run before this middleware.
      genReqId: (req) => (req as LoggedRequest).requestId ?? 'unknown',
      customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      customProps: (req) => {
        const user = (req as LoggedRequest).user;
        return user ? { userId: user.id, role: user.role } : {};
      },
      serializers: {
        req: (req: { id: string; method: string; url: string; remoteAddress?: string }) => ({
          // A download or playback ticket in the path is a credential: never logged (see redact.ts).
          id: req.id,
          method: req.method,
          url: redactUrl(req.url ?? ''),
          remoteAddress: req.remoteAddress,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], remove: true },
      // Health probes from a load balancer every few seconds would drown the rest.
      autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/api/v1/health') },
    },
  };
}

/**
 * The logger Nest uses until the app's own (configured) logger is attached, and for a failure to
 * start: the same JSON lines on stdout, so that a start-up error (e.g. the embedded PostgreSQL not
 * starting) reaches a log shipper and the terminal alike, never as coloured text.
 */
export function startupLogger(): LoggerService {
  const log = pino({ level: 'info' });
  const write =
    (level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace') =>
    (message: unknown, ...optional: unknown[]) => {
      const context = typeof optional[optional.length - 1] === 'string' ? (optional.pop() as string) : undefined;
      const stack = level === 'error' && typeof optional[0] === 'string' ? optional[0] : undefined;
      if (message instanceof Error) log[level]({ context, err: message }, message.message);
      else
        log[level](
          { context, ...(stack ? { stack } : {}) },
          typeof message === 'string' ? message : JSON.stringify(message),
        );
    };
  return {
    log: write('info'),
    error: write('error'),
    warn: write('warn'),
    debug: write('debug'),
    verbose: write('trace'),
    fatal: write('fatal'),
  };
}
