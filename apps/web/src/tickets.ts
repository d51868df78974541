import { followDownload, postJson } from './api/client';

/**
 * Short-lived, single-purpose tickets (one user, one item or archive or export, a few minutes): a media
 * element or a plain link cannot send the bearer token, and a token in a URL would end up in logs and
 * history. The console asks for one right before it is used and never keeps it.
 */
export type TicketPurpose = 'PLAYBACK' | 'DOWNLOAD';
export interface Ticket {
  ticket: string;
  /** Where a plain GET (no token) serves the content, with Range for evidence. */
  url: string;
  purpose: TicketPurpose;
  expiresAt: string;
}

export const evidenceTicket = (evidenceId: string, purpose: TicketPurpose) =>
  postJson<Ticket>(`/api/v1/evidence/${encodeURIComponent(evidenceId)}/tickets`, { purpose });

export const archiveTicket = (packetId: string) =>
  postJson<Ticket>(`/api/v1/packets/${encodeURIComponent(packetId)}/archive/tickets`, {});

export const auditExportTicket = (filters: Record<string, string>) =>
  postJson<Ticket>('/api/v1/audit/export/tickets', filters);

/** Gets a download ticket, then lets the browser fetch it as a plain link. */
export async function downloadWith(ticket: Promise<Ticket>): Promise<void> {
  followDownload((await ticket).url);
}
