import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import {
  DependencyUnavailableError,
  DomainError,
  ErrorCode,
  isErrorAudited,
  MalformedBodyError,
  NotFoundError,
  RangeNotSatisfiableError,
  RateLimitedError,
  RouteNotFoundError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '@app/common';
import { AuditAction, AuditOutcome, AuditService, isAuditAction } from '@app/audit';
import { isDatabaseUnavailable } from '@app/database';
import { EvidenceService } from '@app/evidence';
import { PacketsService } from '@app/packets';
import { asStorageError, isS3Answer } from '@app/storage';
import { redactUrl } from './redact';
import { ContextRequest, contextFor } from './request-context.middleware';

export function statusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.ValidationFailed:
    case ErrorCode.MalformedBody:
    case ErrorCode.UploadIncomplete:
      return HttpStatus.BAD_REQUEST;
    case ErrorCode.Unauthenticated:
    case ErrorCode.InvalidCredentials:
      return HttpStatus.UNAUTHORIZED;
    case ErrorCode.Forbidden:
    case ErrorCode.TwoPersonRule:
    case ErrorCode.PasswordChangeRequired:
    case ErrorCode.SelfDeactivation:
    case ErrorCode.SelfRoleChange:
    case ErrorCode.SelfPasswordReset:
    case ErrorCode.PacketNotClaimant:
    case ErrorCode.PacketNotDecider:
      return HttpStatus.FORBIDDEN;
    case ErrorCode.NotFound:
    case ErrorCode.RouteNotFound:
      return HttpStatus.NOT_FOUND;
    case ErrorCode.InvalidTransition:
    case ErrorCode.VersionConflict:
    case ErrorCode.Conflict:
    case ErrorCode.IntegrityFailure:
    case ErrorCode.DuplicateEvidence:
    case ErrorCode.UploadInProgress:
    case ErrorCode.PacketNotClaimed:
    case ErrorCode.PacketAlreadyDecided:
    case ErrorCode.PacketNotDecided:
      return HttpStatus.CONFLICT;
    case ErrorCode.ChecklistIncomplete:
    case ErrorCode.HashMismatch:
    case ErrorCode.EmptyEvidence:
    case ErrorCode.PacketHandOverTarget:
      return HttpStatus.UNPROCESSABLE_ENTITY;
    case ErrorCode.PayloadTooLarge:
      return HttpStatus.PAYLOAD_TOO_LARGE;
    case ErrorCode.UnsupportedMediaType:
      return HttpStatus.UNSUPPORTED_MEDIA_TYPE;
    case ErrorCode.UploadGone:
      return HttpStatus.GONE;
    case ErrorCode.TusVersionUnsupported:
      return HttpStatus.PRECONDITION_FAILED;
    case ErrorCode.RangeNotSatisfiable:
      return HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE;
    case ErrorCode.AccountLocked:
      return HttpStatus.LOCKED;
    case ErrorCode.VersionRequired:
      return HttpStatus.PRECONDITION_REQUIRED;
    case ErrorCode.RateLimited:
      return HttpStatus.TOO_MANY_REQUESTS;
    case ErrorCode.DependencyUnavailable:
      return HttpStatus.SERVICE_UNAVAILABLE;
    case ErrorCode.StorageRefused:
      return HttpStatus.BAD_GATEWAY;
    case ErrorCode.Internal:
      return HttpStatus.INTERNAL_SERVER_ERROR;
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

class InternalError extends DomainError {
  readonly code = ErrorCode.Internal;
}

/**
 * The one place errors become HTTP: codes map to statuses, every body has statusCode, code,
 * message and requestId, and every failed or denied attempt is written to the audit trail
 * (unless the service already wrote it). Nothing else is disclosed about unexpected errors.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  constructor(
    private readonly audit: AuditService,
    private readonly packets: PacketsService,
    private readonly evidence: EvidenceService,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<ContextRequest>();
    const res = host.switchToHttp().getResponse<Response>();
    const ctx = contextFor(req);
    const error = this.toDomainError(exception, ctx.requestId);
    if (isErrorAudited(exception)) error.markAudited();
    const status = statusOf(error.code);
    const body = {
      statusCode: status,
      code: error.code,
      message: error.message,
      requestId: ctx.requestId,
      ...error.details,
    };

    // A refused upload whose body is still arriving: answer, then close the connection instead of reading it all.
    const bodyPending =
      !req.complete &&
      (Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined);
    this.recordAttempt(req, error, status)
      .catch((e) =>
        this.logger.error(`Could not audit failed request ${ctx.requestId}: ${e instanceof Error ? e.message : e}`),
      )
      .finally(() => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        if (bodyPending) res.setHeader('Connection', 'close');
        // RFC 9110 §15.5.17: a 416 says the current length of the representation.
        if (error instanceof RangeNotSatisfiableError) res.setHeader('Content-Range', `bytes */${error.sizeBytes}`);
        res.status(status).json(body);
      });
  }

  private toDomainError(e: unknown, requestId: string): DomainError {
    if (e instanceof DomainError) return e;
    if (e instanceof HttpException) {
      const s = e.getStatus();
      if (s === 404) return new RouteNotFoundError('No such route.');
      if (s === 400) return new MalformedBodyError(`The request could not be read: ${e.message}`);
      if (s === 413) return new ValidationError('The request body is too large.');
    }
    // body-parser's refusals (http-errors with a `type`): bad JSON, too large, an unsupported charset or
    // Content-Encoding, a body that ended early or does not inflate. All are the client's, none a 500.
    const bodyParser = e as { type?: unknown; status?: unknown; expose?: unknown; message?: unknown };
    const clientFault = typeof bodyParser?.status === 'number' && bodyParser.status >= 400 && bodyParser.status < 500;
    if (clientFault && (typeof bodyParser.type === 'string' || bodyParser.expose === true)) {
      if (bodyParser.type === 'entity.parse.failed')
        return new MalformedBodyError('The request body is not valid JSON.');
      if (bodyParser.type === 'entity.too.large') return new ValidationError('The request body is too large.');
      const why = String(bodyParser.message);
      if ((bodyParser.status as number) === 415)
        return new UnsupportedMediaTypeError(`The request body could not be read: ${why}.`);
      return new MalformedBodyError(`The request body could not be read: ${why}.`);
    }
    if (isDatabaseUnavailable(e)) {
      this.logger.error(`Database unavailable (request ${requestId}): ${e instanceof Error ? e.message : e}`);
      return new DependencyUnavailableError('database', e);
    }
    // An answer of the storage engine that no service translated: a 5xx is an outage (503), a refusal a 502 naming its code.
    const storage = isS3Answer(e) ? asStorageError(e, 'complete a storage request') : null;
    if (storage instanceof DomainError) {
      this.logger.error(`Storage ${storage.code} (request ${requestId}): ${e instanceof Error ? e.message : e}`);
      return storage;
    }
    this.logger.error(`Unexpected error (request ${requestId})`, e instanceof Error ? e.stack : String(e));
    return new InternalError(`An unexpected error occurred; quote request id ${requestId} to support.`);
  }

  /**
   * Every event about a packet or an evidence item carries its case, refusals included (a lost claim
   * race, a 403, a 400 from the DTO, a 416), so the case's timeline shows them: looked up by id here,
   * whatever the caller may see. Only an id that names nothing (or is not an id) has no case. Not
   * looked up when the database is what failed: the event could not be written either.
   */
  private async caseOfTarget(type: string | null, id: string | null, error: DomainError): Promise<string | null> {
    if (!id || !UUID.test(id) || error instanceof DependencyUnavailableError) return null;
    if (error instanceof NotFoundError && !error.outOfScope) return null; // the service found no such id
    const lookup =
      type === 'packet' ? this.packets.caseIdOf(id) : type === 'evidence' ? this.evidence.caseIdOf(id) : null;
    return lookup ? lookup.catch(() => null) : null;
  }

  private async recordAttempt(req: ContextRequest, error: DomainError, status: number): Promise<void> {
    if (error.audited || error instanceof RouteNotFoundError) return;
    const ctx = contextFor(req);
    // Requests refused before routing (unreadable bodies) name no action and no caller: logged, not chained,
    // so anonymous garbage cannot flood the audit trail. Everything from the guard on is recorded (on a public
    // route only when it names the action its refusals are audited as: a login that fails validation).
    if (!ctx.permission && !ctx.auditAction && !ctx.actor && status !== 401 && status !== 403 && status !== 429) return;
    const permission = ctx.permission;
    const id = typeof req.params?.id === 'string' ? req.params.id : null;
    // Under /cases/:id the id is a case's whatever the permission names (e.g. evidence.upload).
    const caseRoute = /^\/api\/v1\/cases\/:id(\/|$)/.test(String(req.route?.path ?? ''));
    const resource = caseRoute ? 'case' : (permission?.split('.')[0] ?? null);
    const limited = error instanceof RateLimitedError;
    const denied = status === 401 || status === 403 || limited || (error instanceof NotFoundError && error.outOfScope);
    const outcome: AuditOutcome = denied ? 'DENIED' : 'FAILED';
    // Named by the route's permission (or a public route's @AuditRefusalsAs), both in the catalogue of actions
    // (attemptedAction in libs/auth proves it for every permission); a route naming neither: request.failed.
    const named = permission ?? ctx.auditAction;
    let action: AuditAction = isAuditAction(named) ? named : AuditAction.RequestFailed;
    if (status === 401) action = AuditAction.AuthUnauthenticated;
    else if (limited) action = AuditAction.RateLimitExceeded;
    else if (denied) action = AuditAction.AccessDenied;
    const targetType = error instanceof NotFoundError ? error.resource : resource;
    const targetId = error instanceof NotFoundError ? error.id : id;
    const knownCase = error instanceof NotFoundError && error.caseId ? error.caseId : resource === 'case' ? id : null;
    await this.audit.record({
      action,
      outcome,
      actor: ctx.actor,
      targetType,
      targetId,
      caseId: knownCase ?? (await this.caseOfTarget(targetType, targetId, error)),
      context: ctx,
      details: {
        attempted: permission ?? (limited ? `${error.limit.name}` : null),
        method: req.method,
        path: redactUrl(req.originalUrl?.split('?')[0] ?? '').slice(0, 256),
        status,
        code: error.code,
        message: error.message,
        ...(error instanceof NotFoundError ? { reason: error.outOfScope ? 'out_of_scope' : 'not_found' } : {}),
        ...(error instanceof ValidationError && error.fields.length
          ? { fields: error.fields.map((f) => f.field) }
          : {}),
        ...(limited ? { limit: { max: error.limit.max, windowSeconds: error.limit.windowSeconds } } : {}),
      },
    });
  }
}
