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

/*
 * V8 sizes the old generation from what survives (here ~37 MB): by default its limit is set about 24 MB above it,
 * and the memory outside the JS heap that grew since the last full collection counts against that room. Every
 * chunk read from a socket is such memory (up to 32 MB of it dies young before a scavenge frees it), so while
 * evidence streams a full mark-compact ran every ~20 MiB moved: 30-40% of the API's CPU on an upload, an archive
 * or a tus upload (bench/upload.js, --trace-gc). `node --heap-growing-percent=300` (a limit growing to 4x the
 * surviving heap) leaves that room: the full collections stop and the API's CPU per GiB halves. It is a V8 option
 * given on the command line (`npm start`, the image's CMD), not set at run time, which Node documents as
 * undefined behaviour; NODE_OPTIONS does not accept it. Started without it, the service works, at twice the CPU.
 * docs/decisions/0008-heap-growing-percent.md.
 */
export const STREAMING_HEAP_FLAG = '--heap-growing-percent=300';

/** JSON log lines from the first one: until the configured logger is attached, and if start-up fails. */
const startup = startupLogger();

async function bootstrap(): Promise<void> {
  const started = Date.now();
  // Before any default is created on disk: a production image started without configuration says what is missing.
  const missing = missingEmbeddedModule(process.env);
  if (missing) throw new Error(missing);
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    ...APP_OPTIONS,
    abortOnError: false,
    bufferLogs: true,
    logger: startup,
  });
  app.useLogger(app.get(PinoLogger));
  const config = app.get(ConfigService).get<AppConfig>('app')!;
  configureApp(app, { trustProxy: config.trustProxy, webRoot: config.webRoot });
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);

  const logger = new Logger('Main');
  if (!process.execArgv.some((a) => a.startsWith('--heap-growing-percent'))) {
    logger.warn(
      `Started without node ${STREAMING_HEAP_FLAG} (as npm start and the image run it): streaming evidence costs about twice the CPU`,
    );
  }
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
  logger.log(`Ready in ${Date.now() - started} ms: web console ${url}/, API ${url}/api/v1, OpenAPI ${url}/api/docs`);
  const demo = app.get(DemoUsersSeeder).credentials;
  if (demo.length) {
    logger.warn(
      `Embedded mode: ${demo.length} demo users with fixed passwords; never use embedded mode for real records`,
    );
    // For the person at the terminal, not for a log shipper: plain lines, after the start-up logs.
    await new Promise((r) => setTimeout(r, 100));
    const lines = demo.map(
      (d) => `  ${d.role.padEnd(10)} ${d.username.padEnd(12)} ${d.password.padEnd(22)} ${d.scope}`,
    );
    process.stdout.write(
      `\nEmbedded mode: demo users (role, username, password, scope):\n${lines.join('\n')}\n\nWeb console: ${url}/ (sign in as one of them)\n\n`,
    );
  }
}

bootstrap().catch((e: unknown) => {
  // Start-up logs are buffered until the JSON logger is attached; a failure before that must still be seen.
  Logger.flush();
  startup.error(e instanceof Error ? e.message : `Failed to start: ${String(e)}`, 'Main');
  process.exit(1);
});
