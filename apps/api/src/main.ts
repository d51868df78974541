import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { Logger as PinoLogger } from 'nestjs-pino';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DemoUsersSeeder } from '@app/auth';
import { missingEmbeddedModule } from '@app/common';
import { AppConfig } from './app.config';
import { AppModule } from './app.module';
import { APP_OPTIONS, configureApp } from './app.setup';
import { startupLogger } from './http/logging';

/** JSON log lines from the first one: until the configured logger is attached, and if start-up fails. */
const startup = startupLogger();

async function bootstrap(): Promise<void> {
  const started = Date.now();
  // Before any default is created on disk: a production image started without configuration says what is missing.
  const missing = missingEmbeddedModule(process.env);
  if (missing) throw new Error(missing);
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { ...APP_OPTIONS, abortOnError: false, bufferLogs: true, logger: startup });
  app.useLogger(app.get(PinoLogger));
  const config = app.get(ConfigService).get<AppConfig>('app')!;
  configureApp(app, { trustProxy: config.trustProxy, webRoot: config.webRoot });
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);

  const logger = new Logger('Main');
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
  logger.log(`Ready in ${Date.now() - started} ms: web console ${url}/, API ${url}/api/v1, OpenAPI ${url}/api/docs`);
  const demo = app.get(DemoUsersSeeder).credentials;
  if (demo.length) {
    logger.warn(`Embedded mode: ${demo.length} demo users with fixed passwords; never use embedded mode for real records`);
    // For the person at the terminal, not for a log shipper: plain lines, after the start-up logs.
    await new Promise((r) => setTimeout(r, 100));
    const lines = demo.map((d) => `  ${d.role.padEnd(10)} ${d.username.padEnd(12)} ${d.password.padEnd(22)} ${d.scope}`);
    process.stdout.write(`\nEmbedded mode: demo users (role, username, password, scope):\n${lines.join('\n')}\n\nWeb console: ${url}/ (sign in as one of them)\n\n`);
  }
}

bootstrap().catch((e: unknown) => {
  // Start-up logs are buffered until the JSON logger is attached; a failure before that must still be seen.
  Logger.flush();
  startup.error(e instanceof Error ? e.message : `Failed to start: ${String(e)}`, 'Main');
  process.exit(1);
});
