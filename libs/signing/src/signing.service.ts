import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ApiProperty } from '@nestjs/swagger';
import { createPublicKey, KeyObject } from 'node:crypto';
import { keyIdOf, privateKeyFromPem, signMessage } from './signing-keys';
import { signingConfig } from './signing.config';

/** A public key of the service, to verify what it signed offline. */
export class PublicKeyView {
  @ApiProperty({ type: String, example: 'ed25519:0123456789abcdef', description: '`ed25519:` + 16 hex digits of SHA-256(SPKI DER): recomputable from the key' })
  id: string;

  @ApiProperty({ enum: ['Ed25519'] })
  algorithm: 'Ed25519';

  @ApiProperty({ type: String, description: 'PEM (SPKI)' })
  publicKeyPem: string;

  @ApiProperty({ type: Boolean, description: 'True for the key the service signs with now' })
  current: boolean;
}

/** The service's Ed25519 signing key: signs audit checkpoints, export seals and packet manifests. */
@Injectable()
export class SigningService {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  readonly keyId: string;

  constructor(@Inject(signingConfig.KEY) config: ConfigType<typeof signingConfig>) {
    try {
      this.privateKey = privateKeyFromPem(config.privateKeyPem);
    } catch (e) {
      throw new Error(`Invalid configuration:\n  signing key from ${config.source}: ${(e as Error).message}`);
    }
    this.publicKey = createPublicKey(this.privateKey);
    this.keyId = keyIdOf(this.publicKey);
    new Logger(SigningService.name).log(`Signing key ${this.keyId} (from ${config.source})`);
  }

  get publicKeyPem(): string {
    return this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  sign(message: string): string {
    return signMessage(this.privateKey, message);
  }

  publicKeys(): PublicKeyView[] {
    return [{ id: this.keyId, algorithm: 'Ed25519', publicKeyPem: this.publicKeyPem, current: true }];
  }
}
