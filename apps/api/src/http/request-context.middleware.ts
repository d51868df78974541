import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { RequestContext, RequestContextStore } from '@app/common';

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

export type ContextRequest = Request & { ctx?: RequestContext; requestId?: string };

/** Assigns the request id (echoed as X-Request-Id) as early as possible, before body parsing. */
export function assignRequestId(req: ContextRequest, res: Response, next: NextFunction): void {
  const given = req.header('x-request-id');
  req.requestId = given && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', req.requestId);
  next();
}

export function contextFor(req: ContextRequest): RequestContext {
  if (!req.ctx) {
    req.ctx = {
      requestId: req.requestId ?? randomUUID(),
      clientIp: req.ip ?? req.socket?.remoteAddress ?? null,
      userAgent: req.header('user-agent') ?? null,
    };
  }
  return req.ctx;
}

/** Runs the rest of the request inside its RequestContext (read by the audit service). */
@Injectable()
export class RequestContextMiddleware implements NestMiddleware {
  use(req: ContextRequest, _res: Response, next: NextFunction): void {
    RequestContextStore.run(contextFor(req), next);
  }
}
