import { Controller, Get } from '@nestjs/common';
import { ApiDefaultResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '@app/auth';
import { API_ERROR } from '../http/api-error-body';
import { KeyRegistry } from './key-registry.service';
import { PublishedKeys } from './keys.dto';

@ApiTags('keys')
@ApiDefaultResponse(API_ERROR)
@Controller('keys')
export class KeysController {
  constructor(private readonly registry: KeyRegistry) {}

  @Get()
  @Public()
  @ApiOperation({
    summary: "The service's public Ed25519 keys, to verify audit exports, checkpoints and packets offline",
    description: 'The current key first (`current: true`), then every key the service signed with before a rotation.',
  })
  @ApiOkResponse({ type: PublishedKeys })
  async keys(): Promise<PublishedKeys> {
    return { keys: await this.registry.published() };
  }
}
