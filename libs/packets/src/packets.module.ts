import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CasesModule } from '@app/cases';
import { EvidenceModule } from '@app/evidence';
import { PacketEntity } from './packet.entity';
import { packetsConfig } from './packets.config';
import { PacketsService } from './packets.service';
import { PacketReviewService } from './packet-review.service';

@Module({
  imports: [ConfigModule.forFeature(packetsConfig), TypeOrmModule.forFeature([PacketEntity]), CasesModule, EvidenceModule],
  providers: [PacketsService, PacketReviewService],
  exports: [PacketsService, PacketReviewService],
})
export class PacketsModule {}
