export * from './audit.module';
export * from './audit.service';
export * from './audit-hash';
export * from './audit.config';
export * from './audit-review.service';
export * from './checkpoint.service';
export * from './export-format';
export * from './dto/audit-query.dto';
