import { ApiProperty, PickType } from '@nestjs/swagger';
import { StorageHealth } from '@app/storage';

/** Whether the database answers `SELECT 1` within 2 s: the same shape as storage's, without the bucket and WORM facts. */
export class DatabaseHealth extends PickType(StorageHealth, ['status', 'latencyMs', 'error'] as const) {}

export class StorageHealthCheck extends StorageHealth {
  @ApiProperty({
    type: String,
    example: 'Object Lock enabled',
    description: 'What the WORM (Object Lock) probe found, in words',
  })
  wormDetail: string;
}

export class HealthChecks {
  @ApiProperty({ type: () => DatabaseHealth })
  database: DatabaseHealth;

  @ApiProperty({ type: () => StorageHealthCheck })
  storage: StorageHealthCheck;
}

/** GET /health: 200 with status "ok" when database and storage are up, else 503 with status "unavailable". */
export class HealthReport {
  @ApiProperty({ enum: ['ok', 'unavailable'] })
  status: 'ok' | 'unavailable';

  @ApiProperty({ type: () => HealthChecks })
  checks: HealthChecks;
}
