export * from './cases.module';
export * from './cases.service';
export * from './case-state';
export * from './case-vocabulary';
export * from './checklist';
export * from './case.mapper';
export * from './dto/case.dto';
