import type { Fixture } from '../authz-matrix';
import type { Given, TestUser } from './test-app';

/** One record in each state the authz matrix's routes act on, for suites that call every route. */
export interface RouteFixtures {
  /** The id each matrix row's `fixture` names (none: null). */
  ids: Record<Fixture, string | null>;
  /** Case versions for If-Match, by case id. */
  versions: Map<string, number>;
  /** A DRAFT case of the officer that only ever receives refused uploads. */
  uploadCase: { id: string };
  /** The case of the `evidence` fixture, and the case of the claimed packet. */
  evidenceCaseId: string;
  claimedCaseId: string;
  /** The second id a fixture's body needs (authz-matrix BodyContext.related), by fixture. */
  related: Partial<Record<Fixture, string>>;
  /** The `:uploadId` of the uploadingCase fixture: a tus upload (issue 18) the officer created, nothing sent yet. */
  tusUploadId: string;
}

/**
 * Builds them with the suite's users: `target` is a user the ADMIN routes act on; the claimed packet is
 * claimed by `prosecutor` (CCSAO). Used by the fuzz and control-characters suites.
 */
export async function buildRouteFixtures(
  g: Given,
  u: { officer: TestUser; supervisor: TestUser; prosecutor: TestUser; target: TestUser },
): Promise<RouteFixtures> {
  const { officer, supervisor, prosecutor, target } = u;
  const draft = await g.caseReadyToSubmit(officer);
  const submitted = await g.submittedCase(officer);
  const approved = await g.approvedCase(officer, supervisor);
  const evCase = await g.caseReadyToSubmit(officer);
  const ev = await g.evidence(officer, evCase.id);
  const withdrawnCase = await g.caseReadyToSubmit(officer);
  const withdrawnEvidence = await g.evidence(officer, withdrawnCase.id);
  await g.withdraw(supervisor, withdrawnCase.id, withdrawnCase.version);
  const referred = await g.caseReadyToSubmit(officer);
  const packetEvidence = await g.evidence(officer, referred.id);
  await g.submit(officer, referred.id);
  await g.approve(supervisor, referred.id);
  const packet = await g.sendPacket(supervisor, referred.id, 'CCSAO');
  const claimed = await g.sentPacket(officer, supervisor, 'CCSAO');
  await g.claim(prosecutor, claimed.id);
  // Issue 16: a packet the prosecutor decided (external reference ROUTE-REF-1), whose reference may be corrected.
  const decided = await g.sentPacket(officer, supervisor, 'CCSAO');
  await g.claim(prosecutor, decided.id);
  await g.decide(prosecutor, decided.id, {
    decision: 'CHARGES_FILED',
    reason: 'Probable cause.',
    externalReference: 'ROUTE-REF-1',
  });
  const uploadCase = await g.draftCase(officer);
  const ticket = await g.ticket(officer, ev.id);
  // Two entries of the federal personnel index (a case sent to CCSAO), and a second pair linked by the supervisor.
  const personnel = await g.personnelEntries(officer, supervisor, 'CCSAO');
  const linked = await g.personnelEntries(officer, supervisor, 'CCSAO');
  const link = await g.personnelLink(supervisor, linked.entryId, linked.otherEntryId);
  // A tus upload (issue 18) the officer created on a draft case: the `:uploadId` of the routes under /evidence/uploads.
  const uploading = await g.caseReadyToSubmit(officer);
  const tus = await g.tusUpload(officer, uploading.id, 4096);
  const versions = new Map<string, number>();
  for (const c of [draft, submitted, approved, uploading]) versions.set(c.id, c.version);
  return {
    ids: {
      none: null,
      draftCase: draft.id,
      submittedCase: submitted.id,
      approvedCase: approved.id,
      referredCase: referred.id,
      targetUser: target.id,
      evidence: ev.id,
      packetEvidence: packetEvidence.id,
      withdrawnEvidence: withdrawnEvidence.id,
      packet: packet.id,
      claimedPacket: claimed.id,
      decidedPacket: decided.id,
      evidenceTicket: ticket.ticket,
      personnelEntry: personnel.entryId,
      personnelLink: link.id,
      uploadingCase: uploading.id,
    },
    related: { personnelEntry: personnel.otherEntryId, personnelLink: linked.entryId },
    versions,
    uploadCase,
    evidenceCaseId: evCase.id,
    claimedCaseId: claimed.caseId,
    tusUploadId: tus.uploadId,
  };
}
