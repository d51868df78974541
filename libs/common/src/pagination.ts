import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export class PageQuery {
  /** 1-based page number; at most 1,000,000 (beyond any list here, and (page - 1) x pageSize stays a safe offset). */
  @ApiPropertyOptional({ minimum: 1, maximum: 1_000_000, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page: number = 1;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  pageSize: number = 20;
}

/**
 * The paging facts every offset-paginated list answers with. Concrete page classes (CasePage,
 * UserPage, ReviewQueuePage...) extend it with their typed `items`, so OpenAPI can describe them.
 */
export abstract class PageMeta {
  @ApiProperty({ type: Number, minimum: 1, description: '1-based page number, as requested' })
  page: number;

  @ApiProperty({ type: Number, minimum: 1, maximum: 100, description: 'Items per page, as requested' })
  pageSize: number;

  @ApiProperty({ type: Number, minimum: 0, description: 'Items matching the filters, across all pages' })
  total: number;
}

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

export function pageOf<T>(items: T[], total: number, q: PageQuery): Page<T> {
  return { items, page: q.page, pageSize: q.pageSize, total };
}
