import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { join } from 'node:path';
import { TypeOrmModuleOptions } from '@nestjs/typeorm';
import { databaseConfig } from './database.config';
import { dataSourceOptions, pendingMigrations, runMigrations } from './data-source-options';
import { EmbeddedPostgresHandle, startEmbeddedPostgres } from './embedded/embedded-postgres';

/**
 * Resolves where the database is (configured URL, or an embedded PostgreSQL under
 * <DATA_DIR>/postgres), applies migrations as the schema owner (or, with
 * DATABASE_MIGRATE_ON_START=false, checks that none is pending), and hands TypeORM the API's own connection.
 */
@Injectable()
export class DatabaseBootstrap implements OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseBootstrap.name);
  private embedded?: EmbeddedPostgresHandle;

  constructor(@Inject(databaseConfig.KEY) private readonly config: ConfigType<typeof databaseConfig>) {}

  get isEmbedded(): boolean {
    return this.config.embedded;
  }

  async typeOrmOptions(): Promise<TypeOrmModuleOptions> {
    let appUrl: string;
    let ownerUrl: string;
    if (this.config.embedded) {
      this.embedded = await startEmbeddedPostgres({
        dir: join(this.config.dataDir, 'postgres'),
        secretsDir: this.config.dataDir,
        database: 'ion',
      });
      this.logger.log(
        `Embedded PostgreSQL on 127.0.0.1:${this.embedded.port}, data in ${join(this.config.dataDir, 'postgres')}`,
      );
      appUrl = this.embedded.appUrl;
      ownerUrl = this.embedded.ownerUrl;
    } else {
      appUrl = this.config.url!;
      ownerUrl = this.config.migrationUrl!;
    }
    if (this.config.migrateOnStart) {
      const applied = await runMigrations(ownerUrl);
      if (applied.length) this.logger.log(`Applied migrations: ${applied.join(', ')}`);
    } else {
      const pending = await pendingMigrations(appUrl);
      if (pending.length) {
        throw new Error(
          `DATABASE_MIGRATE_ON_START=false and ${pending.length} migration(s) are pending (${pending.join(', ')}): ` +
            'run the migrations (cli migrate, as the schema owner) before starting the API.',
        );
      }
    }
    return {
      ...dataSourceOptions(appUrl, {
        poolSize: this.config.poolSize,
        statementTimeoutMs: this.config.statementTimeoutMs,
        connectTimeoutMs: this.config.connectTimeoutMs,
      }),
      autoLoadEntities: true,
      retryAttempts: 3,
      retryDelay: 1000,
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.embedded) {
      await this.embedded.stop();
      this.embedded = undefined;
    }
  }
}
