import { Module } from '@nestjs/common';
import { PersonnelRepository } from './personnel.repository';
import { PersonnelService } from './personnel.service';

@Module({
  providers: [PersonnelService, PersonnelRepository],
  exports: [PersonnelService],
})
export class PersonnelModule {}
