import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AuditModule } from '@app/audit';
import { AuthModule } from '@app/auth';
import { EvidenceModule } from '@app/evidence';
import { PacketsModule } from '@app/packets';
import { TicketsController } from './tickets.controller';
import { ticketsConfig } from './tickets.config';
import { TicketsService } from './tickets.service';

/** Download and playback tickets: POST …/tickets on an evidence item, a packet archive or an audit export; GET /tickets/{ticket}. */
@Module({
  imports: [ConfigModule.forFeature(ticketsConfig), AuditModule, AuthModule, EvidenceModule, PacketsModule],
  controllers: [TicketsController],
  providers: [TicketsService],
})
export class TicketsModule {}
