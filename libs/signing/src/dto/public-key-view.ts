import { ApiProperty } from '@nestjs/swagger';

/** A public key of the service, to verify what it signed offline. */
export class PublicKeyView {
  @ApiProperty({
    type: String,
    example: 'ed25519:0123456789abcdef',
    description: '`ed25519:` + 16 hex digits of SHA-256(SPKI DER): recomputable from the key',
  })
  id: string;

  @ApiProperty({ enum: ['Ed25519'] })
  algorithm: 'Ed25519';

  @ApiProperty({ type: String, description: 'PEM (SPKI)' })
  publicKeyPem: string;

  @ApiProperty({ type: Boolean, description: 'True for the key the service signs with now' })
  current: boolean;
}
