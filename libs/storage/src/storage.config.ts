import { registerAs } from '@nestjs/config';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { resolve } from 'node:path';
import { validateEnv } from '@app/common';

class StorageEnv {
  /** S3 API endpoint, e.g. https://s3.us-east-2.amazonaws.com or http://minio:9000. Unset: embedded S3 server. */
  @IsOptional()
  @Matches(/^https?:\/\/[^/\s]+\/?$/, {
    message: 'must be an http:// or https:// URL with no path, e.g. http://minio:9000',
  })
  S3_ENDPOINT?: string;

  @IsOptional()
  @Matches(/^[a-z0-9-]{2,40}$/, { message: 'must be a region name such as us-east-1' })
  S3_REGION?: string;

  @IsOptional()
  @IsString()
  @MinLength(3)
  S3_ACCESS_KEY?: string;

  @IsOptional()
  @IsString()
  @MinLength(3)
  S3_SECRET_KEY?: string;

  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
    message: 'must be a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)',
  })
  S3_BUCKET?: string;

  /** Create the bucket at boot when it does not exist (with Object Lock requested). */
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'must be true or false' })
  S3_CREATE_BUCKET?: string;

  /** Refuse to boot unless the bucket has S3 Object Lock (WORM). */
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'must be true or false' })
  STORAGE_REQUIRE_WORM?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  STORAGE_RETENTION_YEARS?: number;

  @IsOptional()
  @IsIn(['COMPLIANCE', 'GOVERNANCE'], { message: 'must be COMPLIANCE or GOVERNANCE' })
  STORAGE_RETENTION_MODE?: string;

  /** Multipart part size; S3 requires at least 5 MiB for all parts but the last. */
  @IsOptional()
  @IsInt()
  @Min(5)
  @Max(512)
  STORAGE_PART_SIZE_MB?: number;

  /** Multipart parts of one upload sent at once; memory per upload is (this + 1) x the part size. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(16)
  STORAGE_UPLOAD_CONCURRENCY?: number;

  @IsOptional()
  @IsString()
  DATA_DIR?: string;
}

export interface StorageConfig {
  /** True when no S3_ENDPOINT is configured and the embedded S3 server is used. */
  embedded: boolean;
  endpoint?: string;
  region: string;
  accessKey?: string;
  secretKey?: string;
  bucket: string;
  createBucket: boolean;
  requireWorm: boolean;
  retentionYears: number;
  retentionMode: 'COMPLIANCE' | 'GOVERNANCE';
  partSizeBytes: number;
  /** Parts of one multipart upload in flight at once (ObjectWriter). */
  uploadConcurrency: number;
  dataDir: string;
}

/**
 * Parts in flight per upload by default: with 8 MiB parts, (2 + 1) x 8 = 24 MiB of memory per upload. More parts
 * in flight only help where the API has spare CPU; on a 2-core machine with the engine beside it, 4 measured no
 * faster and took the API's RSS growth for a 1 GiB upload to 88-99 MB (bench/upload.js).
 */
export const DEFAULT_UPLOAD_CONCURRENCY = 2;

export function loadStorageConfig(env: Record<string, string | undefined> = process.env): StorageConfig {
  const v = validateEnv(StorageEnv, env);
  if (v.S3_ENDPOINT && (!v.S3_ACCESS_KEY || !v.S3_SECRET_KEY)) {
    throw new Error('Invalid configuration:\n  S3_ACCESS_KEY, S3_SECRET_KEY: required when S3_ENDPOINT is set');
  }
  return {
    embedded: !v.S3_ENDPOINT,
    endpoint: v.S3_ENDPOINT?.replace(/\/$/, ''),
    region: v.S3_REGION ?? 'us-east-1',
    accessKey: v.S3_ACCESS_KEY,
    secretKey: v.S3_SECRET_KEY,
    bucket: v.S3_BUCKET ?? 'ion-evidence',
    createBucket: (v.S3_CREATE_BUCKET ?? 'true') === 'true',
    requireWorm: v.STORAGE_REQUIRE_WORM === 'true',
    retentionYears: v.STORAGE_RETENTION_YEARS ?? 7,
    retentionMode: (v.STORAGE_RETENTION_MODE as 'COMPLIANCE' | 'GOVERNANCE' | undefined) ?? 'COMPLIANCE',
    partSizeBytes: (v.STORAGE_PART_SIZE_MB ?? 8) * 1024 * 1024,
    uploadConcurrency: v.STORAGE_UPLOAD_CONCURRENCY ?? DEFAULT_UPLOAD_CONCURRENCY,
    dataDir: resolve(v.DATA_DIR ?? '.data'),
  };
}

export const storageConfig = registerAs('storage', () => loadStorageConfig());
