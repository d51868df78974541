import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '@app/auth';
import { SigningService } from '@app/signing';

@ApiTags('keys')
@Controller('keys')
export class KeysController {
  constructor(private readonly signing: SigningService) {}

  @Get()
  @Public()
  @ApiOperation({ summary: "The service's public Ed25519 key(s), to verify audit exports and packets offline" })
  keys() {
    return { keys: this.signing.publicKeys() };
  }
}
