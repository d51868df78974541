import { useState } from 'react';
import { apiErrorOf, bearer, NetworkError, saveBlob, sessionEnded } from '../../api/client';
import { sha256Hex } from '../../sha256';
import { ActionButton, ErrorMessage, Hash } from '../../ui';

/** What the console needs of a packet to offer its case report. */
export interface PacketWithReport {
  id: string;
  caseNumber: string;
  version: number;
  links: { caseReport?: string | null };
}

interface Got {
  filename: string;
  sha256: string;
  /** The SHA-256 the signed manifest records, when the screen has it: the file must be exactly that one. */
  matchesSigned: boolean | null;
}

/**
 * GET /packets/{id}/case-report.pdf with the session's token, then handed to the browser to save. The report is
 * small (tens of KB), so the page holds it once: it hashes it and says whether the bytes are the ones the
 * service names (X-Case-Report-SHA256) and, where the screen has checked the signed manifest, the ones it records.
 * The read is recorded in the chain of custody by the service.
 */
async function fetchReport(p: PacketWithReport, signedSha256: string | null): Promise<Got> {
  let res: Response;
  try {
    res = await fetch(p.links.caseReport!, { headers: bearer() ? { Authorization: `Bearer ${bearer()}` } : {} });
  } catch {
    throw new NetworkError();
  }
  if (res.status === 401) sessionEnded();
  if (!res.ok)
    throw apiErrorOf(res.status, res.statusText, await res.text().catch(() => ''), res.headers.get('X-Request-Id'));
  const bytes = new Uint8Array(await res.arrayBuffer());
  const sha256 = sha256Hex(bytes);
  const named = res.headers.get('X-Case-Report-SHA256');
  if (named && named !== sha256)
    throw new Error(
      `The case report arrived different from what the service sent (SHA-256 ${sha256}, expected ${named}). Nothing was saved; try again.`,
    );
  if (signedSha256 && signedSha256 !== sha256) {
    throw new Error(
      `The case report is not the one the signed manifest records (SHA-256 ${sha256}, signed ${signedSha256}). Nothing was saved: do not rely on it.`,
    );
  }
  const filename = `${p.caseNumber}-packet-v${p.version}-case-report.pdf`;
  saveBlob(filename, new Blob([bytes], { type: 'application/pdf' }));
  return { filename, sha256, matchesSigned: signedSha256 ? true : null };
}

/** The "Case report (PDF)" button with what came of it; a sentence instead for packets sent before reports existed. */
export function CaseReportDownload({
  packet: p,
  signedSha256 = null,
  compact = false,
}: {
  packet: PacketWithReport;
  signedSha256?: string | null;
  compact?: boolean;
}) {
  const [got, setGot] = useState<Got | null>(null);
  const [error, setError] = useState<unknown>(null);
  if (!p.links.caseReport) {
    return <p className="muted">Sent before case reports existed: this packet has none.</p>;
  }
  const get = async () => {
    setError(null);
    setGot(null);
    try {
      setGot(await fetchReport(p, signedSha256));
    } catch (e) {
      setError(e);
    }
  };
  return (
    <>
      <ErrorMessage error={error} context="Case report not downloaded" />
      <div className="btn-row">
        <ActionButton kind="secondary" onClick={get} busyText="Getting the report…">
          {compact ? `Case report v${p.version} (PDF)` : 'Case report (PDF)'}
        </ActionButton>
      </div>
      {got && (
        <p className="success" role="status">
          Saved {got.filename}, SHA-256 <Hash value={got.sha256} />
          {got.matchesSigned ? ': exactly the report the signed manifest records.' : '.'}
        </p>
      )}
    </>
  );
}
