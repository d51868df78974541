import { Controller, Get, Query, Res, UseGuards } from '@nestjs/common';
import { ApiDefaultResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@app/auth';
import { ErrorCode } from '@app/common';
import { API_ERROR } from '../http/api-error-body';
import { ApiErrors } from '../http/openapi';
import { RateLimited, RateLimitGuard } from '../http/rate-limit';
import { PublicStatistics, PublicStatisticsQuery } from './public-statistics.dto';
import { PublicStatisticsService, STATISTICS_CACHE_SECONDS, statisticsCsv } from './public-statistics.service';

@ApiTags('public')
@ApiDefaultResponse(API_ERROR)
@Controller('public')
export class PublicStatisticsController {
  constructor(private readonly statistics: PublicStatisticsService) {}

  @Get('statistics')
  @Public()
  @UseGuards(RateLimitGuard)
  @RateLimited('statistics')
  @ApiOperation({
    summary:
      'Public statistics: cases referred to prosecutors, by month and by decision, activity, supervisor identification and agency',
    description:
      'No sign-in. No count below 10 is published (suppressed: FEWER_THAN_10, zero included), and further counts are withheld ' +
      '(suppressed: COMPLEMENTARY) so that no withheld count can be worked out from the others and the row, column and grand totals ' +
      'of all tables together. Nothing identifies a person, place or case. Counted from committed data in one snapshot ' +
      `(computedAt), served from a cache for ${STATISTICS_CACHE_SECONDS} s; rate-limited per client IP. ` +
      '`?format=csv` gives the same cells as CSV (one line per cell, withheld counts in words). A change in what is published is ' +
      'audited once as statistics.published (no reader identity); reads are not audited.',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({
    type: PublicStatistics,
    description: 'JSON, or with format=csv a text/csv attachment of the same cells',
  })
  @ApiErrors(ErrorCode.DependencyUnavailable)
  async get(
    @Query() q: PublicStatisticsQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PublicStatistics | string> {
    const doc = await this.statistics.get();
    if (q.format !== 'csv') return doc;
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="ion-public-statistics-${doc.computedAt.slice(0, 10)}.csv"`,
    );
    return statisticsCsv(doc);
  }
}
