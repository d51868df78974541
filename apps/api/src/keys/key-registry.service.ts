import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SigningService } from '@app/signing';
import { PublishedKeyView } from './keys.dto';

/**
 * Remembers every key the service has signed with (table signing_keys), so that rotating the key
 * does not orphan what the old one signed: GET /keys lists the current key first, then the retired ones.
 */
@Injectable()
export class KeyRegistry implements OnApplicationBootstrap {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly signing: SigningService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ds.query(
      `INSERT INTO signing_keys (key_id, algorithm, public_key_pem) VALUES ($1, 'Ed25519', $2)
       ON CONFLICT (key_id) DO UPDATE SET last_used_at = now()`,
      [this.signing.keyId, this.signing.publicKeyPem],
    );
  }

  async published(): Promise<PublishedKeyView[]> {
    const rows: Array<{ key_id: string; public_key_pem: string; first_used_at: Date; last_used_at: Date }> =
      await this.ds.query(
        `SELECT key_id, public_key_pem, first_used_at, last_used_at FROM signing_keys ORDER BY first_used_at DESC, key_id`,
      );
    const current = this.signing.keyId;
    return rows
      .map((r) => ({
        id: r.key_id,
        algorithm: 'Ed25519' as const,
        publicKeyPem: r.public_key_pem,
        current: r.key_id === current,
        firstUsedAt: r.first_used_at.toISOString(),
        lastUsedAt: r.last_used_at.toISOString(),
      }))
      .sort((a, b) => Number(b.current) - Number(a.current));
  }
}
