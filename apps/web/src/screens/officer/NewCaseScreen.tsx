import { useState } from 'react';
import { api, ApiError, unwrap } from '../../api/client';
import { useDraft } from '../../drafts';
import { Link, navigate } from '../../router';
import { ActionButton, ErrorMessage, Page } from '../../ui';
import {
  CaseFieldsForm,
  CHECKLIST_ANCHORS,
  ChecklistPanel,
  EMPTY_CASE_FIELDS,
  liveMissing,
  toCaseBody,
  type CaseFields,
  type ChecklistAnchor,
} from './CaseFieldsForm';

/** The checklist's items whose field is on this screen (the incident fields): each links to its field. */
const INCIDENT_ITEMS = (Object.keys(CHECKLIST_ANCHORS) as ChecklistAnchor[]).filter(
  (a) => a !== 'federalSupervisorIdentification' && a !== 'evidenceOrNoFootageReason',
);

/**
 * Opening a case: the order's fields in order, with the submit checklist beside the form shrinking as
 * the officer types. Saving creates the case as a DRAFT (nothing is required yet) and opens its page,
 * where the federal personnel, violations and evidence are added and the case is submitted.
 */
export function NewCaseScreen() {
  const [fields, setFields, clearDraft] = useDraft<CaseFields>('case-new', EMPTY_CASE_FIELDS);
  const [error, setError] = useState<unknown>(null);
  // Federal personnel and evidence are added on the case page once the case exists.
  const missing = liveMissing(fields, [], 0);

  const save = async () => {
    setError(null);
    try {
      const c = await unwrap(api.POST('/api/v1/cases', { body: toCaseBody(fields) }));
      clearDraft();
      navigate(`/cases/${c.id}?created=1`);
    } catch (e) {
      setError(e);
    }
  };

  return (
    <Page title="New case" actions={<Link to="/cases">Back to the case list</Link>}>
      <p>
        Record what the order requires, in this order. Nothing is required to save: the case is kept as a draft until
        you submit it, and what you type is kept on this computer until you save, even if your session ends.
      </p>
      <div className="two-col">
        <section aria-labelledby="fields-h">
          <h2 id="fields-h">Incident</h2>
          <CaseFieldsForm value={fields} onChange={setFields} error={error instanceof ApiError ? error : null} />
          <ErrorMessage error={error} context="The case was not saved" />
          <div className="btn-row">
            <ActionButton onClick={save} busyText="Saving…">
              Save as draft case
            </ActionButton>
          </div>
        </section>
        <div className="sticky">
          <ChecklistPanel
            missing={missing}
            linked={INCIDENT_ITEMS}
            note="The federal supervisor's identification, the alleged violations and the evidence are added on the case page after you save."
          />
        </div>
      </div>
    </Page>
  );
}
