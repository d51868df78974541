import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { AuditModule } from '@app/audit';
import { ClockModule } from '@app/common';
import { AuthModule } from '@app/auth';
import { CasesModule } from '@app/cases';
import { DatabaseModule } from '@app/database';
import { EvidenceModule } from '@app/evidence';
import { PacketsModule } from '@app/packets';
import { PersonnelModule } from '@app/personnel';
import { SigningModule } from '@app/signing';
import { StorageModule } from '@app/storage';
import { appConfig } from './app.config';
import { AuditArchiveService } from './audit/audit-archive.service';
import { AuditController } from './audit/audit.controller';
import { AuthController } from './auth/auth.controller';
import { CasesController } from './cases/cases.controller';
import { EvidenceController } from './evidence/evidence.controller';
import { EvidenceUploadsController } from './evidence/evidence-uploads.controller';
import { FederalPersonnelController } from './federal-personnel/federal-personnel.controller';
import { HealthController } from './health/health.controller';
import { KeyRegistry } from './keys/key-registry.service';
import { KeysController } from './keys/keys.controller';
import { PacketsController } from './packets/packets.controller';
import { PacketReviewController } from './packets/packet-review.controller';
import { PublicStatisticsController } from './statistics/public-statistics.controller';
import { PublicStatisticsService } from './statistics/public-statistics.service';
import { TicketsModule } from './tickets/tickets.module';
import { AttentionModule } from './attention/attention.module';
import { ApiExceptionFilter } from './http/api-exception.filter';
import { loggingOptions } from './http/logging';
import { QueryParamsInterceptor } from './http/query-params';
import { PostgresThrottlerStorage, rateLimitOptions } from './http/rate-limit';
import { RequestContextMiddleware } from './http/request-context.middleware';
import { UsersController } from './users/users.controller';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [appConfig] }),
    LoggerModule.forRootAsync({ inject: [ConfigService], useFactory: loggingOptions }),
    ClockModule,
    DatabaseModule.forRoot(),
    SigningModule,
    AuditModule,
    AuthModule,
    CasesModule,
    StorageModule,
    EvidenceModule,
    PacketsModule,
    PersonnelModule,
    TicketsModule,
    AttentionModule,
    ThrottlerModule.forRootAsync({
      inject: [ConfigService, DataSource],
      useFactory: (config: ConfigService, ds: DataSource) => rateLimitOptions(config, new PostgresThrottlerStorage(ds)),
    }),
  ],
  controllers: [
    AuthController,
    UsersController,
    CasesController,
    EvidenceController,
    EvidenceUploadsController,
    PacketsController,
    PacketReviewController,
    AuditController,
    KeysController,
    HealthController,
    FederalPersonnelController,
    PublicStatisticsController,
  ],
  providers: [
    { provide: APP_FILTER, useClass: ApiExceptionFilter },
    { provide: APP_INTERCEPTOR, useClass: QueryParamsInterceptor },
    AuditArchiveService,
    KeyRegistry,
    PublicStatisticsService,
  ],
})
export class AppModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestContextMiddleware).forRoutes({ path: '{*splat}', method: RequestMethod.ALL });
  }
}
