import { missingForSubmit, type MissingItem } from '@domain/order-rules';
import type { ApiError } from '../../api/client';
import { activityTypeValues, caseOriginValues, federalAgencyValues, type components } from '../../api/schema';
import { deepEqual, type FieldEquality } from '../../merge';
import { Checkbox, dateTime, DateTimeField, SelectField, TextArea, TextField, YesNo } from '../../ui';
import {
  ORIGIN_LABELS,
  ACTIVITY_LABELS,
  AGENCY_LABELS,
  CHECKLIST_FOOTAGE_LINKS,
  CHECKLIST_ITEM_WORDS,
} from '../../words';

type Schemas = components['schemas'];
export type CaseView = Schemas['CaseView'];
export type CaseOrigin = Schemas['CaseOrigin'];
export type ActivityType = Schemas['ActivityType'];
export type FederalAgency = Schemas['FederalAgency'];
export type CaseFieldsBody = Schemas['CreateCaseDto'];

/**
 * What the officer types, as the form holds it: empty text is '', unanswered questions are null.
 * Sub-answers about injuries are kept while typing even if "No" is chosen (so switching back loses
 * nothing), but only sent when they apply (see toCaseBody).
 */
export interface CaseFields {
  origin: CaseOrigin | '';
  incidentAt: string | null;
  incidentLocation: string;
  activityType: ActivityType | '';
  agencies: FederalAgency[];
  narrative: string;
  injuriesReported: boolean | null;
  injuryDescription: string;
  emsCalled: boolean | null;
  emsCalledAt: string | null;
  aidGiven: string;
  noFootageReason: string;
}

export const EMPTY_CASE_FIELDS: CaseFields = {
  origin: '',
  incidentAt: null,
  incidentLocation: '',
  activityType: '',
  agencies: [],
  narrative: '',
  injuriesReported: null,
  injuryDescription: '',
  emsCalled: null,
  emsCalledAt: null,
  aidGiven: '',
  noFootageReason: '',
};

/** The saved case's order fields, as the form holds them. */
export function caseFieldsOf(c: CaseView): CaseFields {
  return {
    origin: c.origin ?? '',
    incidentAt: c.incidentAt,
    incidentLocation: c.incidentLocation ?? '',
    activityType: c.activityType ?? '',
    agencies: [...c.agencies],
    narrative: c.narrative ?? '',
    injuriesReported: c.injuriesReported,
    injuryDescription: c.injuryDescription ?? '',
    emsCalled: c.emsCalled,
    emsCalledAt: c.emsCalledAt,
    aidGiven: c.aidGiven ?? '',
    noFootageReason: c.noFootageReason ?? '',
  };
}

const text = (s: string): string | null => (s.trim() ? s : null);

/**
 * The request body for POST /cases and PATCH /cases/:id: blank answers are sent as null (cleared), and
 * the injury follow-ups only when someone was injured (EMS time only when EMS was called), so the record
 * never says "no injuries" next to an injury description.
 */
export function toCaseBody(f: CaseFields): CaseFieldsBody {
  const injured = f.injuriesReported === true;
  return {
    origin: f.origin || null,
    incidentAt: f.incidentAt,
    incidentLocation: text(f.incidentLocation),
    activityType: f.activityType || null,
    // The service refuses an empty list (the order needs at least one agency): none ticked clears the field.
    agencies: f.agencies.length > 0 ? f.agencies : null,
    narrative: text(f.narrative),
    injuriesReported: f.injuriesReported,
    injuryDescription: injured ? text(f.injuryDescription) : null,
    emsCalled: injured ? f.emsCalled : null,
    emsCalledAt: injured && f.emsCalled === true ? f.emsCalledAt : null,
    aidGiven: injured ? text(f.aidGiven) : null,
    noFootageReason: text(f.noFootageReason),
  };
}

/** Two spellings of one instant (the form's ISO string, the service's) are the same value. */
const sameInstant = (p: string | null | undefined, q: string | null | undefined) =>
  p && q ? Date.parse(p) === Date.parse(q) : !p && !q;

/** How the three-way merge compares the form's fields (merge.ts): instants by time, the rest by value. */
export const CASE_FIELD_EQUALITY: FieldEquality<CaseFields> = { incidentAt: sameInstant, emsCalledAt: sameInstant };

/**
 * What a PATCH has to carry: only the fields whose saved value would change from the version the form
 * started from (`base`), so that a field this person did not touch is never written back.
 */
export function caseBodyChanges(base: CaseFields, value: CaseFields): Partial<CaseFieldsBody> {
  const from = toCaseBody(base) as Record<string, unknown>;
  const to = toCaseBody(value) as Record<string, unknown>;
  const eq = CASE_FIELD_EQUALITY as Record<string, ((a: unknown, b: unknown) => boolean) | undefined>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(to)) if (!(eq[k] ?? deepEqual)(from[k], to[k])) out[k] = to[k];
  return out as Partial<CaseFieldsBody>;
}

/** The form's fields by the name a person knows them (conflict lists, merge notes). */
export const CASE_FIELD_NAMES: Record<keyof CaseFields, string> = {
  origin: 'Origin',
  incidentAt: 'Date and time of the incident',
  incidentLocation: 'Location of the incident',
  activityType: 'Type of federal activity',
  agencies: 'Federal agencies involved',
  narrative: 'Narrative',
  injuriesReported: 'Was anyone injured?',
  injuryDescription: 'Description of the injuries',
  emsCalled: 'Was EMS called?',
  emsCalledAt: 'When EMS was called',
  aidGiven: 'Aid given',
  noFootageReason: 'Reason there is no footage',
};

/** One field's value in words, as a conflict list shows it. */
export function caseFieldText<K extends keyof CaseFields>(field: K, v: CaseFields[K]): string {
  if (v === null || v === '' || (Array.isArray(v) && v.length === 0)) return '(empty)';
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  if (field === 'origin') return ORIGIN_LABELS[v as CaseOrigin];
  if (field === 'activityType') return ACTIVITY_LABELS[v as ActivityType];
  if (field === 'agencies') return (v as FederalAgency[]).map((a) => AGENCY_LABELS[a]).join('; ');
  if (field === 'incidentAt' || field === 'emsCalledAt') return dateTime(v as string);
  return String(v);
}

/** Whether two form states say the same thing (what would be saved). */
export function sameCaseFields(a: CaseFields, b: CaseFields): boolean {
  const x = toCaseBody(a);
  const y = toCaseBody(b);
  return (
    JSON.stringify({ ...x, incidentAt: null, emsCalledAt: null }) ===
      JSON.stringify({ ...y, incidentAt: null, emsCalledAt: null }) &&
    sameInstant(x.incidentAt, y.incidentAt) &&
    sameInstant(x.emsCalledAt, y.emsCalledAt)
  );
}

/** The order's submit checklist for what is on screen (the very rules the service applies). */
export function liveMissing(
  f: CaseFields,
  federalOfficers: {
    isSupervisor: boolean;
    identificationOutcome?: string | null;
    identificationMethod?: string | null;
  }[],
  evidenceCount: number,
): MissingItem[] {
  return missingForSubmit({ ...toCaseBody(f), federalOfficers }, evidenceCount);
}

/**
 * Where each item of the submit checklist (order-rules `item`) is answered: the id of the element holding
 * that field on the page (issue 16: the checklist links to it). The incident fields are in CaseFieldsForm
 * (the new-case screen too); the federal supervisor and the evidence only on the case page.
 */
export const CHECKLIST_ANCHORS = {
  incidentAt: 'case-field-incidentAt',
  incidentLocation: 'case-field-incidentLocation',
  origin: 'case-field-origin',
  activityType: 'case-field-activityType',
  agencies: 'case-field-agencies',
  narrative: 'case-field-narrative',
  injuriesReported: 'case-field-injuriesReported',
  injuryDescription: 'case-field-injuryDescription',
  emsCalled: 'case-field-emsCalled',
  emsCalledAt: 'case-field-emsCalledAt',
  aidGiven: 'case-field-aidGiven',
  noFootageReason: 'case-field-noFootageReason',
  federalSupervisorIdentification: 'case-field-federalSupervisorIdentification',
  evidenceOrNoFootageReason: 'case-field-evidence',
} as const;
export type ChecklistAnchor = keyof typeof CHECKLIST_ANCHORS;
const A = CHECKLIST_ANCHORS;

/** Moves to a field the checklist names: scrolled into view, its first control focused. */
export function focusField(anchorId: string): boolean {
  const target = document.getElementById(anchorId);
  if (!target) return false;
  const control = target.matches('input, select, textarea, button')
    ? target
    : target.querySelector<HTMLElement>(
        'input:not([type="hidden"]):not([disabled]), select, textarea, button:not([disabled])',
      );
  target.scrollIntoView({ block: 'center' });
  (control ?? target).focus({ preventScroll: true });
  return true;
}

/**
 * The order's fields in the order the form follows: origin, when, where, what, who, narrative,
 * injuries, and the no-footage reason. Field errors from the service are shown next to their field.
 */
export function CaseFieldsForm({
  value,
  onChange,
  error,
}: {
  value: CaseFields;
  onChange: (next: CaseFields) => void;
  error?: ApiError | null;
}) {
  const set = <K extends keyof CaseFields>(key: K, v: CaseFields[K]) => onChange({ ...value, [key]: v });
  const err = (field: string) => error?.forField(field);
  const toggleAgency = (a: FederalAgency, on: boolean) =>
    set(
      'agencies',
      on
        ? federalAgencyValues.filter((x) => x === a || value.agencies.includes(x))
        : value.agencies.filter((x) => x !== a),
    );
  const injured = value.injuriesReported === true;

  return (
    <div className="case-fields">
      <div id={A.origin}>
        <SelectField
          label="Origin: how the activity came to your attention"
          value={value.origin}
          onChange={(v) => set('origin', v)}
          options={caseOriginValues}
          labels={ORIGIN_LABELS}
          error={err('origin')}
        />
      </div>
      <div id={A.incidentAt}>
        <DateTimeField
          label="Date and time of the incident"
          hint="Your local time. It cannot be in the future."
          value={value.incidentAt}
          onChange={(v) => set('incidentAt', v)}
          error={err('incidentAt')}
        />
      </div>
      <div id={A.incidentLocation}>
        <TextField
          label="Location of the incident"
          hint="Street address or intersection, and city."
          maxLength={500}
          value={value.incidentLocation}
          onChange={(v) => set('incidentLocation', v)}
          error={err('incidentLocation')}
        />
      </div>
      <div id={A.activityType}>
        <SelectField
          label="Type of federal activity"
          value={value.activityType}
          onChange={(v) => set('activityType', v)}
          options={activityTypeValues}
          labels={ACTIVITY_LABELS}
          error={err('activityType')}
        />
      </div>

      <fieldset id={A.agencies} className={`field agencies${err('agencies') ? ' has-error' : ''}`}>
        <legend>Federal agencies involved</legend>
        <p className="hint">
          Tick every agency you saw or were told about. If you do not know which, tick “Federal agency not known”.
        </p>
        {err('agencies') && <p className="field-error">{err('agencies')}</p>}
        {federalAgencyValues.map((a) => (
          <Checkbox
            key={a}
            label={AGENCY_LABELS[a]}
            checked={value.agencies.includes(a)}
            onChange={(on) => toggleAgency(a, on)}
          />
        ))}
      </fieldset>

      <div id={A.narrative}>
        <TextArea
          label="Narrative: what happened"
          rows={8}
          maxLength={20000}
          hint="In your own words, in the order it happened: what you saw or were told, by whom, and what the federal agents did."
          value={value.narrative}
          onChange={(v) => set('narrative', v)}
          error={err('narrative')}
        />
      </div>

      <fieldset className="field group">
        <legend>Injuries</legend>
        <div id={A.injuriesReported}>
          <YesNo
            label="Was anyone injured?"
            value={value.injuriesReported}
            onChange={(v) => set('injuriesReported', v)}
            error={err('injuriesReported')}
          />
        </div>
        {injured && (
          <>
            <div id={A.injuryDescription}>
              <TextArea
                label="Description of the injuries"
                rows={3}
                maxLength={4000}
                hint="Who was injured, and how."
                value={value.injuryDescription}
                onChange={(v) => set('injuryDescription', v)}
                error={err('injuryDescription')}
              />
            </div>
            <div id={A.emsCalled}>
              <YesNo
                label="Was EMS called?"
                value={value.emsCalled}
                onChange={(v) => set('emsCalled', v)}
                error={err('emsCalled')}
              />
            </div>
            {value.emsCalled === true && (
              <div id={A.emsCalledAt}>
                <DateTimeField
                  label="When EMS was called"
                  value={value.emsCalledAt}
                  onChange={(v) => set('emsCalledAt', v)}
                  error={err('emsCalledAt')}
                />
              </div>
            )}
            <div id={A.aidGiven}>
              <TextArea
                label="Aid given"
                rows={3}
                maxLength={4000}
                hint="First aid or other help given on scene, and by whom."
                value={value.aidGiven}
                onChange={(v) => set('aidGiven', v)}
                error={err('aidGiven')}
              />
            </div>
          </>
        )}
      </fieldset>

      <div id={A.noFootageReason}>
        <TextArea
          label="Reason there is no footage"
          rows={3}
          maxLength={2000}
          hint="Only needed if there will be no evidence at all (no body-worn camera footage or other file). If you will upload evidence, leave this empty."
          value={value.noFootageReason}
          onChange={(v) => set('noFootageReason', v)}
          error={err('noFootageReason')}
        />
      </div>
    </div>
  );
}

/**
 * The order's checklist as the officer types: what is still needed before the case can be submitted,
 * with a count announced politely to screen readers. With `linked`, each item is a link that moves to the
 * field it needs (scrolled into view and focused); items whose field is not on this page stay plain text.
 */
export function ChecklistPanel({
  missing,
  note,
  headingLevel = 2,
  linked = [],
}: {
  missing: MissingItem[];
  note?: string;
  headingLevel?: 2 | 3;
  linked?: readonly ChecklistAnchor[];
}) {
  const H = headingLevel === 2 ? 'h2' : 'h3';
  const complete = missing.length === 0;
  const link = (anchor: ChecklistAnchor, text: string) => (
    <a
      href={`#${A[anchor]}`}
      onClick={(e) => {
        if (focusField(A[anchor])) e.preventDefault();
      }}
    >
      {text}
    </a>
  );
  return (
    <section className={`checklist${complete ? ' complete' : ''}`} aria-labelledby="checklist-h">
      <H id="checklist-h">Submit checklist</H>
      <p aria-live="polite" aria-atomic="true" className="checklist-count">
        {complete
          ? 'Nothing is missing: everything the order requires is recorded.'
          : `Still needed before you can submit (${missing.length} ${missing.length === 1 ? 'item' : 'items'}):`}
      </p>
      {!complete && (
        <ul>
          {missing.map((m) => {
            const words = CHECKLIST_ITEM_WORDS[m.item] ?? capital(m.message);
            const anchor =
              m.item in A && linked.includes(m.item as ChecklistAnchor) ? (m.item as ChecklistAnchor) : null;
            return (
              <li key={m.item}>
                {anchor === 'evidenceOrNoFootageReason' && linked.includes('noFootageReason') ? (
                  <>
                    {link(anchor, CHECKLIST_FOOTAGE_LINKS.footage)}
                    {CHECKLIST_FOOTAGE_LINKS.between}
                    {link('noFootageReason', CHECKLIST_FOOTAGE_LINKS.reason)}
                  </>
                ) : anchor ? (
                  link(anchor, words)
                ) : (
                  words
                )}
              </li>
            );
          })}
        </ul>
      )}
      {note && <p className="hint">{note}</p>}
    </section>
  );
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
