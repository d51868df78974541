import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { jsonBody, JsonShapePipe } from './http/json-body';
import { assignRequestId } from './http/request-context.middleware';
import { securityHeaders, serveWebConsole } from './http/web-console';
import { createValidationPipe } from './http/validation';

export const API_PREFIX = 'api/v1';

/** Options every creation of the HTTP app must pass (main.ts, the e2e harness): configureApp parses bodies itself. */
export const APP_OPTIONS = { bodyParser: false } as const;

/** Everything main.ts and the e2e tests must configure identically. */
export interface AppSetupOptions {
  trustProxy?: boolean | number | string[];
  /** The built web console (dist/web) to serve at `/`; none when unset (the e2e harness's in-process apps). */
  webRoot?: string;
}

/** Everything main.ts and the e2e tests must configure identically. */
export function configureApp(app: INestApplication, opts: AppSetupOptions = {}): void {
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  express.set('trust proxy', opts.trustProxy ?? false);
  // The request id first, so that even a body refused while it is read answers with it.
  app.use(assignRequestId);
  app.use(securityHeaders);
  if (opts.webRoot) serveWebConsole(express, opts.webRoot);
  // JSON only (apps create the app with bodyParser: false: no form or text parsers), checked before validation.
  for (const handler of jsonBody('1mb')) app.use(handler);
  app.setGlobalPrefix(API_PREFIX);
  app.useGlobalPipes(new JsonShapePipe(), createValidationPipe());

  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, openApiConfig()), {
    jsonDocumentUrl: 'api/docs/openapi.json',
  });
}

/** The OpenAPI document's header: served at /api/docs and written by scripts/openapi.js for the console's types. */
export function openApiConfig() {
  return new DocumentBuilder()
    .setTitle('ICE-on-Notice case service')
    .setDescription(
      'Cases, evidence and audit trail for Chicago Executive Order 2026-01. Every error body has ' +
        'statusCode, code, message and requestId.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
}
