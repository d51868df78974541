import { caseChecklist } from './checklist';
import { isFootage } from './order-rules';
import type { FederalOfficerRecord } from './case-vocabulary';

const supervisor: FederalOfficerRecord = {
  isSupervisor: true,
  name: null,
  agency: 'ICE_ERO',
  badgeNumber: null,
  identificationOutcome: 'REFUSED',
  identificationMethod: 'asked for name and badge twice',
  identificationNotes: null,
  masked: true,
  badgeDisplayed: false,
  bodyCameraWorn: null,
  description: null,
};

const complete = {
  incidentAt: new Date('2026-11-20T20:05:00Z'),
  incidentLocation: 'Fullerton and Kimball',
  origin: 'WITNESSED' as const,
  activityType: 'ARREST' as const,
  agencies: ['ICE_ERO' as const],
  narrative: 'What happened.',
  federalOfficers: [supervisor],
  injuriesReported: false,
  injuryDescription: null,
  emsCalled: null,
  emsCalledAt: null,
  aidGiven: null,
  noFootageReason: 'No camera issued',
};

const items = (c: Parameters<typeof caseChecklist>[0], evidence = 0) =>
  caseChecklist(c, evidence).missing.map((m) => m.item);

describe('submit checklist (EO 2026-01)', () => {
  it('is complete when every item is answered', () => {
    expect(caseChecklist(complete)).toEqual({ complete: true, missing: [] });
  });

  it('lists everything an empty draft lacks', () => {
    expect(
      items({
        incidentAt: null,
        incidentLocation: null,
        origin: null,
        activityType: null,
        agencies: [],
        narrative: '  ',
        federalOfficers: [],
        injuriesReported: null,
        injuryDescription: null,
        emsCalled: null,
        emsCalledAt: null,
        aidGiven: null,
        noFootageReason: null,
      }),
    ).toEqual([
      'incidentAt',
      'incidentLocation',
      'origin',
      'activityType',
      'agencies',
      'narrative',
      'federalSupervisorIdentification',
      'injuriesReported',
      'evidenceOrNoFootageReason',
    ]);
  });

  it('needs a supervisor record with outcome and method', () => {
    expect(items({ ...complete, federalOfficers: [{ ...supervisor, isSupervisor: false }] })).toEqual([
      'federalSupervisorIdentification',
    ]);
    expect(items({ ...complete, federalOfficers: [{ ...supervisor, identificationMethod: ' ' }] })).toEqual([
      'federalSupervisorIdentification',
    ]);
    expect(items({ ...complete, federalOfficers: [{ ...supervisor, identificationOutcome: null }] })).toEqual([
      'federalSupervisorIdentification',
    ]);
  });

  it('asks for injuries, EMS call time and aid when someone was injured', () => {
    expect(items({ ...complete, injuriesReported: true })).toEqual(['injuryDescription', 'emsCalled', 'aidGiven']);
    expect(
      items({ ...complete, injuriesReported: true, injuryDescription: 'cut', emsCalled: true, aidGiven: 'first aid' }),
    ).toEqual(['emsCalledAt']);
    expect(
      items({ ...complete, injuriesReported: true, injuryDescription: 'cut', emsCalled: false, aidGiven: 'first aid' }),
    ).toEqual([]);
  });

  it('counts as footage only active, non-empty BWC or other-video items whose bytes are video', () => {
    const item = { kind: 'BWC', contentType: 'video/mp4', sizeBytes: 1024, status: 'ACTIVE' };
    expect(isFootage(item)).toBe(true);
    expect(isFootage({ ...item, kind: 'OTHER_VIDEO', contentType: 'video/quicktime' })).toBe(true);
    expect(isFootage({ ...item, sizeBytes: 0 })).toBe(false);
    expect(isFootage({ ...item, status: 'SUPERSEDED' })).toBe(false);
    expect(isFootage({ ...item, contentType: 'application/pdf' })).toBe(false);
    expect(isFootage({ ...item, contentType: 'application/octet-stream' })).toBe(false);
    expect(isFootage({ ...item, kind: 'PHOTO', contentType: 'image/jpeg' })).toBe(false);
    expect(isFootage({ ...item, kind: 'DOCUMENT' })).toBe(false);
    expect(isFootage({ ...item, kind: 'AUDIO', contentType: 'audio/mpeg' })).toBe(false);
  });

  it('accepts evidence instead of a no-footage reason', () => {
    expect(items({ ...complete, noFootageReason: null })).toEqual(['evidenceOrNoFootageReason']);
    expect(items({ ...complete, noFootageReason: null }, 1)).toEqual([]);
  });
});
