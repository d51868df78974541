import { Module } from '@nestjs/common';
import { AccessRepository } from './access.repository';

/** The object-level access checks (access.ts), for the libraries whose services check ids (evidence, packets). */
@Module({
  providers: [AccessRepository],
  exports: [AccessRepository],
})
export class AccessModule {}
