export * from './evidence.module';
export * from './evidence.service';
export * from './evidence.config';
export * from './evidence.entity';
export * from './evidence.mapper';
export * from './evidence-vocabulary';
export * from './upload-journal';
export * from './dto/evidence.dto';
