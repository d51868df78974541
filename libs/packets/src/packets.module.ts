import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessModule } from '@app/auth';
import { CasesModule } from '@app/cases';
import { EvidenceModule } from '@app/evidence';
import { PacketEntity } from './packet.entity';
import { packetsConfig } from './packets.config';
import { PacketsRepository } from './packets.repository';
import { PacketsService } from './packets.service';
import { PacketReviewService } from './packet-review.service';

@Module({
  imports: [
    ConfigModule.forFeature(packetsConfig),
    TypeOrmModule.forFeature([PacketEntity]),
    CasesModule,
    EvidenceModule,
    AccessModule,
  ],
  providers: [PacketsService, PacketsRepository, PacketReviewService],
  exports: [PacketsService, PacketReviewService],
})
export class PacketsModule {}
