import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * Domain errors carry a stable code. Libraries throw these, never HTTP exceptions;
 * apps/api maps each code to an HTTP status in one exception filter.
 */
export const ErrorCode = {
  ValidationFailed: 'VALIDATION.FAILED',
  MalformedBody: 'VALIDATION.MALFORMED_BODY',
  Unauthenticated: 'AUTH.UNAUTHENTICATED',
  InvalidCredentials: 'AUTH.INVALID_CREDENTIALS',
  AccountLocked: 'AUTH.ACCOUNT_LOCKED',
  PasswordChangeRequired: 'AUTH.PASSWORD_CHANGE_REQUIRED',
  SelfDeactivation: 'USER.SELF_DEACTIVATION',
  SelfRoleChange: 'USER.SELF_ROLE_CHANGE',
  SelfPasswordReset: 'USER.SELF_PASSWORD_RESET',
  Forbidden: 'AUTH.FORBIDDEN',
  NotFound: 'RESOURCE.NOT_FOUND',
  RouteNotFound: 'ROUTE.NOT_FOUND',
  InvalidTransition: 'CASE.INVALID_TRANSITION',
  PacketNotClaimant: 'PACKET.NOT_CLAIMANT',
  PacketNotDecider: 'PACKET.NOT_DECIDER',
  PacketNotClaimed: 'PACKET.NOT_CLAIMED',
  PacketAlreadyDecided: 'PACKET.ALREADY_DECIDED',
  PacketNotDecided: 'PACKET.NOT_DECIDED',
  PacketHandOverTarget: 'PACKET.HAND_OVER_TARGET_INVALID',
  ChecklistIncomplete: 'CASE.CHECKLIST_INCOMPLETE',
  TwoPersonRule: 'CASE.TWO_PERSON_RULE',
  VersionConflict: 'VERSION.CONFLICT',
  VersionRequired: 'VERSION.REQUIRED',
  Conflict: 'RESOURCE.CONFLICT',
  DependencyUnavailable: 'DEPENDENCY.UNAVAILABLE',
  StorageRefused: 'STORAGE.REFUSED',
  PayloadTooLarge: 'UPLOAD.TOO_LARGE',
  UnsupportedMediaType: 'UPLOAD.UNSUPPORTED_MEDIA_TYPE',
  UploadIncomplete: 'UPLOAD.INCOMPLETE',
  UploadGone: 'UPLOAD.GONE',
  TusVersionUnsupported: 'UPLOAD.TUS_VERSION_UNSUPPORTED',
  HashMismatch: 'EVIDENCE.HASH_MISMATCH',
  IntegrityFailure: 'EVIDENCE.INTEGRITY_FAILURE',
  EmptyEvidence: 'EVIDENCE.EMPTY',
  DuplicateEvidence: 'EVIDENCE.DUPLICATE',
  UploadInProgress: 'CASE.UPLOAD_IN_PROGRESS',
  RangeNotSatisfiable: 'RANGE.NOT_SATISFIABLE',
  RateLimited: 'RATE.LIMITED',
  Internal: 'INTERNAL.ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The error values, for documentation (OpenAPI enum ErrorCode). */
export const ERROR_CODES = Object.values(ErrorCode);

/** One request field that failed validation, and why. */
export class FieldError {
  @ApiProperty({
    type: String,
    example: 'officers.0.name',
    description: 'Path of the field in the request body or query (dots for nesting)',
  })
  field: string;

  @ApiProperty({ type: [String], example: ['name is required when identificationOutcome is VERIFIED'] })
  errors: string[];

  /**
   * Issue 16: which rule each error broke (class-validator's constraint name, e.g. `minLength`, `isIn`, `isSingleLine`),
   * in the order of `errors`, so a client can say it in its own words instead of showing the validator's text.
   * Present for the request's shape; absent for the service's own rules (a client words those by field).
   */
  @ApiPropertyOptional({
    type: [String],
    example: ['minLength'],
    description: "The rule each error broke, in the order of errors (class-validator's constraint name)",
  })
  constraints?: string[];

  /** The numbers of those rules that have one (`{ minLength: 12 }`; `isLength` and `isLength.max` for a range), for words such as "at least 12 characters". */
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { minLength: 12 },
    description: 'The numeric bound of each numeric rule broken (minLength, maxLength, min, max, arrayMaxSize ...)',
  })
  limits?: Record<string, number>;
}

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  /** Extra, non-secret facts returned in the error body (e.g. current state, missing items). */
  readonly details?: Record<string, unknown>;
  /** Set when the service already wrote the audit event for this failure. */
  audited = false;

  constructor(message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }

  markAudited(): this {
    this.audited = true;
    return this;
  }
}

/** Unexpected (non-domain) errors whose audit event a service already wrote. */
const auditedErrors = new WeakSet<object>();

/** Marks any error as audited, so the exception filter does not record the attempt twice. */
export function markErrorAudited<T>(e: T): T {
  if (e instanceof DomainError) e.markAudited();
  else if (e !== null && typeof e === 'object') auditedErrors.add(e);
  return e;
}

export function isErrorAudited(e: unknown): boolean {
  return e instanceof DomainError ? e.audited : e !== null && typeof e === 'object' && auditedErrors.has(e);
}

export class ValidationError extends DomainError {
  readonly code = ErrorCode.ValidationFailed;
  constructor(
    message: string,
    readonly fields: FieldError[] = [],
  ) {
    super(message, fields.length ? { fields } : undefined);
  }
  static field(field: string, error: string): ValidationError {
    return new ValidationError(`${field}: ${error}`, [{ field, errors: [error] }]);
  }
}

export class MalformedBodyError extends DomainError {
  readonly code = ErrorCode.MalformedBody;
}

export class UnauthenticatedError extends DomainError {
  readonly code = ErrorCode.Unauthenticated;
}

export class InvalidCredentialsError extends DomainError {
  readonly code = ErrorCode.InvalidCredentials;
  constructor() {
    super('Invalid username or password.');
  }
}

export class AccountLockedError extends DomainError {
  readonly code = ErrorCode.AccountLocked;
  constructor(lockedUntil: Date) {
    super(`Account is locked after repeated failed logins until ${lockedUntil.toISOString()}.`, {
      lockedUntil: lockedUntil.toISOString(),
    });
  }
}

/** Too many attempts from one client (login) or one user (uploads) within the window. */
export class RateLimitedError extends DomainError {
  readonly code = ErrorCode.RateLimited;
  constructor(readonly limit: { name: string; max: number; windowSeconds: number; retryAfterSeconds: number }) {
    super(
      `Too many ${limit.name} requests: at most ${limit.max} per ${limit.windowSeconds} s. Try again in ${limit.retryAfterSeconds} s.`,
      { retryAfterSeconds: limit.retryAfterSeconds },
    );
  }
}

export class ForbiddenError extends DomainError {
  readonly code = ErrorCode.Forbidden;
}

/**
 * The account must set a new password (an administrator reset it): until then its token serves only
 * POST /auth/password, and every other route answers this (403).
 */
export class PasswordChangeRequiredError extends DomainError {
  readonly code = ErrorCode.PasswordChangeRequired;
  constructor() {
    super(
      "An administrator reset this account's password: set a new one (POST /api/v1/auth/password) before doing anything else.",
      { state: 'PASSWORD_CHANGE_REQUIRED' },
    );
  }
}

/** An administrator deactivating their own account (another administrator must). */
export class SelfDeactivationError extends DomainError {
  readonly code = ErrorCode.SelfDeactivation;
  constructor() {
    super('active: an administrator cannot deactivate their own account; ask another administrator.');
  }
}

/** An administrator giving up their own administrator role (another administrator must). */
export class SelfRoleChangeError extends DomainError {
  readonly code = ErrorCode.SelfRoleChange;
  constructor() {
    super('role: an administrator cannot remove their own administrator role; ask another administrator.');
  }
}

/** An administrator resetting their own password: they change it themselves (POST /auth/password). */
export class SelfPasswordResetError extends DomainError {
  readonly code = ErrorCode.SelfPasswordReset;
  constructor() {
    super('An administrator cannot reset their own password; change it with POST /api/v1/auth/password.');
  }
}

/**
 * Thrown both for ids that do not exist and for ids outside the caller's scope:
 * the caller cannot tell them apart (OWASP API1). `outOfScope` tells the audit trail which.
 */
export class NotFoundError extends DomainError {
  readonly code = ErrorCode.NotFound;
  constructor(
    readonly resource: string,
    readonly id: string,
    readonly outOfScope = false,
    /** For the audit trail only (never the response): the case an out-of-scope packet or evidence id belongs to. */
    readonly caseId: string | null = null,
  ) {
    super(`No ${resource} with id ${id} was found.`);
  }
}

export class RouteNotFoundError extends DomainError {
  readonly code = ErrorCode.RouteNotFound;
}

export class InvalidTransitionError extends DomainError {
  readonly code = ErrorCode.InvalidTransition;
  constructor(
    readonly action: string,
    readonly currentState: string,
  ) {
    super(`Cannot ${action} a case in state ${currentState}.`, { currentState, action });
  }
}

export class ChecklistIncompleteError extends DomainError {
  readonly code = ErrorCode.ChecklistIncomplete;
  constructor(readonly missing: { item: string; message: string }[]) {
    super(`The case cannot be submitted; missing: ${missing.map((m) => m.item).join(', ')}.`, { missing });
  }
}

/** Issue 16: releasing or handing over a claim that is not the caller's (and not stale: see PacketsService.release). */
export class PacketNotClaimantError extends DomainError {
  readonly code = ErrorCode.PacketNotClaimant;
}

/** Issue 16: correcting the external reference of a decision the caller did not record. */
export class PacketNotDeciderError extends DomainError {
  readonly code = ErrorCode.PacketNotDecider;
}

/** Issue 16: releasing or handing over a packet no one has claimed (PENDING). */
export class PacketNotClaimedError extends DomainError {
  readonly code = ErrorCode.PacketNotClaimed;
}

/** Issue 16: releasing or handing over a packet that was decided (a decision is final). */
export class PacketAlreadyDecidedError extends DomainError {
  readonly code = ErrorCode.PacketAlreadyDecided;
}

/** Issue 16: correcting the decision of a packet that has none yet. */
export class PacketNotDecidedError extends DomainError {
  readonly code = ErrorCode.PacketNotDecided;
}

/** Issue 16: a hand-over to someone who is not another active prosecutor of the packet's office (`toUserId`). */
export class PacketHandOverTargetError extends DomainError {
  readonly code = ErrorCode.PacketHandOverTarget;
}

export class TwoPersonRuleError extends DomainError {
  readonly code = ErrorCode.TwoPersonRule;
}

export class VersionConflictError extends DomainError {
  readonly code = ErrorCode.VersionConflict;
  constructor(expected: number, current: number) {
    super(
      `The record was changed by someone else: you sent version ${expected}, the current version is ${current}. Reload and retry.`,
      { expectedVersion: expected, currentVersion: current },
    );
  }
}

export class VersionRequiredError extends DomainError {
  readonly code = ErrorCode.VersionRequired;
  constructor() {
    super('version: send the version you edited, as an If-Match header or a "version" field.');
  }
}

export class ConflictError extends DomainError {
  readonly code = ErrorCode.Conflict;
}

export class DependencyUnavailableError extends DomainError {
  readonly code = ErrorCode.DependencyUnavailable;
  constructor(
    readonly dependency: string,
    cause?: unknown,
    /** When "nothing was changed" would not be the whole truth: what the answer must say instead, and facts for the body. */
    said?: { message: string; details?: Record<string, unknown> },
  ) {
    super(said?.message ?? `The ${dependency} is unavailable; nothing was changed. Try again shortly.`, said?.details);
    if (cause) (this as { cause?: unknown }).cause = cause;
  }
}

/**
 * The storage engine answered, and refused: not an outage (a retry gets the same answer) but a decision of the
 * engine, e.g. AccessDenied (the service's credentials lack a permission) or InvalidRequest. Named with the
 * engine's own code (`storageCode`) so an operator knows what to fix. 502: the failure is the upstream's, not the
 * client's, and not temporary.
 */
export class StorageRefusedError extends DomainError {
  readonly code = ErrorCode.StorageRefused;
  constructor(
    readonly storageCode: string,
    readonly operation: string,
    cause?: unknown,
  ) {
    super(
      `The storage engine refused to ${operation} (${storageCode}); nothing was changed. This is not an outage: retrying will not help until ` +
        'the storage configuration or permissions are corrected.',
      { storageCode, operation },
    );
    if (cause) (this as { cause?: unknown }).cause = cause;
  }
}

export class PayloadTooLargeError extends DomainError {
  readonly code = ErrorCode.PayloadTooLarge;
  constructor(limitBytes: number, receivedOrDeclared: number, declared: boolean) {
    super(
      declared
        ? `The declared size ${receivedOrDeclared} bytes exceeds the limit of ${limitBytes} bytes; nothing was stored.`
        : `The upload exceeded the limit of ${limitBytes} bytes; nothing was stored.`,
      { limitBytes },
    );
  }
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly code = ErrorCode.UnsupportedMediaType;
}

/** The request body ended before the whole upload arrived (client disconnected, truncated multipart). */
export class UploadIncompleteError extends DomainError {
  readonly code = ErrorCode.UploadIncomplete;
}

/** A resumable (tus) upload that ended (stored, failed, cancelled or abandoned): nothing more can be sent to it. */
export class UploadGoneError extends DomainError {
  readonly code = ErrorCode.UploadGone;
}

/** A tus request without `Tus-Resumable: 1.0.0` (the only protocol version served). */
export class TusVersionUnsupportedError extends DomainError {
  readonly code = ErrorCode.TusVersionUnsupported;
  constructor(sent: string | undefined) {
    super(
      `Tus-Resumable: ${sent === undefined ? 'the header is required' : `version ${sent} is not served`}; send Tus-Resumable: 1.0.0.`,
      { tusVersion: '1.0.0' },
    );
  }
}

/** The client's SHA-256 of what it sent differs from the SHA-256 of what arrived. */
export class HashMismatchError extends DomainError {
  readonly code = ErrorCode.HashMismatch;
  constructor(expected: string, actual: string, sizeBytes: number) {
    super(
      `sha256: the file that arrived (${sizeBytes} bytes) hashes to ${actual}, not ${expected}; nothing was stored.`,
      { expectedSha256: expected, actualSha256: actual, sizeBytes },
    );
  }
}

/** Stored bytes no longer match the hash recorded at upload. */
export class IntegrityFailureError extends DomainError {
  readonly code = ErrorCode.IntegrityFailure;
}

/** A file of no bytes: nothing to preserve, and never footage. */
export class EmptyEvidenceError extends DomainError {
  readonly code = ErrorCode.EmptyEvidence;
  constructor() {
    super('file: the upload is empty (0 bytes); an empty file is not evidence. Nothing was stored.', { sizeBytes: 0 });
  }
}

/** The case already holds an active item with exactly these bytes, and the client did not say a second copy is intended. */
export class DuplicateEvidenceError extends DomainError {
  readonly code = ErrorCode.DuplicateEvidence;
  constructor(existingEvidenceId: string, sha256: string, caseNumber: string) {
    super(
      `This file (SHA-256 ${sha256}) is already evidence ${existingEvidenceId} of case ${caseNumber}; nothing was stored. ` +
        `To keep a second copy anyway, send duplicateOf=${existingEvidenceId} with the upload.`,
      { existingEvidenceId, sha256 },
    );
  }
}

/** An upload to the case is still arriving: submitting now would send the case without it. */
export class UploadInProgressError extends DomainError {
  readonly code = ErrorCode.UploadInProgress;
  constructor(
    caseNumber: string,
    uploads: {
      id: string;
      originalFilename: string | null;
      bytesReceived: number;
      startedAt: string;
      staleAt: string;
    }[],
  ) {
    const named = uploads.map(
      (u) =>
        `${u.originalFilename ?? `upload ${u.id}`} (started ${u.startedAt}, ${u.bytesReceived} bytes received so far)`,
    );
    super(
      `Case ${caseNumber} cannot be submitted while ${uploads.length === 1 ? 'an evidence upload to it is' : `${uploads.length} evidence uploads to it are`} ` +
        `in progress: ${named.join('; ')}. Wait until ${uploads.length === 1 ? 'it is' : 'they are'} stored or cancelled, then submit.`,
      { uploads },
    );
  }
}

export class RangeNotSatisfiableError extends DomainError {
  readonly code = ErrorCode.RangeNotSatisfiable;
  constructor(readonly sizeBytes: number) {
    super(`The requested range is not satisfiable for an object of ${sizeBytes} bytes.`, { sizeBytes });
  }
}
