export * from './storage.module';
export * from './storage.config';
export * from './storage.service';
export * from './storage-errors';
export * from './object-writer';
export * from './embedded/embedded-s3';
export * from './exact-length';
