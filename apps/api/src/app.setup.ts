import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { apiNoStore } from './http/api-cache';
import { jsonBody, JsonShapePipe } from './http/json-body';
import { assignRequestId } from './http/request-context.middleware';
import { securityHeaders, serveWebConsole } from './http/web-console';
import { createOpenApiDocument, OPENAPI_JSON_PATH, OPENAPI_UI_PATH } from './http/openapi';
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
  // No automatic (weak, body-hash) ETags: API answers are never revalidated (apiNoStore); the console's static files keep serve-static's.
  express.set('etag', false);
  // The request id first, so that even a body refused while it is read answers with it.
  app.use(assignRequestId);
  app.use(apiNoStore);
  app.use(securityHeaders);
  if (opts.webRoot) serveWebConsole(express, opts.webRoot);
  // JSON only (apps create the app with bodyParser: false: no form or text parsers), checked before validation.
  for (const handler of jsonBody('1mb')) app.use(handler);
  app.setGlobalPrefix(API_PREFIX);
  app.useGlobalPipes(new JsonShapePipe(), createValidationPipe());

  SwaggerModule.setup(OPENAPI_UI_PATH, app, () => createOpenApiDocument(app), { jsonDocumentUrl: OPENAPI_JSON_PATH });
}

export { createOpenApiDocument } from './http/openapi';
