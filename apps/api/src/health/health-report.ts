import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DEPENDENCY_STATES, DependencyState, StorageHealth } from '@app/storage';

/** Whether the database answers `SELECT 1` within 2 s. */
export class DatabaseHealth {
  @ApiProperty({ enum: DEPENDENCY_STATES, enumName: 'DependencyState' })
  status: DependencyState;

  @ApiPropertyOptional({ type: Number, description: 'Present when up' })
  latencyMs?: number;

  @ApiPropertyOptional({ enum: ['timed out', 'unreachable'], description: 'Present when down' })
  error?: 'timed out' | 'unreachable';
}

export class StorageHealthCheck extends StorageHealth {
  @ApiProperty({ type: String, example: 'Object Lock enabled', description: 'What the WORM (Object Lock) probe found, in words' })
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
