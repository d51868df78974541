import { CreateAppRoleAndUsers1763700000000 } from './1763700000000-create-app-role-and-users';
import { CreateAuditTrail1763700000001 } from './1763700000001-create-audit-trail';
import { CreateCases1763700000002 } from './1763700000002-create-cases';
import { CreateEvidence1763800000000 } from './1763800000000-create-evidence';
import { CreateAuditCheckpoints1763900000000 } from './1763900000000-create-audit-checkpoints';
import { CreateAuditRetention1763900000001 } from './1763900000001-create-audit-retention';
import { AuditBodyJson1763900000002 } from './1763900000002-audit-body-json';
import { CreatePackets1764000000000 } from './1764000000000-create-packets';
import { CreateRateLimits1764100000000 } from './1764100000000-create-rate-limits';
import { CreateSigningKeys1764100000001 } from './1764100000001-create-signing-keys';
import { CreateLoginFailures1764200000003 } from './1764200000003-create-login-failures';
import { CreateEvidenceUploadSessions1764250000000 } from './1764250000000-create-evidence-upload-sessions';
import { EvidenceLegalHold1764300000000 } from './1764300000000-evidence-legal-hold';
import { CreateEvidenceTusUploads1764400000000 } from './1764400000000-create-evidence-tus-uploads';
import { CreateAccessTickets1764410000000 } from './1764410000000-create-access-tickets';
import { CaseSearch1764430000000 } from './1764430000000-case-search';
import { FederalPersonnelIndex1764430000001 } from './1764430000001-federal-personnel-index';
import { ReviewQueueSearch1764430000002 } from './1764430000002-review-queue-search';
import { PacketCaseReport1764450000000 } from './1764450000000-packet-case-report';
import { CaseSearchSpeed1764460000000 } from './1764460000000-case-search-speed';
import { UserAdministration1764470000000 } from './1764470000000-user-administration';
import { AttentionQueues1764480000000 } from './1764480000000-attention-queues';
import { PacketClaimReleaseAndReferenceCorrections1764490000000 } from './1764490000000-packet-claim-release-and-reference-corrections';
import { TokensValidAfter1764500000000 } from './1764500000000-tokens-valid-after';

/** Every migration, in order. Listed explicitly: no globs. */
export const MIGRATIONS = [
  CreateAppRoleAndUsers1763700000000,
  CreateAuditTrail1763700000001,
  CreateCases1763700000002,
  CreateEvidence1763800000000,
  CreateAuditCheckpoints1763900000000,
  CreateAuditRetention1763900000001,
  AuditBodyJson1763900000002,
  CreatePackets1764000000000,
  CreateRateLimits1764100000000,
  CreateSigningKeys1764100000001,
  CreateLoginFailures1764200000003,
  CreateEvidenceUploadSessions1764250000000,
  EvidenceLegalHold1764300000000,
  CreateEvidenceTusUploads1764400000000,
  CreateAccessTickets1764410000000,
  CaseSearch1764430000000,
  FederalPersonnelIndex1764430000001,
  ReviewQueueSearch1764430000002,
  PacketCaseReport1764450000000,
  CaseSearchSpeed1764460000000,
  UserAdministration1764470000000,
  AttentionQueues1764480000000,
  PacketClaimReleaseAndReferenceCorrections1764490000000,
  TokensValidAfter1764500000000,
];
