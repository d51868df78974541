import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { auditConfig } from './audit.config';
import { AuditEventEntity } from './audit-event.entity';
import { AuditReviewService } from './audit-review.service';
import { AuditService } from './audit.service';
import { CheckpointService } from './checkpoint.service';

@Global()
@Module({
  imports: [ConfigModule.forFeature(auditConfig), TypeOrmModule.forFeature([AuditEventEntity])],
  providers: [AuditService, CheckpointService, AuditReviewService],
  exports: [AuditService, CheckpointService, AuditReviewService],
})
export class AuditModule {}
