import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { join } from 'node:path';
import { TypeOrmModuleOptions } from '@nestjs/typeorm';
import { databaseConfig } from './database.config';
import { dataSourceOptions, runMigrations } from './data-source-options';
import { EmbeddedPostgresHandle, startEmbeddedPostgres } from './embedded/embedded-postgres';

/**
 * Resolves where the database is (configured URL, or an embedded PostgreSQL under
 * <DATA_DIR>/postgres), applies migrations as the schema owner, and hands TypeORM the
 * API's own connection.
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
      this.logger.log(`Embedded PostgreSQL on 127.0.0.1:${this.embedded.port}, data in ${join(this.config.dataDir, 'postgres')}`);
      appUrl = this.embedded.appUrl;
      ownerUrl = this.embedded.ownerUrl;
    } else {
      appUrl = this.config.url!;
      ownerUrl = this.config.migrationUrl!;
    }
    const applied = await runMigrations(ownerUrl);
    if (applied.length) this.logger.log(`Applied migrations: ${applied.join(', ')}`);
    return {
      ...dataSourceOptions(appUrl, { poolSize: this.config.poolSize }),
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
