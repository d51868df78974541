export * from './signing.module';
export * from './signing.service';
export * from './dto/public-key-view';
export * from './signing.config';
export * from './signing-keys';
