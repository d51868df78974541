import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DataSource, EntityManager } from 'typeorm';
import {
  AuthUser,
  canonicalJson,
  Clock,
  ConflictError,
  ForbiddenError,
  IntegrityFailureError,
  NotFoundError,
  VersionConflictError,
} from '@app/common';
import { AuditService, AuditAction } from '@app/audit';
import { AccessRepository } from '@app/auth';
import { CaseEntity, CasesRepository, CasesService, nextStatus } from '@app/cases';
import { EvidenceEntity, EvidenceService } from '@app/evidence';
import { SigningService } from '@app/signing';
import { asDependencyError, isNoSuchKey, StorageService } from '@app/storage';
import { PacketDecisionDto, ReviewQueueQuery, SendPacketDto } from './dto/packet.dto';
import { caseReportFacts, CaseReportManifest, renderCaseReport } from './case-report';
import { buildPacketArchive, PacketArchive } from './packet-archive';
import {
  ARCHIVE_FILES,
  archiveRoot,
  checksumsText,
  evidenceArchivePath,
  MANIFEST_FORMAT,
  ManifestCaseReport,
  ManifestEvidenceItem,
  ManifestPerson,
  PacketManifest,
  sha256Hex,
} from './packet-format';
import { PacketEntity } from './packet.entity';
import { PacketRow, toPacketView } from './packet.mapper';
import { CasePacketList, PacketView, ReviewQueuePage } from './dto/packet-views';
import type { PacketOffice, PacketStatus } from './packet-vocabulary';
import { PacketPreview } from './packet-preview';
import { packetsConfig } from './packets.config';
import { PacketsRepository } from './packets.repository';
import { SignedManifestView } from './dto/signed-manifest-views';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** GET /packets/:id/case-report.pdf: the report's bytes, checked against the signed manifest. */
export interface CaseReportFile {
  packet: PacketView;
  filename: string;
  bytes: Buffer;
  sha256: string;
}

export interface OpenPacketArchive {
  packet: PacketView;
  filename: string;
  archive: PacketArchive;
  /** Records an archive that stopped before its end (storage failure, client gone, mismatch). */
  failed(reason: unknown): Promise<void>;
}

@Injectable()
export class PacketsService {
  private readonly logger = new Logger(PacketsService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly cases: CasesRepository,
    private readonly caseService: CasesService,
    private readonly evidence: EvidenceService,
    private readonly storage: StorageService,
    private readonly signing: SigningService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(packetsConfig.KEY) private readonly config: ConfigType<typeof packetsConfig>,
    private readonly access: AccessRepository,
    private readonly repo: PacketsRepository,
  ) {}

  // --- sending ---

  /**
   * Freezes the approved case into a signed manifest, stores it, and refers the case, all under
   * the case's row lock: the packet row, the evidence disclosures, the case transition and the
   * audit event commit together. The manifest objects are stored inside that window and removed
   * again if the transaction does not commit.
   */
  async send(
    auth: AuthUser,
    caseId: string,
    dto: SendPacketDto,
    expectedVersion: number | undefined,
  ): Promise<PacketView> {
    const id = randomUUID();
    const manifestKey = `packets/${caseId}/${id}/manifest.json`;
    const signatureKey = `packets/${caseId}/${id}/manifest.sig`;
    const caseReportKey = `packets/${caseId}/${id}/${ARCHIVE_FILES.caseReport}`;
    const stored: { key: string; versionId: string | null }[] = [];
    try {
      const view = await this.ds.transaction(async (em) => {
        const c = await this.cases.findInScope(auth, caseId, em);
        if (!c) throw new NotFoundError('case', caseId, await this.cases.exists(caseId));
        nextStatus(c.status, 'send'); // refused here, before anything is stored (applyTransition checks again)
        const version = expectedVersion ?? dto.version;
        if (version !== undefined && version !== c.version) throw new VersionConflictError(version, c.version);

        const previous = await this.repo.latestForCase(caseId, em);
        if (previous && previous.status !== 'DECIDED') {
          throw new ConflictError(`Packet v${previous.version} of case ${c.caseNumber} is still ${previous.status}.`, {
            currentState: previous.status,
          });
        }
        const items = await this.evidence.activeForCase(em, c.id);
        const felony = c.violations.some((v) => v.felony);
        const office = dto.office ?? (felony ? 'CCSAO' : 'CITY_LAW');
        const sentAt = this.clock.now();
        const body = await this.buildManifest(em, auth, c, items, { id, office, sentAt, previous });
        // The printable report of exactly this manifest (plus the review history and custody so far, from the audit
        // trail); the manifest then records its SHA-256, so the signature covers it like the evidence.
        const report = await this.renderReport(em, c, body);
        const caseReport: ManifestCaseReport = {
          file: ARCHIVE_FILES.caseReport,
          contentType: 'application/pdf',
          sizeBytes: report.length,
          sha256: sha256Hex(report),
        };
        const manifest: PacketManifest = {
          ...body,
          caseReport,
          checksums: {
            file: ARCHIVE_FILES.checksums,
            sha256: sha256Hex(checksumsText(this.signing.publicKeyPem, body.evidence, caseReport)),
          },
        };
        const text = canonicalJson(manifest);
        const manifestSha256 = sha256Hex(text);
        const signature = this.signing.sign(text);

        const m = await this.storage.putSmall(manifestKey, Buffer.from(text, 'utf8'), 'application/json');
        stored.push({ key: manifestKey, versionId: m.versionId });
        const sig = await this.storage.putSmall(
          signatureKey,
          Buffer.from(signature, 'base64'),
          'application/octet-stream',
        );
        stored.push({ key: signatureKey, versionId: sig.versionId });
        const rep = await this.storage.putSmall(caseReportKey, report, 'application/pdf');
        stored.push({ key: caseReportKey, versionId: rep.versionId });

        const packet = this.repo.create(em, {
          id,
          caseId: c.id,
          caseNumber: c.caseNumber,
          version: manifest.version,
          previousPacketId: previous?.id ?? null,
          office,
          felony,
          status: 'PENDING',
          sentBy: auth.id,
          sentAt,
          manifest: text,
          manifestSha256,
          signature,
          keyId: this.signing.keyId,
          publicKeyPem: this.signing.publicKeyPem,
          storageBucket: this.storage.bucket,
          manifestKey,
          signatureKey,
          caseReportKey,
          caseReportVersionId: rep.versionId,
          evidenceCount: items.length,
          evidenceBytes: items.reduce((n, e) => n + e.sizeBytes, 0),
          claimedBy: null,
          claimedAt: null,
          decision: null,
          decisionReason: null,
          externalReference: null,
          decidedBy: null,
          decidedAt: null,
        });
        await this.repo.insert(em, packet);
        await this.evidence.disclose(
          em,
          id,
          office,
          items.map((e) => e.id),
        );
        await this.caseService.applyTransition(em, auth, c, 'send', () => ({
          action: AuditAction.PacketSent,
          target: { type: 'packet', id },
          details: {
            packetId: id,
            packetVersion: packet.version,
            previousPacketId: packet.previousPacketId,
            office,
            officeChosen: dto.office ? 'explicit' : 'default',
            felony,
            manifestSha256,
            keyId: packet.keyId,
            evidenceCount: packet.evidenceCount,
            evidenceBytes: packet.evidenceBytes,
            evidenceIds: items.map((e) => e.id),
            caseReport: { sha256: caseReport.sha256, sizeBytes: caseReport.sizeBytes },
            storage: {
              bucket: this.storage.bucket,
              manifestKey,
              signatureKey,
              caseReportKey,
              caseReportVersionId: rep.versionId,
            },
          },
        }));
        return toPacketView(packet, this.config.slaDays, sentAt);
      });
      await this.preserveManifest(stored);
      return view;
    } catch (e) {
      for (const { key, versionId } of stored) {
        await this.storage
          .removeUnreferenced(key, versionId)
          .catch((err: unknown) =>
            this.logger.error(
              `Packet ${id} was not sent; its stored ${key} could not be removed: ${err instanceof Error ? err.message : err}`,
            ),
          );
      }
      throw asDependencyError(e);
    }
  }

  /** The manifest without what depends on the case report's bytes (caseReport, checksums). */
  private async buildManifest(
    em: EntityManager,
    auth: AuthUser,
    c: CaseEntity,
    items: EvidenceEntity[],
    p: { id: string; office: string; sentAt: Date; previous: PacketEntity | null },
  ): Promise<CaseReportManifest> {
    const people = await this.people(em, [
      c.createdBy,
      c.submittedBy,
      c.approvedBy,
      auth.id,
      ...items.map((e) => e.uploadedBy),
    ]);
    const person = (id: string | null) =>
      id ? (people.get(id) ?? { id, displayName: 'unknown', role: 'unknown', badgeNumber: null }) : null;
    const evidence: ManifestEvidenceItem[] = items.map((e, i) => ({
      id: e.id,
      archivePath: evidenceArchivePath(i, e.id, e.contentType, e.originalFilename),
      kind: e.kind,
      contentType: e.contentType,
      sizeBytes: e.sizeBytes,
      sha256: e.sha256,
      originalFilename: e.originalFilename,
      deviceId: e.deviceId,
      recordingOfficerBadge: e.recordingOfficerBadge,
      recordedStart: iso(e.recordedStart),
      recordedEnd: iso(e.recordedEnd),
      uploadedAt: e.uploadedAt.toISOString(),
      uploadedBy: person(e.uploadedBy)!,
      integrityStatus: e.integrityStatus,
      lastVerifiedAt: iso(e.lastVerifiedAt),
    }));
    return {
      format: MANIFEST_FORMAT,
      packetId: p.id,
      version: (p.previous?.version ?? 0) + 1,
      office: p.office,
      sentAt: p.sentAt.toISOString(),
      sentBy: person(auth.id)!,
      previousPacket: p.previous
        ? {
            id: p.previous.id,
            version: p.previous.version,
            manifestSha256: p.previous.manifestSha256,
            decision: p.previous.decision,
            decisionReason: p.previous.decisionReason,
            decidedAt: iso(p.previous.decidedAt),
          }
        : null,
      // Spelled out field by field, not CaseView: the signed format must not change when the API's views do.
      case: {
        id: c.id,
        caseNumber: c.caseNumber,
        district: c.district,
        status: c.status,
        version: c.version,
        origin: c.origin,
        incidentAt: iso(c.incidentAt),
        incidentLocation: c.incidentLocation,
        activityType: c.activityType,
        agencies: c.agencies,
        narrative: c.narrative,
        injuriesReported: c.injuriesReported,
        injuryDescription: c.injuryDescription,
        emsCalled: c.emsCalled,
        emsCalledAt: iso(c.emsCalledAt),
        aidGiven: c.aidGiven,
        noFootageReason: c.noFootageReason,
        createdAt: c.createdAt.toISOString(),
        createdBy: person(c.createdBy),
      },
      federalOfficers: c.federalOfficers,
      violations: c.violations.map((v) => ({ citation: v.citation, description: v.description, felony: v.felony })),
      approvals: {
        submittedAt: iso(c.submittedAt),
        submittedBy: person(c.submittedBy),
        approvedAt: iso(c.approvedAt),
        approvedBy: person(c.approvedBy),
      },
      evidence,
      signing: { algorithm: 'Ed25519', keyId: this.signing.keyId },
    };
  }

  /** case-report.pdf for a manifest being sent: the case's audit events so far give its history and custody summary. */
  private async renderReport(em: EntityManager, c: CaseEntity, body: CaseReportManifest): Promise<Buffer> {
    const events = await this.audit.caseTimeline(c.id, em);
    const actors = await this.people(
      em,
      events.map((e) => e.actor.id),
    );
    const names = new Map([...actors].map(([uid, u]) => [uid, u.displayName]));
    return renderCaseReport({
      manifest: body,
      ...caseReportFacts(
        events,
        names,
        body.evidence.map((e) => e.id),
      ),
    });
  }

  private people(em: EntityManager, ids: (string | null)[]): Promise<Map<string, ManifestPerson>> {
    return this.repo.people(em, ids);
  }

  /** Where the bucket has Object Lock, the manifest and signature get the evidence retention too. */
  private async preserveManifest(objects: { key: string; versionId: string | null }[]): Promise<void> {
    if (!this.storage.worm.available) return;
    const { years, mode } = this.storage.retention;
    const until = this.clock.now();
    until.setUTCFullYear(until.getUTCFullYear() + years);
    for (const { key, versionId } of objects) {
      await this.storage
        .applyRetention(key, versionId, mode, until)
        .catch((err: unknown) =>
          this.logger.error(
            `Object Lock retention could not be applied to ${key}: ${err instanceof Error ? err.message : err}`,
          ),
        );
    }
  }

  /**
   * What sending the case now would do, without doing it (issue 16: the supervisor sees the packet before the
   * irreversible send): the send's own checks (APPROVED, an earlier packet decided), its evidence selection and office
   * rule. A read of case content (evidence names and hashes): audited as `packet.previewed`.
   */
  async preview(auth: AuthUser, caseId: string, office: PacketOffice | undefined): Promise<PacketPreview> {
    const c = await this.cases.findInScope(auth, caseId);
    if (!c) throw new NotFoundError('case', caseId, await this.cases.exists(caseId));
    nextStatus(c.status, 'send');
    const previous = await this.repo.latestForCase(caseId);
    if (previous && previous.status !== 'DECIDED') {
      throw new ConflictError(`Packet v${previous.version} of case ${c.caseNumber} is still ${previous.status}.`, {
        currentState: previous.status,
      });
    }
    const items = await this.evidence.activeForCase(this.ds.manager, c.id);
    const felony = c.violations.some((v) => v.felony);
    const suggestedOffice: PacketOffice = felony ? 'CCSAO' : 'CITY_LAW';
    const to = office ?? suggestedOffice;
    const packetVersion = (previous?.version ?? 0) + 1;
    await this.audit.record({
      action: AuditAction.PacketPreviewed,
      actor: auth,
      targetType: 'case',
      targetId: c.id,
      caseId: c.id,
      details: {
        caseNumber: c.caseNumber,
        caseVersion: c.version,
        packetVersion,
        office: to,
        officeChosen: office ? 'explicit' : 'default',
        felony,
        evidenceCount: items.length,
        evidenceIds: items.map((e) => e.id),
      },
    });
    return {
      caseId: c.id,
      caseNumber: c.caseNumber,
      caseVersion: c.version,
      packetVersion,
      previousPacket: previous
        ? {
            id: previous.id,
            version: previous.version,
            decision: previous.decision,
            decisionReason: previous.decisionReason,
          }
        : null,
      office: to,
      suggestedOffice,
      felony,
      federalOfficerCount: c.federalOfficers.length,
      violationCount: c.violations.length,
      evidence: items.map((e) => ({
        id: e.id,
        kind: e.kind,
        originalFilename: e.originalFilename,
        contentType: e.contentType,
        sizeBytes: e.sizeBytes,
        sha256: e.sha256,
        integrityStatus: e.integrityStatus,
      })),
      evidenceBytes: items.reduce((n, e) => n + e.sizeBytes, 0),
      caseReportIncluded: true,
      signingKeyId: this.signing.keyId,
    };
  }

  // --- reads ---

  async listForCase(auth: AuthUser, caseId: string): Promise<CasePacketList> {
    const c = await this.cases.findInScope(auth, caseId);
    if (!c) throw new NotFoundError('case', caseId, await this.cases.exists(caseId));
    const rows = await this.repo.metaForCase(caseId);
    const now = this.clock.now();
    return { caseId, caseNumber: c.caseNumber, items: rows.map((r) => toPacketView(r, this.config.slaDays, now)) };
  }

  /**
   * For the audit trail only (never a response): the case a packet id belongs to, whoever asks, so a
   * refused attempt on the packet lands on its case's timeline. Null when no such packet exists.
   */
  async caseIdOf(id: string): Promise<string | null> {
    return this.repo.caseIdOf(id);
  }

  async get(auth: AuthUser, id: string): Promise<PacketView> {
    const p = await this.findInScope(auth, id);
    await this.audit.record({
      action: AuditAction.PacketViewed,
      targetType: 'packet',
      targetId: id,
      caseId: p.caseId,
      details: { caseNumber: p.caseNumber, packetVersion: p.version, office: p.office },
    });
    return toPacketView(p, this.config.slaDays, this.clock.now());
  }

  /** The signed manifest: a custody event, since it holds the case as sent. */
  async manifest(auth: AuthUser, id: string): Promise<SignedManifestView> {
    const p = await this.findInScope(auth, id);
    const full = await this.repo.findFull(id);
    await this.audit.record({
      action: AuditAction.PacketManifestViewed,
      targetType: 'packet',
      targetId: id,
      caseId: p.caseId,
      details: {
        caseNumber: p.caseNumber,
        packetVersion: p.version,
        office: p.office,
        manifestSha256: p.manifestSha256,
      },
    });
    return {
      packetId: id,
      caseNumber: full.caseNumber,
      version: full.version,
      manifestSha256: full.manifestSha256,
      signature: { algorithm: 'Ed25519', keyId: full.keyId, value: full.signature, publicKeyPem: full.publicKeyPem },
      manifest: JSON.parse(full.manifest) as PacketManifest,
    };
  }

  /**
   * Opens the packet's ZIP. The download is recorded before a byte is sent: one event for the
   * packet and one custody event per evidence file in it, in one transaction.
   */
  async openArchive(auth: AuthUser, id: string, via: Record<string, unknown> = {}): Promise<OpenPacketArchive> {
    const meta = await this.findInScope(auth, id);
    const p = await this.repo.findFull(id);
    const manifest = JSON.parse(p.manifest) as PacketManifest;
    const rows = new Map((await this.evidence.byIds(manifest.evidence.map((e) => e.id))).map((e) => [e.id, e]));
    const filename = `${archiveRoot(p.caseNumber, p.version)}.zip`;
    // The case report is small: read whole and checked before anything is recorded or sent (a mismatch: 409, audited).
    const caseReport = await this.loadCaseReport(p, manifest, 'packet-archive');
    // Before a byte is sent: every object is there with its recorded size (storage down: 503; missing: 409, loud).
    // Every check and read names the version the database recorded, never "the latest" of the key.
    for (const item of manifest.evidence) {
      const row = rows.get(item.id);
      const stat = row ? await this.storage.stat(row.storageKey, row.storageVersionId) : null;
      if (row && stat?.size === item.sizeBytes) continue;
      if (row) {
        await this.evidence.recordIntegrityFailure(auth, row, AuditAction.EvidenceIntegrityFailed, {
          during: 'packet-archive',
          packetId: id,
          expectedSha256: item.sha256,
          actualSha256: stat ? 'unknown' : 'missing',
          expectedSize: item.sizeBytes,
          actualSize: stat?.size ?? null,
        });
      }
      throw new IntegrityFailureError(
        `INTEGRITY FAILURE: evidence ${item.id} of packet ${id} is ${stat ? `${stat.size} bytes in storage, not ${item.sizeBytes}` : 'missing from storage'}; ` +
          'the item is marked FAILED and no archive was sent.',
      ).markAudited();
    }
    await this.ds.transaction((em) =>
      this.audit.append(
        em,
        {
          action: AuditAction.PacketArchiveDownloaded,
          targetType: 'packet',
          targetId: id,
          caseId: p.caseId,
          details: {
            caseNumber: p.caseNumber,
            packetVersion: p.version,
            office: p.office,
            manifestSha256: p.manifestSha256,
            evidenceCount: p.evidenceCount,
            evidenceBytes: p.evidenceBytes,
            filename,
            ...(manifest.caseReport ? { caseReportSha256: manifest.caseReport.sha256 } : {}),
            ...via,
          },
        },
        ...manifest.evidence.map((e) => ({
          action: AuditAction.EvidenceDownloaded,
          targetType: 'evidence',
          targetId: e.id,
          caseId: p.caseId,
          details: {
            sha256: e.sha256,
            sizeBytes: e.sizeBytes,
            range: null,
            versionId: rows.get(e.id)?.storageVersionId ?? null,
            via: 'packet-archive',
            packetId: id,
            archivePath: e.archivePath,
            ...(via.ticketId ? { ticketId: via.ticketId } : {}),
          },
        })),
      ),
    );
    const evidenceRow = (itemId: string) => {
      const row = rows.get(itemId);
      if (!row) throw new Error(`evidence ${itemId} of packet ${id} has no row`);
      return row;
    };
    const archive = buildPacketArchive({
      manifest,
      manifestBytes: Buffer.from(p.manifest, 'utf8'),
      manifestSha256: p.manifestSha256,
      signature: Buffer.from(p.signature, 'base64'),
      publicKeyPem: p.publicKeyPem,
      caseReport: caseReport ?? undefined,
      openEvidence: async (item): Promise<Readable> => {
        const row = evidenceRow(item.id);
        try {
          // The ZIP declared this entry's size (and the response its Content-Length): the archive takes exactly that many bytes, or fails.
          return await this.storage.read(row.storageKey, row.storageVersionId);
        } catch (e) {
          if (!isNoSuchKey(e)) throw e;
          await this.evidence.recordIntegrityFailure(auth, row, AuditAction.EvidenceIntegrityFailed, {
            during: 'packet-archive',
            packetId: id,
            expectedSha256: item.sha256,
            actualSha256: 'missing',
          });
          throw new IntegrityFailureError(
            `INTEGRITY FAILURE: the stored object of evidence ${item.id} is missing.`,
          ).markAudited();
        }
      },
      storageLengthFailed: (item, err) => {
        // The object changed size since the check above: it is not the evidence the manifest lists.
        this.evidence
          .recordIntegrityFailure(auth, evidenceRow(item.id), AuditAction.EvidenceIntegrityFailed, {
            during: 'packet-archive',
            packetId: id,
            expectedSha256: item.sha256,
            actualSha256: 'unknown',
            expectedSize: item.sizeBytes,
            actualSize: err.more ? `more than ${item.sizeBytes}` : err.received,
          })
          .catch((e: unknown) =>
            this.logger.error(
              `Integrity failure of evidence ${item.id} could not be recorded: ${e instanceof Error ? e.message : e}`,
            ),
          );
      },
      checkEvidence: async (item, sha256, sizeBytes) => {
        if (sha256 === item.sha256 && sizeBytes === item.sizeBytes) return true;
        await this.evidence.recordIntegrityFailure(auth, evidenceRow(item.id), AuditAction.EvidenceIntegrityFailed, {
          during: 'packet-archive',
          packetId: id,
          expectedSha256: item.sha256,
          actualSha256: sha256,
          expectedSize: item.sizeBytes,
          actualSize: sizeBytes,
        });
        return false;
      },
    });
    return {
      packet: toPacketView(meta, this.config.slaDays, this.clock.now()),
      filename,
      archive,
      failed: async (reason: unknown) => {
        const message = reason instanceof Error ? reason.message : String(reason);
        this.logger.error(`Archive of packet ${id} stopped before its end: ${message}`);
        await this.audit
          .record({
            action: AuditAction.PacketArchiveDownloaded,
            outcome: 'FAILED',
            targetType: 'packet',
            targetId: id,
            caseId: p.caseId,
            details: { caseNumber: p.caseNumber, packetVersion: p.version, reason: message, ...via },
          })
          .catch((e: unknown) =>
            this.logger.error(`...and that could not be audited: ${e instanceof Error ? e.message : e}`),
          );
      },
    };
  }

  /**
   * The packet's case report (GET /packets/:id/case-report.pdf), for whoever may download its archive. Its bytes are
   * checked against the signed manifest before they are recorded as read and sent. 404 for a packet sent before
   * case reports existed (format /1).
   */
  async caseReport(auth: AuthUser, id: string): Promise<CaseReportFile> {
    const meta = await this.findInScope(auth, id);
    const p = await this.repo.findFull(id);
    const manifest = JSON.parse(p.manifest) as PacketManifest;
    const bytes = await this.loadCaseReport(p, manifest, 'case-report');
    if (!bytes || !manifest.caseReport) throw new NotFoundError('case report of packet', id);
    await this.audit.record({
      action: AuditAction.PacketCaseReportDownloaded,
      targetType: 'packet',
      targetId: id,
      caseId: p.caseId,
      details: {
        caseNumber: p.caseNumber,
        packetVersion: p.version,
        office: p.office,
        manifestSha256: p.manifestSha256,
        sha256: manifest.caseReport.sha256,
        sizeBytes: manifest.caseReport.sizeBytes,
        versionId: p.caseReportVersionId,
      },
    });
    return {
      packet: toPacketView(meta, this.config.slaDays, this.clock.now()),
      filename: `${archiveRoot(p.caseNumber, p.version)}-${ARCHIVE_FILES.caseReport}`,
      bytes,
      sha256: manifest.caseReport.sha256,
    };
  }

  /**
   * The stored case report of a packet, exactly the size and SHA-256 its signed manifest records; null when the
   * packet has none (format /1). Missing or different in storage: the failure is audited and 409 INTEGRITY FAILURE.
   */
  private async loadCaseReport(p: PacketEntity, manifest: PacketManifest, during: string): Promise<Buffer | null> {
    const expected = manifest.caseReport;
    if (!expected) return null;
    let actual: { sha256: string; sizeBytes: number } | 'missing' = 'missing';
    if (p.caseReportKey) {
      try {
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of await this.storage.read(p.caseReportKey, p.caseReportVersionId)) {
          size += (chunk as Buffer).length;
          // Never hold more than the manifest says (plus one byte, to tell "longer" from "equal").
          if (size > expected.sizeBytes) break;
          chunks.push(chunk as Buffer);
        }
        const bytes = Buffer.concat(chunks);
        if (size <= expected.sizeBytes && sha256Hex(bytes) === expected.sha256 && bytes.length === expected.sizeBytes)
          return bytes;
        actual = {
          sha256: size > expected.sizeBytes ? 'unknown (longer than recorded)' : sha256Hex(bytes),
          sizeBytes: size,
        };
      } catch (e) {
        if (!isNoSuchKey(e)) throw e;
      }
    }
    await this.audit.record({
      action: AuditAction.PacketCaseReportIntegrityFailed,
      outcome: 'FAILED',
      targetType: 'packet',
      targetId: p.id,
      caseId: p.caseId,
      details: {
        caseNumber: p.caseNumber,
        packetVersion: p.version,
        during,
        key: p.caseReportKey,
        versionId: p.caseReportVersionId,
        expectedSha256: expected.sha256,
        expectedSize: expected.sizeBytes,
        actualSha256: actual === 'missing' ? 'missing' : actual.sha256,
        actualSize: actual === 'missing' ? null : actual.sizeBytes,
      },
    });
    throw new IntegrityFailureError(
      `INTEGRITY FAILURE: the stored case report of packet v${p.version} of case ${p.caseNumber} ` +
        `${actual === 'missing' ? 'is missing' : 'does not match the SHA-256 its signed manifest records'}; nothing was sent.`,
    ).markAudited();
  }

  // --- the review queue ---

  async queue(auth: AuthUser, q: ReviewQueueQuery): Promise<ReviewQueuePage> {
    if (!auth.office) throw new ForbiddenError('Only members of a prosecuting office have a review queue.');
    const status = q.status?.length ? [...new Set(q.status)] : (['PENDING', 'IN_REVIEW'] as PacketStatus[]);
    const sort = q.sort ?? 'oldest';
    const dir = sort === 'newest' ? 'DESC' : 'ASC';
    // The packets the caller reaches (libs/auth access.ts: a prosecutor, those sent to their office).
    const { rows, total } = await this.repo.queue(auth, { status, dir, q: q.q, page: q.page, pageSize: q.pageSize });
    if (q.q !== undefined) {
      // A search is audited like other reads: who searched what, and which packets it showed.
      await this.audit.record({
        action: AuditAction.ReviewQueueSearched,
        actor: auth,
        targetType: 'packet',
        details: {
          q: q.q,
          status,
          sort,
          page: q.page,
          pageSize: q.pageSize,
          total,
          packetIds: rows.map((r) => r.id),
        },
      });
    }
    const now = this.clock.now();
    return {
      items: rows.map((r) => toPacketView(r, this.config.slaDays, now)),
      page: q.page,
      pageSize: q.pageSize,
      total,
      status,
      sort,
    };
  }

  /** Atomic: the packet row is locked, so of any number of simultaneous claims exactly one wins. */
  async claim(auth: AuthUser, id: string): Promise<PacketView> {
    const meta = await this.findInScope(auth, id);
    return this.ds.transaction(async (em) => {
      const { c, p } = await this.lockBoth(em, meta);
      if (p.status !== 'PENDING') {
        const who =
          p.claimedBy === auth.id
            ? 'you'
            : ((await this.people(em, [p.claimedBy])).get(p.claimedBy!)?.displayName ?? p.claimedBy);
        throw new ConflictError(
          `Packet v${p.version} of case ${p.caseNumber} is already ${p.status}: claimed by ${who} at ${iso(p.claimedAt)}.`,
          { currentState: p.status, claimedBy: p.claimedBy, claimedAt: iso(p.claimedAt) },
        );
      }
      const now = this.clock.now();
      p.status = 'IN_REVIEW';
      p.claimedBy = auth.id;
      p.claimedAt = now;
      await this.repo.update(em, id, { status: p.status, claimedBy: p.claimedBy, claimedAt: p.claimedAt });
      await this.caseService.applyTransition(em, auth, c, 'claim', () => ({
        action: AuditAction.PacketClaimed,
        target: { type: 'packet', id },
        details: { packetId: id, packetVersion: p.version, office: p.office },
      }));
      return toPacketView({ ...p, claimedByName: auth.displayName }, this.config.slaDays, now);
    });
  }

  /** Only the claimant decides; the case closes with the disposition, or returns to its officer. */
  async decide(auth: AuthUser, id: string, dto: PacketDecisionDto): Promise<PacketView> {
    const meta = await this.findInScope(auth, id);
    return this.ds.transaction(async (em) => {
      const { c, p } = await this.lockBoth(em, meta);
      if (p.status === 'PENDING') {
        throw new ConflictError(`Packet v${p.version} of case ${p.caseNumber} is PENDING: claim it before deciding.`, {
          currentState: p.status,
        });
      }
      if (p.status === 'DECIDED') {
        throw new ConflictError(`Packet v${p.version} of case ${p.caseNumber} was already decided (${p.decision}).`, {
          currentState: p.status,
          decision: p.decision,
        });
      }
      if (p.claimedBy !== auth.id) {
        throw new ForbiddenError(
          `Only the prosecutor who claimed packet v${p.version} of case ${p.caseNumber} may decide it.`,
        );
      }
      const now = this.clock.now();
      Object.assign(p, {
        status: 'DECIDED',
        decision: dto.decision,
        decisionReason: dto.reason,
        externalReference: dto.externalReference ?? null,
        decidedBy: auth.id,
        decidedAt: now,
      });
      await this.repo.update(em, id, {
        status: p.status,
        decision: p.decision,
        decisionReason: p.decisionReason,
        externalReference: p.externalReference,
        decidedBy: p.decidedBy,
        decidedAt: p.decidedAt,
      });
      const details = {
        packetId: id,
        packetVersion: p.version,
        office: p.office,
        decision: dto.decision,
        reason: dto.reason,
        externalReference: dto.externalReference ?? null,
      };
      if (dto.decision === 'MORE_INFO_REQUESTED') {
        await this.caseService.applyTransition(em, auth, c, 'request_more_info', (cc) => {
          cc.returnedAt = now;
          cc.returnedBy = auth.id;
          cc.returnReason = dto.reason;
          return { action: AuditAction.PacketDecided, target: { type: 'packet', id }, details };
        });
      } else {
        const disposition = dto.decision;
        await this.caseService.applyTransition(em, auth, c, 'decide', (cc) => {
          cc.disposition = disposition;
          cc.closedAt = now;
          return {
            action: AuditAction.PacketDecided,
            target: { type: 'packet', id },
            details: { ...details, disposition },
          };
        });
      }
      const claimant = (await this.people(em, [p.claimedBy])).get(p.claimedBy!);
      return toPacketView({ ...p, claimedByName: claimant?.displayName ?? null }, this.config.slaDays, now);
    });
  }

  // --- scope ---

  /** The packet if the caller may see it (else the same 404 as every packet route), without recording a read. */
  async reachable(
    auth: AuthUser,
    id: string,
  ): Promise<{ id: string; caseId: string; caseNumber: string; version: number }> {
    const p = await this.findInScope(auth, id);
    return { id: p.id, caseId: p.caseId, caseNumber: p.caseNumber, version: p.version };
  }

  /**
   * The packet if the caller may see it (libs/auth access.ts: a prosecutor when it was sent to their office; case-side
   * roles when its case is in their scope). Anything else is indistinguishable from a missing id.
   */
  private async findInScope(auth: AuthUser, id: string): Promise<PacketRow> {
    const p = await this.repo.metaById(id);
    if (!p) throw new NotFoundError('packet', id);
    if (!(await this.access.has(auth, 'packet', id))) throw new NotFoundError('packet', id, true, p.caseId);
    return p;
  }

  /** Case first, then packet: the one lock order every packet write uses. */
  private async lockBoth(em: EntityManager, meta: PacketRow): Promise<{ c: CaseEntity; p: PacketEntity }> {
    const c = await this.cases.lockById(em, meta.caseId);
    const p = await this.repo.lockById(em, meta.id);
    if (!c || !p) throw new NotFoundError('packet', meta.id, false, meta.caseId);
    return { c, p };
  }

  /** The packet as it stands, for a caller already found in scope, without recording a read (after a review change, issue 16). */
  async viewOf(id: string): Promise<PacketView> {
    const p = await this.repo.metaById(id);
    if (!p) throw new NotFoundError('packet', id);
    return toPacketView(p, this.config.slaDays, this.clock.now());
  }
}
