import { ApiProperty } from '@nestjs/swagger';
import { MANIFEST_FORMAT, PacketManifest } from '../packet-format';

/** The Ed25519 signature over the canonical JSON of a manifest. */
export class ManifestSignature {
  @ApiProperty({ enum: ['Ed25519'] })
  algorithm: 'Ed25519';

  @ApiProperty({ type: String, description: 'Id of the signing key (see GET /keys)' })
  keyId: string;

  @ApiProperty({ type: String, description: 'The signature, base64' })
  value: string;

  @ApiProperty({ type: String, description: 'The public key that verifies it, PEM (SPKI)' })
  publicKeyPem: string;
}

export class SignedManifestView {
  @ApiProperty({ type: String, format: 'uuid' })
  packetId: string;

  @ApiProperty({ type: String, example: 'ION-2026-000123' })
  caseNumber: string;

  @ApiProperty({ type: Number, minimum: 1, description: 'Packet version' })
  version: number;

  /** SHA-256 of the canonical JSON of `manifest` (which is exactly what was signed). */
  @ApiProperty({
    type: String,
    description: 'SHA-256 of the canonical JSON of `manifest` (which is exactly what was signed), lowercase hex',
  })
  manifestSha256: string;

  @ApiProperty({ type: () => ManifestSignature })
  signature: ManifestSignature;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      `The frozen manifest (format "${MANIFEST_FORMAT}"): packetId, version, office, sentAt, sentBy, previousPacket, case, ` +
      'federalOfficers, violations, approvals, evidence (each with archivePath, sizeBytes and sha256), checksums and signing. ' +
      'Its canonical JSON (keys sorted, no whitespace) is exactly the signed bytes.',
  })
  manifest: PacketManifest;
}
