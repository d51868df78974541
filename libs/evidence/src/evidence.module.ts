import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessModule } from '@app/auth';
import { CasesModule } from '@app/cases';
import { evidenceConfig } from './evidence.config';
import { EvidenceEntity } from './evidence.entity';
import { EvidenceRepository } from './evidence.repository';
import { EvidenceService } from './evidence.service';
import { LegalHoldService } from './legal-hold.service';
import { TusUploadService } from './tus-uploads.service';
import { EvidenceUploadSessions, UploadJanitor } from './upload-journal';

@Module({
  imports: [
    ConfigModule.forFeature(evidenceConfig),
    TypeOrmModule.forFeature([EvidenceEntity]),
    CasesModule,
    AccessModule,
  ],
  providers: [
    EvidenceService,
    EvidenceRepository,
    LegalHoldService,
    EvidenceUploadSessions,
    UploadJanitor,
    TusUploadService,
  ],
  exports: [EvidenceService, LegalHoldService, UploadJanitor, TusUploadService],
})
export class EvidenceModule {}
