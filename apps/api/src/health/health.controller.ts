import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '@app/auth';
import { StorageService } from '@app/storage';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly storage: StorageService,
  ) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Liveness and readiness: database and storage reachability, and whether storage offers WORM (Object Lock)' })
  async health(@Res({ passthrough: true }) res: Response) {
    const started = Date.now();
    const storageCheck = this.storage.health();
    let database: { status: 'up' | 'down'; latencyMs?: number; error?: string };
    try {
      await Promise.race([
        this.ds.query('SELECT 1'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 2000 ms')), 2000).unref()),
      ]);
      database = { status: 'up', latencyMs: Date.now() - started };
    } catch (e) {
      database = { status: 'down', error: e instanceof Error && /timed out/.test(e.message) ? 'timed out' : 'unreachable' };
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
