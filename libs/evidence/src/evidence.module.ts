import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CasesModule } from '@app/cases';
import { evidenceConfig } from './evidence.config';
import { EvidenceEntity } from './evidence.entity';
import { EvidenceService } from './evidence.service';
import { UploadJanitor } from './upload-journal';

@Module({
  imports: [ConfigModule.forFeature(evidenceConfig), TypeOrmModule.forFeature([EvidenceEntity]), CasesModule],
  providers: [EvidenceService, UploadJanitor],
  exports: [EvidenceService, UploadJanitor],
})
export class EvidenceModule {}
