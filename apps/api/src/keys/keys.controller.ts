import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '@app/auth';
import { KeyRegistry } from './key-registry.service';

@ApiTags('keys')
@Controller('keys')
export class KeysController {
  constructor(private readonly registry: KeyRegistry) {}

  @Get()
  @Public()
  @ApiOperation({
    summary: "The service's public Ed25519 keys, to verify audit exports, checkpoints and packets offline",
    description: 'The current key first (`current: true`), then every key the service signed with before a rotation.',
  })
  async keys() {
    return { keys: await this.registry.published() };
  }
}
