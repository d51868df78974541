import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { databaseConfig } from './database.config';
import { DatabaseBootstrap } from './database-bootstrap.service';

@Global()
@Module({
  imports: [ConfigModule.forFeature(databaseConfig)],
  providers: [DatabaseBootstrap],
  exports: [DatabaseBootstrap, ConfigModule],
})
class DatabaseBootstrapModule {}

@Module({})
export class DatabaseModule {
  static forRoot(): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        DatabaseBootstrapModule,
        TypeOrmModule.forRootAsync({
          inject: [DatabaseBootstrap],
          useFactory: (bootstrap: DatabaseBootstrap) => bootstrap.typeOrmOptions(),
        }),
      ],
      exports: [DatabaseBootstrapModule],
    };
  }
}
