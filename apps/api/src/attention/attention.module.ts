import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AuditModule } from '@app/audit';
import { packetsConfig } from '@app/packets';
import { AttentionController } from './attention.controller';
import { AttentionService } from './attention.service';

/** GET /me/attention: the home screen's work queues (issue 16). */
@Module({
  imports: [ConfigModule.forFeature(packetsConfig), AuditModule],
  controllers: [AttentionController],
  providers: [AttentionService],
})
export class AttentionModule {}
