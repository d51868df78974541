export * from './database.module';
export * from './database.config';
export * from './database-bootstrap.service';
export * from './data-source-options';
export * from './db-errors';
export * from './embedded/embedded-postgres';
