import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { assignRequestId } from './http/request-context.middleware';
import { createValidationPipe } from './http/validation';

export const API_PREFIX = 'api/v1';

/** Everything main.ts and the e2e tests must configure identically. */
export function configureApp(app: INestApplication, opts: { trustProxy?: boolean | number | string[] } = {}): void {
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  express.set('trust proxy', opts.trustProxy ?? false);
  express.useBodyParser('json', { limit: '1mb' });
  app.use(assignRequestId);
  app.setGlobalPrefix(API_PREFIX);
  app.useGlobalPipes(createValidationPipe());

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
