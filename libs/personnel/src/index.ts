export * from './personnel.module';
export * from './personnel.service';
export * from './dto/personnel-views';
export * from './dto/personnel.dto';
