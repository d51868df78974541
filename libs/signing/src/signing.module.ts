import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { signingConfig } from './signing.config';
import { SigningService } from './signing.service';

@Global()
@Module({
  imports: [ConfigModule.forFeature(signingConfig)],
  providers: [SigningService],
  exports: [SigningService],
})
export class SigningModule {}
