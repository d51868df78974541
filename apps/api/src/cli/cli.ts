/* Operator commands. Usage:
 *   npm run cli -- migrate
 *   npm run cli -- create-admin --username NAME --display-name "Full Name"   (password asked, or piped on stdin)
 *   npm run cli -- audit-archive --before 2025-01-01T00:00:00Z   (signed export of audit rows older than that, and
 *                                                                  than 365 days, to object storage; see docs/operations.md, "Audit retention")
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { userInfo } from 'node:os';
import { createInterface } from 'node:readline';
import { UsersService } from '@app/auth';
import { applyMigrationsInThisProcess, DatabaseBootstrap } from '@app/database';
import { AppModule } from '../app.module';
import { AuditArchiveService } from '../audit/audit-archive.service';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    let data = '';
    for await (const chunk of process.stdin) data += chunk;
    return data.replace(/\r?\n$/, '');
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const rlOut = rl as unknown as { _writeToOutput: (s: string) => void };
  const ask = (q: string) =>
    new Promise<string>((res) => {
      process.stdout.write(q);
      rlOut._writeToOutput = () => undefined;
      rl.question('', (a) => res(a));
    });
  const a = await ask('Password (min 12 characters): ');
  process.stdout.write('\n');
  const b = await ask('Repeat password: ');
  process.stdout.write('\n');
  rl.close();
  if (a !== b) throw new Error('The passwords do not match.');
  return a;
}

async function main(): Promise<void> {
  const command = process.argv[2];
  if (command !== 'migrate' && command !== 'create-admin' && command !== 'audit-archive') {
    console.error(
      'usage: cli migrate | cli create-admin --username NAME --display-name "FULL NAME" | cli audit-archive --before ISO-DATE',
    );
    process.exit(2);
  }
  const before = arg('before');
  if (command === 'audit-archive' && (!before || Number.isNaN(Date.parse(before)))) {
    console.error('audit-archive needs --before with an ISO 8601 date, e.g. --before 2025-01-01T00:00:00Z');
    process.exit(2);
  }
  const username = arg('username');
  const displayName = arg('display-name') ?? username;
  if (command === 'create-admin' && !username) {
    console.error('create-admin needs --username');
    process.exit(2);
  }
  const password = command === 'create-admin' ? await readPassword() : '';
  if (command === 'create-admin' && password.length < 12) {
    console.error('The password must be at least 12 characters.');
    process.exit(2);
  }
  // Booting the application context applies migrations (and, on embedded defaults, starts PostgreSQL).
  // `migrate` is the migration job, so it migrates even where the API replicas are set only to check.
  if (command === 'migrate') applyMigrationsInThisProcess();
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'], abortOnError: false });
  try {
    if (command === 'migrate') {
      console.log(
        `Migrations are up to date (${app.get(DatabaseBootstrap).isEmbedded ? 'embedded' : 'configured'} database).`,
      );
    } else if (command === 'audit-archive') {
      const r = await app.get(AuditArchiveService).archive(new Date(before!), userInfo().username);
      console.log(
        r
          ? `Archived audit seq ${r.fromSeq}..${r.toSeq} (${r.rows} rows, ${r.bytes} bytes, sha256 ${r.sha256}) to ${r.objectKey}; ` +
              `a DBA may now run: SELECT audit_drop_archived(${r.toSeq});`
          : 'Nothing to archive: no audit rows before that date that are not archived already.',
      );
    } else {
      const user = await app.get(UsersService).createFirstAdmin(username!, displayName!, password);
      console.log(`Created administrator ${user.username} (${user.id}).`);
    }
  } finally {
    await app.close();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
