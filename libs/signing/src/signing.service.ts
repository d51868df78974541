import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { createPublicKey, KeyObject } from 'node:crypto';
import { keyIdOf, privateKeyFromPem, signMessage } from './signing-keys';
import { signingConfig } from './signing.config';
import { PublicKeyView } from './dto/public-key-view';

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
