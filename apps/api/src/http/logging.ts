import { RequestMethod } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Params } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthUser } from '@app/common';
import type { AppConfig } from '../app.config';
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
          id: req.id, method: req.method, url: req.url, remoteAddress: req.remoteAddress,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], remove: true },
      // Health probes from a load balancer every few seconds would drown the rest.
      autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/api/v1/health') },
    },
  };
}
