import { Controller, Get, Res } from '@nestjs/common';
import {
  ApiDefaultResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '@app/auth';
import { StorageService } from '@app/storage';
import { API_ERROR } from '../http/api-error-body';
import { DatabaseHealth, HealthReport } from './health-report';

@ApiTags('health')
@ApiDefaultResponse(API_ERROR)
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly storage: StorageService,
  ) {}

  @Get()
  @Public()
  @ApiOperation({
    summary: 'Liveness and readiness: database and storage reachability, and whether storage offers WORM (Object Lock)',
  })
  @ApiOkResponse({ type: HealthReport, description: 'Database and storage are up (status "ok")' })
  @ApiServiceUnavailableResponse({
    type: HealthReport,
    description: 'Database or storage is down (status "unavailable"); the checks say which',
  })
  async health(@Res({ passthrough: true }) res: Response): Promise<HealthReport> {
    const started = Date.now();
    const storageCheck = this.storage.health();
    let database: DatabaseHealth;
    try {
      await Promise.race([
        this.ds.query('SELECT 1'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 2000 ms')), 2000).unref()),
      ]);
      database = { status: 'up', latencyMs: Date.now() - started };
    } catch (e) {
      database = {
        status: 'down',
        error: e instanceof Error && /timed out/.test(e.message) ? 'timed out' : 'unreachable',
      };
    }
    const storage = await storageCheck;
    const ok = database.status === 'up' && storage.status === 'up';
    res.status(ok ? 200 : 503);
    return {
      status: ok ? 'ok' : 'unavailable',
      checks: { database, storage: { ...storage, wormDetail: this.storage.worm.detail } },
    };
  }
}
