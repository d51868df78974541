import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { STATISTICS_TABLE_IDS, type StatisticsTableId, type StatisticsUnit } from './statistics-tables';

export const STATISTICS_FORMATS = ['json', 'csv'] as const;

export class PublicStatisticsQuery {
  @ApiPropertyOptional({
    enum: STATISTICS_FORMATS,
    default: 'json',
    description: 'csv: the same cells as a CSV download (one line per cell)',
  })
  @IsOptional()
  @IsIn(STATISTICS_FORMATS, { message: `format must be one of ${STATISTICS_FORMATS.join(', ')}` })
  format?: (typeof STATISTICS_FORMATS)[number];
}

export class StatisticsCell {
  @ApiProperty({
    type: Number,
    nullable: true,
    minimum: 10,
    description: 'The count; null when withheld (see suppressed). Never below 10.',
  })
  count: number | null;

  @ApiProperty({
    enum: ['FEWER_THAN_10', 'COMPLEMENTARY'],
    enumName: 'StatisticsSuppression',
    nullable: true,
    description:
      'Why the count is withheld: FEWER_THAN_10 (the count is below 10, zero included), or COMPLEMENTARY ' +
      '(10 or more, withheld so that no smaller count can be worked out from totals). Null when published.',
  })
  suppressed: 'FEWER_THAN_10' | 'COMPLEMENTARY' | null;
}

export class StatisticsRow {
  @ApiProperty({ type: String, example: '2026-09', description: 'Month of first referral, Chicago time (YYYY-MM)' })
  month: string;

  @ApiProperty({ type: [StatisticsCell], description: 'One cell per category, in the order of `categories`' })
  cells: StatisticsCell[];

  @ApiProperty({ type: StatisticsCell, description: 'The month over all categories' })
  total: StatisticsCell;
}

export class StatisticsTable {
  @ApiProperty({
    enum: STATISTICS_TABLE_IDS,
    enumName: 'StatisticsTableId',
    description: 'The dimension the months are broken down by',
  })
  id: StatisticsTableId;

  @ApiProperty({
    enum: ['CASES', 'AGENCY_INVOLVEMENTS'],
    enumName: 'StatisticsUnit',
    description:
      'CASES: each referred case once. AGENCY_INVOLVEMENTS: a case naming two agencies counts once under each.',
  })
  unit: StatisticsUnit;

  @ApiProperty({
    type: [String],
    description: 'Category codes (the vocabularies of the order; NOT_RECORDED, AWAITING_DECISION)',
  })
  categories: string[];

  @ApiProperty({ type: [StatisticsRow] })
  rows: StatisticsRow[];

  @ApiProperty({ type: [StatisticsCell], description: 'Each category over all months' })
  columnTotals: StatisticsCell[];

  @ApiProperty({ type: StatisticsCell, description: 'Everything in the table' })
  total: StatisticsCell;
}

export class PublicStatistics {
  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'When the counts were computed, from committed data (one database snapshot)',
  })
  computedAt: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'Until when this computation is served; the next request after it computes again',
  })
  nextComputationAfter: string;

  @ApiProperty({ type: Number, example: 10, description: 'No count below this is published' })
  threshold: number;

  @ApiProperty({ type: String, example: 'America/Chicago', description: 'The time zone months are counted in' })
  timeZone: string;

  @ApiProperty({
    type: String,
    format: 'hex',
    description:
      'SHA-256 of the published tables (canonical JSON), as recorded in the audit event statistics.published',
  })
  sha256: string;

  @ApiProperty({ type: [StatisticsTable] })
  tables: StatisticsTable[];
}
