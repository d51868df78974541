export * from './signing.module';
export * from './signing.service';
export * from './signing.config';
export * from './signing-keys';
