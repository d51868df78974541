import { DISPOSITIONS } from '@app/cases';
import { PROSECUTOR_OFFICES, ProsecutorOffice } from '@app/common';

export const PACKET_STATUSES = ['PENDING', 'IN_REVIEW', 'DECIDED'] as const;
export type PacketStatus = (typeof PACKET_STATUSES)[number];

export type PacketOffice = ProsecutorOffice;
export const PACKET_OFFICE_VALUES = PROSECUTOR_OFFICES;

/** A decision closes the case with a disposition, or returns it to its officer for more information. */
export const PACKET_DECISIONS = [...DISPOSITIONS, 'MORE_INFO_REQUESTED'] as const;
export type PacketDecision = (typeof PACKET_DECISIONS)[number];
