/**
 * What Executive Order 2026-01 requires before a case may be submitted, as one pure function with no
 * imports: the service gates submit with it and shows it on every case read, and the web console runs
 * the very same code while an officer types (the "still missing" list), so the two cannot disagree.
 */

export interface OrderChecklistInput {
  incidentAt?: unknown;
  incidentLocation?: string | null;
  origin?: string | null;
  activityType?: string | null;
  agencies?: readonly string[] | null;
  narrative?: string | null;
  federalOfficers?:
    | readonly { isSupervisor: boolean; identificationOutcome?: string | null; identificationMethod?: string | null }[]
    | null;
  injuriesReported?: boolean | null;
  injuryDescription?: string | null;
  emsCalled?: boolean | null;
  emsCalledAt?: unknown;
  aidGiven?: string | null;
  noFootageReason?: string | null;
}

export interface MissingItem {
  /** The field (or rule) that is missing, e.g. `narrative`, `federalSupervisorIdentification`. */
  item: string;
  /** What is missing, in words an officer understands. */
  message: string;
}

const blank = (s: string | null | undefined) => !s || !s.trim();

/** What the footage rule needs to know about an evidence item. */
export interface FootageCandidate {
  kind: string;
  /** The type the service sniffed from the bytes (never the one the client declared). */
  contentType: string;
  sizeBytes: number;
  status: string;
}

/**
 * Whether an evidence item can be the footage the order asks for: an active (not superseded), non-empty
 * item recorded as body-worn-camera or other video whose bytes are a video format. A photo, a document,
 * an audio file, an empty file, or a PDF labelled "BWC" is evidence, but not footage.
 */
export function isFootage(e: FootageCandidate): boolean {
  return (
    e.status === 'ACTIVE' &&
    e.sizeBytes > 0 &&
    (e.kind === 'BWC' || e.kind === 'OTHER_VIDEO') &&
    /^video\//i.test(e.contentType)
  );
}

/** `footageCount`: the case's items for which isFootage holds. */
export function missingForSubmit(c: OrderChecklistInput, footageCount = 0): MissingItem[] {
  const missing: MissingItem[] = [];
  const need = (ok: boolean, item: string, message: string) => {
    if (!ok) missing.push({ item, message });
  };
  need(!!c.incidentAt, 'incidentAt', 'the date and time of the incident');
  need(!blank(c.incidentLocation), 'incidentLocation', 'where the incident took place');
  need(!!c.origin, 'origin', 'whether the activity was witnessed by the officer or reported to them');
  need(!!c.activityType, 'activityType', 'the type of federal activity');
  need((c.agencies?.length ?? 0) > 0, 'agencies', 'at least one federal agency involved');
  need(!blank(c.narrative), 'narrative', 'a narrative of what happened');
  const sup = (c.federalOfficers ?? []).find((o) => o.isSupervisor);
  need(
    !!sup && !!sup.identificationOutcome && !blank(sup.identificationMethod),
    'federalSupervisorIdentification',
    'a federal supervisor record with the identification outcome (VERIFIED, PARTIAL, REFUSED or UNABLE) and how it was attempted',
  );
  need(
    c.injuriesReported !== null && c.injuriesReported !== undefined,
    'injuriesReported',
    'whether anyone was injured',
  );
  if (c.injuriesReported) {
    need(!blank(c.injuryDescription), 'injuryDescription', 'a description of the injuries');
    need(c.emsCalled !== null && c.emsCalled !== undefined, 'emsCalled', 'whether EMS was called');
    if (c.emsCalled) need(!!c.emsCalledAt, 'emsCalledAt', 'when EMS was called');
    need(!blank(c.aidGiven), 'aidGiven', 'what aid was given');
  }
  need(
    footageCount > 0 || !blank(c.noFootageReason),
    'evidenceOrNoFootageReason',
    'body-worn camera or other video footage (a video file; photos and documents do not count), or the reason there is no footage',
  );
  return missing;
}

/**
 * The officer's attestation on submit (issue 16): fixed words under a version id. The console shows exactly
 * these words beside the checkbox and sends them back with the id; the service accepts only the current
 * words of a known version and records them, their SHA-256 and the time with the `case.submitted` event.
 * A change of wording is a new version id (the old one stays recognisable in the audit trail, not accepted).
 */
export const SUBMIT_ATTESTATION = {
  textVersion: 'case-submit/2026-12-1',
  text:
    'I attest that this report, including the federal personnel, the alleged violations and the evidence recorded in it, ' +
    'is true and complete to the best of my knowledge, and that I am submitting it for supervisor review under my own name.',
} as const;
