import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { IsSingleLine } from '@app/common';

const NOT_BLANK = /\S/;

/** POST /evidence/:id/legal-hold/release: only after the case ended, with the authority that allows it. */
export class ReleaseLegalHoldDto {
  @ApiProperty({
    maxLength: 4000,
    example: 'People v. Doe ended with a final judgment on 2031-03-02; no appeal was filed within the time allowed.',
    description: 'Why the footage no longer needs to be held (multi-line)',
  })
  @IsString()
  @Length(1, 4000)
  @Matches(NOT_BLANK, { message: 'reason must not be blank' })
  reason: string;

  @ApiProperty({
    maxLength: 200,
    example: '2026-CR-0012345 order of 2031-03-09',
    description: 'The court order number or prosecutor office reference that allows the release (one line)',
  })
  @IsString()
  @Length(1, 200)
  @Matches(NOT_BLANK, { message: 'reference must not be blank' })
  @IsSingleLine()
  reference: string;
}

/** POST /evidence/:id/legal-hold: (again) at any time, with a reason. */
export class PlaceLegalHoldDto {
  @ApiProperty({
    maxLength: 4000,
    example: 'Defence filed a motion to reopen; the footage must be preserved.',
    description: 'Why (multi-line)',
  })
  @IsString()
  @Length(1, 4000)
  @Matches(NOT_BLANK, { message: 'reason must not be blank' })
  reason: string;

  @ApiPropertyOptional({
    maxLength: 200,
    example: '2026-CR-0012345',
    description: 'A court or office reference, if there is one (one line)',
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @Matches(NOT_BLANK, { message: 'reference must not be blank' })
  @IsSingleLine()
  reference?: string;
}
