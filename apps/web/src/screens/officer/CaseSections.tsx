import { ReactNode, useEffect, useRef, useState } from 'react';
import { api, ApiError, unwrap } from '../../api/client';
import { federalAgencyValues, identificationOutcomeValues, type components } from '../../api/schema';
import type { MergingDraft } from '../../drafts';
import type { Choice, FieldEquality } from '../../merge';
import {
  ActionButton,
  ActionError,
  Checkbox,
  label,
  RadioGroup,
  SelectField,
  StackTable,
  TextArea,
  TextField,
  YesNo,
} from '../../ui';
import { CHECKLIST_ANCHORS, type CaseView, type FederalAgency } from './CaseFieldsForm';
import { AGENCY_LABELS, OUTCOME_LABELS, SECTION_STATE_WORDS } from '../../words';

type Schemas = components['schemas'];
type Outcome = Schemas['IdentificationOutcome'];
type OfficerRecord = Schemas['FederalOfficerRecord'];
type OfficerDto = Schemas['FederalOfficerDto'];
type ViolationDto = Schemas['ViolationDto'];

/** A refused save or submit; after a version conflict, what the officer typed stays in the form. */
export function CaseActionError({
  error,
  context,
  onReload,
}: {
  error: unknown;
  context: string;
  onReload: () => void;
}) {
  return (
    <ActionError
      error={error}
      context={context}
      onReload={onReload}
      reloadText="Load the current version of the case"
      reloadHint="Your unsaved changes stay in the form: check them against the current version, then save again."
    />
  );
}

/**
 * After someone else saved the case while this person was editing a section: what the merge did (their
 * changes taken, these changes kept, nothing saved yet), and for every field both changed, both values
 * and a choice. Until a choice is made the form holds their value and saving waits: their change is never
 * overwritten without a decision, and this person's change is never dropped without one.
 */
export function MergeNotice<T extends object>({
  edit,
  names,
  text,
  id,
}: {
  edit: MergingDraft<T>;
  names: Record<keyof T, string>;
  text: <K extends keyof T>(field: K, v: T[K]) => string;
  id: string;
}) {
  const conflicts = edit.draft?.conflicts ?? [];
  const list = (fields: (keyof T)[]) => fields.map((f) => names[f]).join(', ');
  if (!edit.merged && conflicts.length === 0) return null;
  const taken = edit.merged?.taken ?? [];
  const kept = edit.merged?.kept ?? [];
  return (
    <section className="warning merge-notice" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>Someone else changed this case while you were editing</h3>
      <div role="status">
        {edit.merged && (
          <p>
            The current version is loaded.
            {taken.length > 0 && <> Their changes to {list(taken)} are in the form.</>}
            {kept.length > 0 && <> Your changes to {list(kept)} are kept and not saved yet.</>}
            {taken.length === 0 && kept.length === 0 && conflicts.length === 0 && (
              <> Nothing you changed was affected.</>
            )}
          </p>
        )}
      </div>
      {conflicts.length > 0 && (
        <>
          <p>
            You and they both changed {conflicts.length === 1 ? 'this field' : 'these fields'}. Choose which value to
            keep
            {conflicts.length === 1 ? '' : ' for each'}, then save. Until you choose, the form shows their value.
          </p>
          <ul className="conflicts" aria-label="Fields changed by both">
            {conflicts.map((cf) => (
              <li key={String(cf.field)}>
                <RadioGroup<Choice>
                  label={names[cf.field]}
                  value={cf.choice ?? ''}
                  onChange={(v) => edit.choose(cf.field, v)}
                  options={['theirs', 'mine']}
                  labels={{ theirs: 'Keep their value', mine: 'Use my value' }}
                  descriptions={{ theirs: text(cf.field, cf.theirs), mine: text(cf.field, cf.mine) }}
                  hint={cf.choice === null ? 'Not chosen yet: the form shows their value.' : undefined}
                />
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** Why a section's save button is not available right now, if it is because of the merge. */
export function mergeBlocksSave<T extends object>(edit: MergingDraft<T>): string | null {
  if (edit.undecided.length > 0)
    return `Choose which value to keep for ${edit.undecided.length === 1 ? 'the field' : `the ${edit.undecided.length} fields`} changed by both, then save.`;
  return null;
}

export type SectionStateKind = 'saved' | 'unsaved' | 'conflict';

/**
 * One section's state in words (issue 16): saved, unsaved changes, or a conflict (someone else saved the case
 * meanwhile: what to do). A conflict is a save refused as stale, or fields both changed still to be chosen.
 */
export function sectionState<T extends object>(
  edit: MergingDraft<T>,
  dirty: boolean,
  error: unknown,
): SectionStateKind {
  if ((error instanceof ApiError && error.code === 'VERSION.CONFLICT') || edit.undecided.length > 0) return 'conflict';
  return dirty ? 'unsaved' : 'saved';
}

/**
 * The section's state line, announced politely; `done` is what the last save did. After a save, focus moves here
 * (`focusKey` changes with each save), so a keyboard or screen-reader user hears the outcome where they are.
 */
export function SectionState({
  kind,
  done,
  focusKey,
  id,
}: {
  kind: SectionStateKind;
  done: string | null;
  focusKey: number;
  id: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (focusKey > 0) ref.current?.focus();
  }, [focusKey]);
  const words = SECTION_STATE_WORDS[kind];
  return (
    <div role="status" id={id} ref={ref} tabIndex={-1} className={`section-state state-${kind}`}>
      <p>
        {done && kind === 'saved' && <>{done} </>}
        <strong>{words.title}.</strong> {words.explain}
      </p>
    </div>
  );
}

/**
 * A section's Save, its "Discard unsaved changes" while there is something to discard, and why saving waits when
 * it does (`blocked`). `children`: the section's own buttons before them (add an agent, add a violation).
 */
export function SectionSaveRow<T extends object>({
  id,
  saveText,
  save,
  dirty,
  blocked,
  edit,
  onDiscarded,
  children,
}: {
  id?: string;
  saveText: string;
  save: () => Promise<unknown> | void;
  dirty: boolean;
  blocked: string | null;
  edit: MergingDraft<T>;
  onDiscarded: () => void;
  children?: ReactNode;
}) {
  return (
    <>
      <div className="btn-row" id={id}>
        {children}
        <ActionButton onClick={save} busyText="Saving…" disabled={!dirty || !!blocked || edit.stale}>
          {saveText}
        </ActionButton>
        {(dirty || edit.draft) && (
          <button
            type="button"
            className="btn secondary"
            onClick={() => {
              edit.discard();
              onDiscarded();
            }}
          >
            Discard unsaved changes
          </button>
        )}
      </div>
      {blocked && <p className="hint">{blocked}</p>}
    </>
  );
}

// --- federal personnel ---

/** One federal agent as the form holds it ('' for empty text, null for unanswered). */
export interface OfficerForm {
  isSupervisor: boolean;
  identificationOutcome: Outcome | '';
  identificationMethod: string;
  name: string;
  agency: FederalAgency | '';
  badgeNumber: string;
  masked: boolean | null;
  badgeDisplayed: boolean | null;
  bodyCameraWorn: boolean | null;
  description: string;
  identificationNotes: string;
}

const EMPTY_OFFICER: OfficerForm = {
  isSupervisor: false,
  identificationOutcome: '',
  identificationMethod: '',
  name: '',
  agency: '',
  badgeNumber: '',
  masked: null,
  badgeDisplayed: null,
  bodyCameraWorn: null,
  description: '',
  identificationNotes: '',
};

const blankToNull = (s: string) => (s.trim() ? s.trim() : null);

export function officerFormOf(r: OfficerRecord): OfficerForm {
  return {
    isSupervisor: r.isSupervisor,
    identificationOutcome: r.identificationOutcome ?? '',
    identificationMethod: r.identificationMethod ?? '',
    name: r.name ?? '',
    agency: r.agency ?? '',
    badgeNumber: r.badgeNumber ?? '',
    masked: r.masked,
    badgeDisplayed: r.badgeDisplayed,
    bodyCameraWorn: r.bodyCameraWorn,
    description: r.description ?? '',
    identificationNotes: r.identificationNotes ?? '',
  };
}

export function officerDto(f: OfficerForm): OfficerDto {
  return {
    isSupervisor: f.isSupervisor,
    identificationOutcome: f.identificationOutcome || null,
    identificationMethod: blankToNull(f.identificationMethod),
    name: blankToNull(f.name),
    agency: f.agency || null,
    badgeNumber: blankToNull(f.badgeNumber),
    masked: f.masked,
    badgeDisplayed: f.badgeDisplayed,
    bodyCameraWorn: f.bodyCameraWorn,
    description: blankToNull(f.description),
    identificationNotes: blankToNull(f.identificationNotes),
  };
}

export const sameOfficers = (a: OfficerForm[], b: OfficerForm[]) =>
  JSON.stringify(a.map(officerDto)) === JSON.stringify(b.map(officerDto));

/** The federal personnel as one field of the three-way merge (the list is saved whole, by PUT). */
export interface OfficersEdit {
  officers: OfficerForm[];
}
export const OFFICERS_EQUALITY: FieldEquality<OfficersEdit> = { officers: sameOfficers };
const OFFICERS_NAMES: Record<keyof OfficersEdit, string> = { officers: 'Federal personnel' };
const officersText = (_: keyof OfficersEdit, list: OfficerForm[]) =>
  list.length === 0
    ? '(no records)'
    : list
        .map(
          (o, i) =>
            `Agent ${i + 1}${o.isSupervisor ? ' (supervisor)' : ''}: ${[o.name.trim() || 'name not known', o.agency ? AGENCY_LABELS[o.agency] : '', o.badgeNumber.trim() && `badge ${o.badgeNumber.trim()}`, o.identificationOutcome && OUTCOME_LABELS[o.identificationOutcome]].filter(Boolean).join(', ')}`,
        )
        .join('; ');

/** The federal supervisor record of the order: flagged, with an outcome and how identification was attempted. */
function supervisorStatus(officers: OfficerForm[]): { met: boolean; text: string } {
  const sup = officers.find((o) => o.isSupervisor);
  if (!sup) return { met: false, text: 'No record is marked as the federal supervisor on scene yet.' };
  if (!sup.identificationOutcome)
    return { met: false, text: 'The federal supervisor record has no identification outcome yet.' };
  if (!sup.identificationMethod.trim())
    return { met: false, text: 'The federal supervisor record does not say how identification was attempted yet.' };
  return {
    met: true,
    text: `The federal supervisor's identification attempt is recorded (outcome: ${label(sup.identificationOutcome)}).`,
  };
}

export function FederalOfficersSection({
  c,
  editable,
  edit,
  onSaved,
  onReload,
}: {
  c: CaseView;
  editable: boolean;
  edit: MergingDraft<OfficersEdit>;
  onSaved: (c: CaseView) => void;
  onReload: () => void;
}) {
  const officers = edit.value.officers;
  const setDraft = (list: OfficerForm[]) => edit.edit({ officers: list });
  const dirty = edit.changed.length > 0;
  const blocked = mergeBlocksSave(edit);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [saves, setSaves] = useState(0);
  const status = supervisorStatus(officers);
  const apiError = error instanceof ApiError ? error : null;
  // The checklist's "federal supervisor" item links here: the supervisor record's outcome, or adding the first agent.
  const supIndex = officers.findIndex((o) => o.isSupervisor);

  const update = (i: number, next: OfficerForm) => {
    setDone(null);
    // At most one supervisor record: marking one unmarks the others.
    setDraft(
      officers.map((o, j) =>
        j === i ? next : next.isSupervisor && o.isSupervisor ? { ...o, isSupervisor: false } : o,
      ),
    );
  };
  const save = async () => {
    setError(null);
    setDone(null);
    try {
      const view = await unwrap(
        api.PUT('/api/v1/cases/{id}/federal-officers', {
          params: { path: { id: c.id } },
          body: { version: c.version, officers: officers.map(officerDto) },
        }),
      );
      edit.discard();
      onSaved(view);
      setDone(
        `Federal personnel saved (${view.federalOfficers.length} ${view.federalOfficers.length === 1 ? 'record' : 'records'}).`,
      );
      setSaves((n) => n + 1);
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section aria-labelledby="fed-h" className="panel">
      <h2 id="fed-h">Federal personnel</h2>
      <p>
        Every federal agent on scene you can describe. The order requires an attempt to identify the{' '}
        <strong>federal supervisor</strong> on scene: mark that record, and say what came of the attempt and how it was
        made.
      </p>
      <div className={status.met ? 'success' : 'warning'}>
        <p>
          <strong>
            {status.met
              ? 'Supervisor identification requirement: met.'
              : 'Supervisor identification requirement: not met yet.'}
          </strong>{' '}
          {status.text}
          {dirty ? ' (Includes changes not saved yet.)' : ''}
        </p>
      </div>

      {!editable && <ReadOnlyOfficers officers={c.federalOfficers} />}
      {editable && (
        <>
          <MergeNotice edit={edit} names={OFFICERS_NAMES} text={officersText} id="fed-merge" />
          {officers.length === 0 && <p className="muted">No federal agents recorded yet.</p>}
          {officers.map((o, i) => (
            <fieldset key={i} className="record">
              <legend>
                Federal agent {i + 1}
                {o.isSupervisor ? ' (federal supervisor)' : ''}
              </legend>
              <Checkbox
                label="This is the federal supervisor on scene"
                checked={o.isSupervisor}
                onChange={(v) => update(i, { ...o, isSupervisor: v })}
                hint="Only one record can be the supervisor: marking this one unmarks any other."
              />
              <div id={i === supIndex ? CHECKLIST_ANCHORS.federalSupervisorIdentification : undefined}>
                <SelectField
                  label="Identification outcome"
                  value={o.identificationOutcome}
                  options={identificationOutcomeValues}
                  labels={OUTCOME_LABELS}
                  onChange={(v) => update(i, { ...o, identificationOutcome: v })}
                  error={apiError?.forField(`officers.${i}.identificationOutcome`)}
                />
              </div>
              <TextArea
                label="How identification was attempted"
                rows={2}
                maxLength={500}
                hint="For example: asked for name and badge number; credentials shown; agent refused."
                value={o.identificationMethod}
                onChange={(v) => update(i, { ...o, identificationMethod: v })}
                error={apiError?.forField(`officers.${i}.identificationMethod`)}
              />
              <TextField
                label="Name"
                hint="As given or as shown on credentials. Required when the outcome is Verified."
                maxLength={200}
                value={o.name}
                onChange={(v) => update(i, { ...o, name: v })}
                error={apiError?.forField(`officers.${i}.name`)}
              />
              <SelectField
                label="Agency"
                value={o.agency}
                options={federalAgencyValues}
                labels={AGENCY_LABELS}
                onChange={(v) => update(i, { ...o, agency: v })}
                error={apiError?.forField(`officers.${i}.agency`)}
              />
              <TextField
                label="Badge number"
                maxLength={64}
                value={o.badgeNumber}
                onChange={(v) => update(i, { ...o, badgeNumber: v })}
                error={apiError?.forField(`officers.${i}.badgeNumber`)}
              />
              <div className="yesno-row">
                <YesNo label="Masked?" value={o.masked} onChange={(v) => update(i, { ...o, masked: v })} />
                <YesNo
                  label="Badge displayed?"
                  value={o.badgeDisplayed}
                  onChange={(v) => update(i, { ...o, badgeDisplayed: v })}
                />
                <YesNo
                  label="Body camera worn?"
                  value={o.bodyCameraWorn}
                  onChange={(v) => update(i, { ...o, bodyCameraWorn: v })}
                />
              </div>
              <TextArea
                label="Description"
                hint="Physical description, clothing, vehicle, unit markings."
                rows={2}
                maxLength={2000}
                value={o.description}
                onChange={(v) => update(i, { ...o, description: v })}
                error={apiError?.forField(`officers.${i}.description`)}
              />
              <TextArea
                label="Identification notes"
                rows={2}
                maxLength={4000}
                value={o.identificationNotes}
                onChange={(v) => update(i, { ...o, identificationNotes: v })}
                error={apiError?.forField(`officers.${i}.identificationNotes`)}
              />
              <button
                type="button"
                className="btn secondary"
                onClick={() => {
                  setDone(null);
                  setDraft(officers.filter((_, j) => j !== i));
                }}
              >
                Remove federal agent {i + 1}
              </button>
            </fieldset>
          ))}
          {apiError?.forField('officers') && !apiError.fields.some((f) => f.startsWith('officers.')) && (
            <p className="field-error">{apiError.forField('officers')}</p>
          )}
          <SectionSaveRow
            id={supIndex < 0 ? CHECKLIST_ANCHORS.federalSupervisorIdentification : undefined}
            saveText="Save federal personnel"
            save={save}
            dirty={dirty}
            blocked={blocked}
            edit={edit}
            onDiscarded={() => setError(null)}
          >
            <button
              type="button"
              className="btn secondary"
              onClick={() => {
                setDone(null);
                setDraft([...officers, { ...EMPTY_OFFICER, isSupervisor: !officers.some((o) => o.isSupervisor) }]);
              }}
            >
              Add a federal agent
            </button>
          </SectionSaveRow>
          <CaseActionError
            error={error}
            context="Federal personnel not saved"
            onReload={() => {
              setError(null);
              onReload();
            }}
          />
          <SectionState id="fed-state" kind={sectionState(edit, dirty, error)} done={done} focusKey={saves} />
        </>
      )}
    </section>
  );
}

const yesNo = (v: boolean | null) => (v === null ? 'Not answered' : v ? 'Yes' : 'No');

function ReadOnlyOfficers({ officers }: { officers: OfficerRecord[] }) {
  if (officers.length === 0) return <p className="muted">No federal agents recorded.</p>;
  return (
    <>
      {officers.map((o, i) => (
        <div key={i} className="record">
          <h3>
            Federal agent {i + 1}
            {o.isSupervisor ? ' (federal supervisor)' : ''}
          </h3>
          <dl className="facts">
            <dt>Identification outcome</dt>
            <dd>{o.identificationOutcome ? OUTCOME_LABELS[o.identificationOutcome] : 'Not recorded'}</dd>
            <dt>How it was attempted</dt>
            <dd>{o.identificationMethod ?? '—'}</dd>
            <dt>Name</dt>
            <dd>{o.name ?? '—'}</dd>
            <dt>Agency</dt>
            <dd>{o.agency ? AGENCY_LABELS[o.agency] : '—'}</dd>
            <dt>Badge number</dt>
            <dd>{o.badgeNumber ?? '—'}</dd>
            <dt>Masked</dt>
            <dd>{yesNo(o.masked)}</dd>
            <dt>Badge displayed</dt>
            <dd>{yesNo(o.badgeDisplayed)}</dd>
            <dt>Body camera worn</dt>
            <dd>{yesNo(o.bodyCameraWorn)}</dd>
            <dt>Description</dt>
            <dd>{o.description ?? '—'}</dd>
            <dt>Identification notes</dt>
            <dd>{o.identificationNotes ?? '—'}</dd>
          </dl>
        </div>
      ))}
    </>
  );
}

// --- alleged violations ---

export interface ViolationForm {
  citation: string;
  description: string;
  felony: boolean;
}

const violationDto = (v: ViolationForm): ViolationDto => ({
  citation: v.citation.trim(),
  description: v.description,
  felony: v.felony,
});
export const sameViolations = (a: ViolationForm[], b: ViolationForm[]) =>
  JSON.stringify(a.map(violationDto)) === JSON.stringify(b.map(violationDto));
export const violationFormOf = (v: ViolationDto): ViolationForm => ({
  citation: v.citation,
  description: v.description,
  felony: v.felony,
});

/** The violations as one field of the three-way merge (the list is saved whole, by PUT). */
export interface ViolationsEdit {
  violations: ViolationForm[];
}
export const VIOLATIONS_EQUALITY: FieldEquality<ViolationsEdit> = { violations: sameViolations };
const VIOLATIONS_NAMES: Record<keyof ViolationsEdit, string> = { violations: 'Alleged violations' };
const violationsText = (_: keyof ViolationsEdit, list: ViolationForm[]) =>
  list.length === 0
    ? '(none)'
    : list.map((v) => `${v.citation.trim() || '(no citation)'}${v.felony ? ' (felony)' : ''}`).join('; ');

export function ViolationsSection({
  c,
  editable,
  edit,
  onSaved,
  onReload,
}: {
  c: CaseView;
  editable: boolean;
  edit: MergingDraft<ViolationsEdit>;
  onSaved: (c: CaseView) => void;
  onReload: () => void;
}) {
  const list = edit.value.violations;
  const setDraft = (next: ViolationForm[]) => edit.edit({ violations: next });
  const dirty = edit.changed.length > 0;
  const blocked = mergeBlocksSave(edit);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [saves, setSaves] = useState(0);
  const apiError = error instanceof ApiError ? error : null;
  const update = (i: number, next: ViolationForm) => {
    setDone(null);
    setDraft(list.map((v, j) => (j === i ? next : v)));
  };
  const save = async () => {
    setError(null);
    setDone(null);
    try {
      const view = await unwrap(
        api.PUT('/api/v1/cases/{id}/violations', {
          params: { path: { id: c.id } },
          body: { version: c.version, violations: list.map(violationDto) },
        }),
      );
      edit.discard();
      onSaved(view);
      setDone(`Alleged violations saved (${view.violations.length}).`);
      setSaves((n) => n + 1);
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section aria-labelledby="viol-h" className="panel">
      <h2 id="viol-h">Alleged violations</h2>
      <p>
        Each alleged violation of state or local law, with its citation. Felonies go to the Cook County State's
        Attorney; ordinance matters to the City's Department of Law.
      </p>
      {!editable &&
        (c.violations.length === 0 ? (
          <p className="muted">No violations recorded.</p>
        ) : (
          <StackTable>
            <caption>Alleged violations</caption>
            <thead>
              <tr>
                <th scope="col">Citation</th>
                <th scope="col">Description</th>
                <th scope="col">Felony</th>
              </tr>
            </thead>
            <tbody>
              {c.violations.map((v, i) => (
                <tr key={i}>
                  <td>{v.citation}</td>
                  <td>{v.description}</td>
                  <td>{v.felony ? 'Yes' : 'No'}</td>
                </tr>
              ))}
            </tbody>
          </StackTable>
        ))}
      {editable && (
        <>
          <MergeNotice edit={edit} names={VIOLATIONS_NAMES} text={violationsText} id="viol-merge" />
          {list.length === 0 && <p className="muted">No violations recorded yet.</p>}
          {list.map((v, i) => (
            <fieldset key={i} className="record">
              <legend>Violation {i + 1}</legend>
              <TextField
                label="Citation"
                hint="For example: 720 ILCS 5/12-3 (battery)."
                maxLength={200}
                value={v.citation}
                onChange={(x) => update(i, { ...v, citation: x })}
                error={apiError?.forField(`violations.${i}.citation`)}
              />
              <TextArea
                label="Description"
                rows={3}
                maxLength={4000}
                value={v.description}
                hint="What was done that this law forbids."
                onChange={(x) => update(i, { ...v, description: x })}
                error={apiError?.forField(`violations.${i}.description`)}
              />
              <Checkbox label="This is a felony" checked={v.felony} onChange={(x) => update(i, { ...v, felony: x })} />
              <button
                type="button"
                className="btn secondary"
                onClick={() => {
                  setDone(null);
                  setDraft(list.filter((_, j) => j !== i));
                }}
              >
                Remove violation {i + 1}
              </button>
            </fieldset>
          ))}
          <SectionSaveRow
            saveText="Save violations"
            save={save}
            dirty={dirty}
            blocked={blocked}
            edit={edit}
            onDiscarded={() => setError(null)}
          >
            <button
              type="button"
              className="btn secondary"
              onClick={() => {
                setDone(null);
                setDraft([...list, { citation: '', description: '', felony: false }]);
              }}
            >
              Add a violation
            </button>
          </SectionSaveRow>
          <CaseActionError
            error={error}
            context="Violations not saved"
            onReload={() => {
              setError(null);
              onReload();
            }}
          />
          <SectionState id="viol-state" kind={sectionState(edit, dirty, error)} done={done} focusKey={saves} />
        </>
      )}
    </section>
  );
}
