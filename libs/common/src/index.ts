export * from './errors';
export * from './request-context';
export * from './clock';
export * from './canonical-json';
export * from './pagination';
export * from './jurisdiction';
export * from './config-validation';
export * from './local-secrets';
