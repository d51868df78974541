import { ApiProperty } from '@nestjs/swagger';
import { PublicKeyView } from '@app/signing';

export class PublishedKeyView extends PublicKeyView {
  @ApiProperty({ type: String, format: 'date-time', description: 'When the service first started with this key' })
  firstUsedAt: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'When the service last started with this key' })
  lastUsedAt: string;
}

/** GET /keys: the current key first, then every key used before a rotation. */
export class PublishedKeys {
  @ApiProperty({ type: () => [PublishedKeyView] })
  keys: PublishedKeyView[];
}
