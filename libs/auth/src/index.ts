export * from './auth.module';
export * from './auth.service';
export * from './users.service';
export * from './demo-users.seeder';
export * from './permissions';
export * from './decorators';
export * from './user.mapper';
export * from './dto/user.dto';
