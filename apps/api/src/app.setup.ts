import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { jsonBody, JsonShapePipe } from './http/json-body';
import { assignRequestId } from './http/request-context.middleware';
import { createValidationPipe } from './http/validation';

export const API_PREFIX = 'api/v1';

/** Options every creation of the HTTP app must pass (main.ts, the e2e harness): configureApp parses bodies itself. */
export const APP_OPTIONS = { bodyParser: false } as const;

/** Everything main.ts and the e2e tests must configure identically. */
export function configureApp(app: INestApplication, opts: { trustProxy?: boolean | number | string[] } = {}): void {
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  express.set('trust proxy', opts.trustProxy ?? false);
  // The request id first, so that even a body refused while it is read answers with it.
  app.use(assignRequestId);
  // JSON only (apps create the app with bodyParser: false: no form or text parsers), checked before validation.
  for (const handler of jsonBody('1mb')) app.use(handler);
  app.setGlobalPrefix(API_PREFIX);
  app.useGlobalPipes(new JsonShapePipe(), createValidationPipe());

  const doc = new DocumentBuilder()
    .setTitle('ICE-on-Notice case service')
    .setDescription(
      'Cases, evidence and audit trail for Chicago Executive Order 2026-01. Every error body has ' +
        'statusCode, code, message and requestId.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, doc), {
    jsonDocumentUrl: 'api/docs/openapi.json',
  });
}
