import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuthUser, Clock, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '@app/common';
import { AuditService, AuditAction } from '@app/audit';
import type { ActivityType, CaseStatus, FederalAgency, IdentificationOutcome } from '@app/cases';
import { LinkPersonnelDto, ListPersonnelQuery, PersonnelRole, UnlinkPersonnelDto } from './dto/personnel.dto';
import {
  PersonnelCaseView,
  PersonnelDetailView,
  PersonnelEntryView,
  PersonnelLinkedEntry,
  PersonnelLinkView,
  PersonnelPage,
} from './dto/personnel-views';
import { CaseRecordRow, EntryRow, LinkRow, PersonnelRepository } from './personnel.repository';

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

/**
 * The federal personnel index (issue 15 section 2). Entries and their records are derived by the database
 * from the cases (migration 1764430000001); this service reads them within the caller's scope, audits every
 * read, and records and undoes links between entries.
 * Auditors see the index without names: no name, badge, description, location, violation or link reason,
 * and no q (a text search over names would reveal them through its results).
 */
@Injectable()
export class PersonnelService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: PersonnelRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async list(auth: AuthUser, q: ListPersonnelQuery): Promise<PersonnelPage> {
    const names = namesVisible(auth);
    if (!names && q.q !== undefined) {
      throw new ForbiddenError(
        'Auditors see the federal personnel index without names: q (a search over names, badges and descriptions) is not available to them.',
      );
    }
    const sort = q.sort ?? 'cases';
    const { rows, total } = await this.repo.list(auth, {
      q: q.q,
      agency: q.agency,
      role: q.role,
      outcome: q.outcome,
      sort,
      page: q.page,
      pageSize: q.pageSize,
    });
    const links = await this.repo.activeLinkCounts(
      auth,
      rows.map((r) => r.id),
    );
    const items = rows.map((r) => toEntryView({ ...r, link_count: links.get(r.id) ?? 0 }, names));
    await this.audit.record({
      action: AuditAction.FederalPersonnelSearched,
      actor: auth,
      targetType: 'federal_personnel',
      details: {
        q: q.q ?? null,
        filters: pick(q, ['agency', 'role', 'outcome']),
        sort,
        page: q.page,
        pageSize: q.pageSize,
        total,
        entryIds: items.map((i) => i.id),
      },
    });
    return { items, page: q.page, pageSize: q.pageSize, total, sort };
  }

  async get(auth: AuthUser, id: string): Promise<PersonnelDetailView> {
    const entry = await this.requireEntry(auth, id);
    const [records, links] = await Promise.all([this.repo.casesInScope(auth, id), this.repo.linksOf(auth, [id])]);
    const names = namesVisible(auth);
    const cases = toCaseViews(records, names, auth.role === 'PROSECUTOR');
    await this.audit.record({
      action: AuditAction.FederalPersonnelViewed,
      actor: auth,
      targetType: 'federal_personnel',
      targetId: id,
      details: { caseIds: cases.map((c) => c.caseId), linkIds: links.map((l) => l.id) },
    });
    return {
      ...toEntryView({ ...entry, link_count: links.filter((l) => !l.unlinked_at).length }, names),
      cases,
      links: await this.linkViews(auth, links, id, names),
    };
  }

  /** Records that two entries are one person, with the reason: both must be in the caller's scope. */
  async link(auth: AuthUser, id: string, dto: LinkPersonnelDto): Promise<PersonnelLinkView> {
    if (dto.otherId === id)
      throw ValidationError.field('otherId', 'otherId must be another entry than the one in the path');
    await this.requireEntry(auth, id);
    await this.requireEntry(auth, dto.otherId);
    const [a, b] = [id, dto.otherId].sort();
    const linkId = randomUUID();
    const reason = dto.reason.trim();
    await this.ds.transaction(async (em) => {
      await this.repo.insertLink(em, { id: linkId, a, b, reason, by: auth.id, at: this.clock.now() });
      await this.audit.append(em, {
        action: AuditAction.FederalPersonnelLinked,
        actor: auth,
        targetType: 'federal_personnel_link',
        targetId: linkId,
        details: { entries: [a, b], reason },
      });
    });
    const rows = (await this.repo.linksOf(auth, [id])).filter((l) => l.id === linkId);
    return (await this.linkViews(auth, rows, id, true))[0];
  }

  /** Undoes a link, with the reason: any user who sees both entries (the one who linked, or another). */
  async unlink(auth: AuthUser, linkId: string, dto: UnlinkPersonnelDto): Promise<PersonnelLinkView> {
    const reason = dto.reason.trim();
    let entryId = '';
    await this.ds.transaction(async (em) => {
      const l = await this.repo.lockLink(em, linkId);
      if (!l) throw new NotFoundError('federal_personnel_link', linkId);
      const visible =
        (await this.repo.entryInScope(auth, l.entry_a, em)) && (await this.repo.entryInScope(auth, l.entry_b, em));
      if (!visible) throw new NotFoundError('federal_personnel_link', linkId, true);
      if (l.unlinked_at) throw new ConflictError(`This link was already undone at ${iso(l.unlinked_at)}.`);
      await this.repo.undoLink(em, linkId, auth.id, this.clock.now(), reason);
      await this.audit.append(em, {
        action: AuditAction.FederalPersonnelUnlinked,
        actor: auth,
        targetType: 'federal_personnel_link',
        targetId: linkId,
        details: { entries: [l.entry_a, l.entry_b], reason, linkedBy: l.linked_by, linkReason: l.reason },
      });
      entryId = l.entry_a;
    });
    const rows = (await this.repo.linksOf(auth, [entryId])).filter((l) => l.id === linkId);
    return (await this.linkViews(auth, rows, entryId, true))[0];
  }

  /** Link views, each with its other entry as the caller's scope shows it (so a person can tell who is linked). */
  private async linkViews(
    auth: AuthUser,
    rows: LinkRow[],
    fromEntry: string,
    names: boolean,
  ): Promise<PersonnelLinkView[]> {
    const otherIds = [...new Set(rows.map((l) => (l.entry_a === fromEntry ? l.entry_b : l.entry_a)))];
    const others = new Map<string, PersonnelLinkedEntry | null>();
    for (const o of otherIds) {
      const e = await this.repo.entryInScope(auth, o);
      others.set(
        o,
        e
          ? {
              agency: e.agency as FederalAgency | null,
              caseCount: e.case_count,
              ...(names ? { names: e.names ?? [], badges: e.badges ?? [], descriptions: e.descriptions ?? [] } : {}),
            }
          : null,
      );
    }
    return rows.map((l) =>
      toLinkView(l, fromEntry, names, others.get(l.entry_a === fromEntry ? l.entry_b : l.entry_a) ?? null),
    );
  }

  private async requireEntry(auth: AuthUser, id: string): Promise<EntryRow> {
    const entry = await this.repo.entryInScope(auth, id);
    if (!entry) throw new NotFoundError('federal_personnel', id, await this.repo.exists(id));
    return entry;
  }
}

function namesVisible(auth: AuthUser): boolean {
  return auth.role !== 'AUDITOR';
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]])) as Partial<Pick<T, K>>;
}

function toEntryView(r: EntryRow, names: boolean): PersonnelEntryView {
  const roles: PersonnelRole[] = [];
  if (r.as_supervisor) roles.push('SUPERVISOR');
  if (r.as_agent) roles.push('AGENT');
  return {
    id: r.id,
    agency: r.agency as FederalAgency | null,
    groupedByBadge: r.keyed,
    ...(names
      ? {
          badgeNormalised: r.badge_normalised,
          names: r.names ?? [],
          badges: r.badges ?? [],
          descriptions: r.descriptions ?? [],
        }
      : {}),
    roles,
    outcomes: (r.outcomes ?? []) as IdentificationOutcome[],
    caseCount: r.case_count,
    recordCount: r.record_count,
    lastIncidentAt: iso(r.last_incident_at),
    linkCount: r.link_count,
  };
}

function toCaseViews(rows: CaseRecordRow[], names: boolean, packets: boolean): PersonnelCaseView[] {
  const byCase = new Map<string, PersonnelCaseView>();
  for (const r of rows) {
    let v = byCase.get(r.case_id);
    if (!v) {
      v = {
        caseId: r.case_id,
        caseNumber: r.case_number,
        district: r.district,
        status: r.status as CaseStatus,
        incidentAt: iso(r.incident_at),
        activityType: r.activity_type as ActivityType | null,
        records: [],
        ...(names ? { incidentLocation: r.incident_location, violations: r.violations } : {}),
        anyFelony: (r.violations ?? []).some((x) => x.felony),
        ...(packets && r.packet_id ? { packetId: r.packet_id } : {}),
      };
      byCase.set(r.case_id, v);
    }
    v.records.push({
      isSupervisor: r.is_supervisor,
      identificationOutcome: r.identification_outcome as IdentificationOutcome | null,
      ...(names ? { name: r.name, badgeNumber: r.badge_recorded, description: r.description } : {}),
    });
  }
  return [...byCase.values()];
}

function toLinkView(
  l: LinkRow,
  fromEntry: string,
  names: boolean,
  other: PersonnelLinkedEntry | null,
): PersonnelLinkView {
  return {
    id: l.id,
    otherId: l.entry_a === fromEntry ? l.entry_b : l.entry_a,
    other,
    active: !l.unlinked_at,
    ...(names ? { reason: l.reason, unlinkReason: l.unlink_reason } : {}),
    linkedBy: { id: l.linked_by, displayName: l.linked_by_name },
    linkedAt: iso(l.linked_at)!,
    unlinkedBy: l.unlinked_by ? { id: l.unlinked_by, displayName: l.unlinked_by_name ?? '' } : null,
    unlinkedAt: iso(l.unlinked_at),
  };
}
