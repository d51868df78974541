import { ApiProperty } from '@nestjs/swagger';
import { missingForSubmit, type OrderChecklistInput } from './order-rules';

/** One requirement of the order that the case does not meet yet. */
export class ChecklistItem {
  @ApiProperty({
    type: String,
    example: 'narrative',
    description:
      'The missing item: incidentAt, incidentLocation, origin, activityType, agencies, narrative, ' +
      'federalSupervisorIdentification, injuriesReported, injuryDescription, emsCalled, emsCalledAt, aidGiven or ' +
      'evidenceOrNoFootageReason (video footage: an active BWC or OTHER_VIDEO item whose bytes are video, or a noFootageReason)',
  })
  item: string;

  @ApiProperty({ type: String, example: 'a narrative of what happened', description: 'What is missing, in words' })
  message: string;
}

/** The submit checklist of Executive Order 2026-01, computed live on every read. */
export class Checklist {
  @ApiProperty({ type: Boolean, description: 'True when nothing is missing and the author may submit' })
  complete: boolean;

  @ApiProperty({ type: () => [ChecklistItem] })
  missing: ChecklistItem[];
}

/**
 * What Executive Order 2026-01 requires before a case may be submitted. The rules live in
 * order-rules.ts (no imports), which the web console also runs while an officer types.
 */
export function caseChecklist(c: OrderChecklistInput, footageCount = 0): Checklist {
  const missing = missingForSubmit(c, footageCount);
  return { complete: missing.length === 0, missing };
}
