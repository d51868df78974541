export * from './personnel.module';
export * from './personnel.service';
export * from './personnel.mapper';
export * from './dto/personnel.dto';
