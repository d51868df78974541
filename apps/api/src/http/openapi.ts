import { INestApplication, RequestMethod, SetMetadata } from '@nestjs/common';
import { METHOD_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ALLOWED_WHILE_PASSWORD_CHANGE_REQUIRED, ANY_AUTHENTICATED, IS_PUBLIC, REQUIRED_PERMISSION } from '@app/auth';
import { ErrorCode } from '@app/common';
import { statusOf } from './api-exception.filter';
import { RATE_LIMIT } from './rate-limit';
import { AUDIT_ACTIONS, meaningOf } from '@app/audit';

/** Where Swagger UI and the JSON document are served (without the leading slash, as Nest wants it). */
export const OPENAPI_UI_PATH = 'api/docs';
export const OPENAPI_JSON_PATH = 'api/docs/openapi.json';

const API_ERRORS = 'ion:api-errors';

/**
 * The refusals a route gives besides those every route of its kind gives (documented from the route's
 * metadata by createOpenApiDocument: 401 for a token, 403 for a role permission, 404 and 400 for an id,
 * 400 for a body or query, 409/428 for a version, 429 for a rate limit).
 */
export const ApiErrors = (...codes: ErrorCode[]) => SetMetadata(API_ERRORS, codes);

/** The OpenAPI document's header: served at /api/docs and written by scripts/openapi.js for the console's types. */
export function openApiConfig() {
  return new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('ICE-on-Notice case service')
    .setDescription(
      'Cases, evidence and audit trail for Chicago Executive Order 2026-01. Every error body has ' +
        'statusCode, code, message and requestId. This document is also served as JSON at /' +
        OPENAPI_JSON_PATH +
        '.',
    )
    .setVersion('1')
    .addServer('/', 'This service (every path starts with /api/v1)')
    .addBearerAuth()
    .build();
}

/** What each error code means to a client, in the words of the 4xx answers' descriptions. */
const MEANING: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.ValidationFailed]: 'a field, parameter or id is invalid or unknown (`fields` names each)',
  [ErrorCode.MalformedBody]: 'the body is not well-formed JSON',
  [ErrorCode.UploadIncomplete]: 'the upload ended before the file did',
  [ErrorCode.Unauthenticated]: 'no bearer token, or an expired or invalid one, or a deactivated user',
  [ErrorCode.InvalidCredentials]: 'wrong username or password',
  [ErrorCode.Forbidden]: 'your role may not do this',
  [ErrorCode.PasswordChangeRequired]:
    'an administrator reset your password: set a new one with POST /api/v1/auth/password first (`state`)',
  [ErrorCode.SelfDeactivation]: 'an administrator may not deactivate their own account',
  [ErrorCode.SelfRoleChange]: 'an administrator may not remove their own administrator role',
  [ErrorCode.SelfPasswordReset]:
    'an administrator may not reset their own password (change it with POST /api/v1/auth/password)',
  [ErrorCode.TwoPersonRule]: 'you may not approve a case you wrote, or release the legal hold of its evidence',
  [ErrorCode.NotFound]: 'no such id, or it is outside your scope (the attempt is audited as access.denied)',
  [ErrorCode.InvalidTransition]: 'the case or packet is not in a state that allows this (`currentState`)',
  [ErrorCode.PacketNotClaimant]:
    'the packet is claimed by someone else, and their claim is not stale (`claimedBy`, `staleAt`)',
  [ErrorCode.PacketNotDecider]: 'only the prosecutor who recorded the decision may correct it (`decidedBy`)',
  [ErrorCode.PacketNotClaimed]: 'no one has claimed the packet (`currentState` PENDING)',
  [ErrorCode.PacketAlreadyDecided]: 'the packet was decided: a decision is final (`currentState`, `decision`)',
  [ErrorCode.PacketNotDecided]: 'the packet has no decision yet (`currentState`)',
  [ErrorCode.PacketHandOverTarget]: "toUserId is not another active prosecutor of the packet's office (`fields`)",
  [ErrorCode.VersionConflict]: 'the version you edited is stale (`currentVersion`)',
  [ErrorCode.Conflict]: 'it conflicts with the current state (e.g. already taken or already decided)',
  [ErrorCode.IntegrityFailure]: 'the stored bytes no longer match the recorded SHA-256 (the item is marked FAILED)',
  [ErrorCode.ChecklistIncomplete]: "the order's checklist is incomplete (`missing`)",
  [ErrorCode.HashMismatch]: 'the SHA-256 you sent does not match what arrived (nothing is kept)',
  [ErrorCode.EmptyEvidence]: 'the file is empty (0 bytes): not evidence (nothing is kept)',
  [ErrorCode.DuplicateEvidence]:
    'the case already holds this file (`existingEvidenceId`); send duplicateOf=<that id> to keep a second copy',
  [ErrorCode.UploadInProgress]:
    'an evidence upload to the case is still in progress (`uploads`); submit once it has ended',
  [ErrorCode.PayloadTooLarge]: 'the file is larger than EVIDENCE_MAX_BYTES (`limitBytes`)',
  [ErrorCode.UnsupportedMediaType]: 'the Content-Type is not accepted here',
  [ErrorCode.RangeNotSatisfiable]: 'the Range lies outside the file (`sizeBytes`)',
  [ErrorCode.AccountLocked]: 'too many failed logins: the account is locked (`lockedUntil`)',
  [ErrorCode.VersionRequired]: 'the version you edited is missing (If-Match or `version`)',
  [ErrorCode.RateLimited]: 'too many requests: wait `retryAfterSeconds` (also Retry-After)',
  [ErrorCode.StorageRefused]:
    'the storage engine refused the request (`storageCode`, e.g. AccessDenied): not an outage, a retry will not help',
};

interface RouteFacts {
  isPublic: boolean;
  permission: string | null;
  takesBody: boolean;
  takesQuery: boolean;
  rateLimited: boolean;
  allowedWhilePasswordChangeRequired: boolean;
  errors: ErrorCode[];
}

/** The routes' metadata by operationId (`Controller_method`, @nestjs/swagger's default). */
function routeFacts(app: INestApplication): Map<string, RouteFacts> {
  const scanner = new MetadataScanner();
  const out = new Map<string, RouteFacts>();
  for (const mod of app.get(ModulesContainer).values()) {
    for (const wrapper of mod.controllers.values()) {
      const ctrl = wrapper.metatype as (new (...args: unknown[]) => object) | null;
      if (!ctrl) continue;
      const proto = ctrl.prototype as Record<string, object>;
      for (const name of scanner.getAllMethodNames(proto)) {
        const handler = proto[name];
        if (Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, ctrl, name) ?? {}) as Record<string, unknown>;
        const has = (kind: RouteParamtypes) => Object.keys(args).some((k) => k.split(':')[0] === String(kind));
        const isPublic =
          Reflect.getMetadata(IS_PUBLIC, handler) === true || Reflect.getMetadata(IS_PUBLIC, ctrl) === true;
        out.set(`${ctrl.name}_${name}`, {
          isPublic,
          permission: (Reflect.getMetadata(REQUIRED_PERMISSION, handler) as string | undefined) ?? null,
          takesBody: has(RouteParamtypes.BODY),
          takesQuery: has(RouteParamtypes.QUERY),
          rateLimited: Reflect.getMetadata(RATE_LIMIT, handler) !== undefined,
          allowedWhilePasswordChangeRequired:
            Reflect.getMetadata(ALLOWED_WHILE_PASSWORD_CHANGE_REQUIRED, handler) === true,
          errors: (Reflect.getMetadata(API_ERRORS, handler) as ErrorCode[] | undefined) ?? [],
        });
      }
    }
  }
  return out;
}

interface Operation {
  operationId?: string;
  parameters?: { in: string; name: string }[];
  requestBody?: unknown;
  security?: Record<string, string[]>[];
  responses: Record<string, { description: string; content?: unknown }>;
}

/** Every error code a route really answers with, from its guards, parameters and declared refusals. */
function errorCodesOf(op: Operation, facts: RouteFacts): ErrorCode[] {
  const codes = new Set<ErrorCode>();
  const params = op.parameters ?? [];
  if (!facts.isPublic) codes.add(ErrorCode.Unauthenticated);
  if (!facts.isPublic && facts.permission && facts.permission !== ANY_AUTHENTICATED) codes.add(ErrorCode.Forbidden);
  // Every authenticated route but the password change refuses an account whose password was reset (global guard).
  if (!facts.isPublic && !facts.allowedWhilePasswordChangeRequired) codes.add(ErrorCode.PasswordChangeRequired);
  if (params.some((p) => p.in === 'path')) {
    codes.add(ErrorCode.ValidationFailed); // the id is not a UUID
    codes.add(ErrorCode.NotFound);
  }
  if (facts.takesBody)
    codes.add(ErrorCode.ValidationFailed).add(ErrorCode.MalformedBody).add(ErrorCode.UnsupportedMediaType);
  if (facts.takesQuery || params.some((p) => p.in === 'query')) codes.add(ErrorCode.ValidationFailed);
  if (params.some((p) => p.in === 'header' && p.name.toLowerCase() === 'if-match')) {
    codes.add(ErrorCode.VersionConflict).add(ErrorCode.VersionRequired);
  }
  if (facts.rateLimited) codes.add(ErrorCode.RateLimited);
  for (const c of facts.errors) codes.add(c);
  return [...codes];
}

/**
 * The service's OpenAPI 3.1 document, as served at /api/docs and written by scripts/openapi.js.
 * On top of what @nestjs/swagger derives: public routes say `security: []`, every route lists the 4xx
 * answers it really gives (derived from its guard, parameters and rate limit, plus those it declares
 * with @ApiErrors), and nullable schemas use the 3.1 forms (`type: [T, 'null']`, `anyOf: [{$ref}, {type: 'null'}]`).
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const doc = SwaggerModule.createDocument(app, openApiConfig());
  const facts = routeFacts(app);
  const errorBody = { 'application/json': { schema: { $ref: '#/components/schemas/ApiErrorBody' } } };
  for (const item of Object.values(doc.paths)) {
    for (const method of Object.keys(RequestMethod).map((m) => m.toLowerCase())) {
      const op = (item as Record<string, Operation | undefined>)[method];
      if (!op) continue;
      const f = op.operationId ? facts.get(op.operationId) : undefined;
      if (!f) throw new Error(`OpenAPI: no route metadata for operation ${op.operationId ?? '(no operationId)'}`);
      if (f.isPublic) op.security = [];
      const byStatus = new Map<number, ErrorCode[]>();
      for (const code of errorCodesOf(op, f))
        byStatus.set(statusOf(code), [...(byStatus.get(statusOf(code)) ?? []), code]);
      for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
        if (op.responses[status]) continue; // documented by the route itself
        const description = codes.map((c) => `${c}: ${MEANING[c] ?? c}`).join('; ');
        op.responses[status] = { description, content: errorBody };
      }
      op.responses = Object.fromEntries(
        Object.entries(op.responses).sort(([a], [b]) =>
          a === 'default' ? 1 : b === 'default' ? -1 : a.localeCompare(b),
        ),
      );
    }
  }
  // The catalogue of audit actions (libs/audit/src/audit-actions.ts): each value's meaning beside the enum.
  const actions = doc.components?.schemas?.AuditAction as Record<string, unknown> | undefined;
  if (actions) {
    actions.description =
      "What an audit event records: one of the catalogue of actions (the README's export format lists each with its meaning)";
    actions['x-enum-descriptions'] = AUDIT_ACTIONS.map(meaningOf);
  }
  return toOpenApi31(doc as unknown as Json) as unknown as OpenAPIObject;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * @nestjs/swagger writes OpenAPI 3.0 nullability (`nullable: true`, also beside `allOf: [{$ref}]`, which
 * 3.0 cannot express) and wraps every enum reference in a one-element allOf. In 3.1 (JSON Schema):
 * `type: [T, 'null']` (with null among an enum's values), `anyOf: [{$ref}, {type: 'null'}]`, and a plain
 * `$ref` beside its description.
 */
function toOpenApi31(node: Json): Json {
  if (Array.isArray(node)) return node.map(toOpenApi31);
  if (node === null || typeof node !== 'object') return node;
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(node)) out[k] = toOpenApi31(v);
  const single = Array.isArray(out.allOf) && out.allOf.length === 1 ? (out.allOf[0] as { [k: string]: Json }) : null;
  if (single && typeof single.$ref === 'string' && Object.keys(single).length === 1) {
    delete out.allOf;
    out.$ref = single.$ref;
  }
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    } else if (typeof out.$ref === 'string') {
      const ref = out.$ref;
      delete out.$ref;
      out.anyOf = [{ $ref: ref }, { type: 'null' }];
    } else {
      throw new Error(`OpenAPI: nullable schema without a type or $ref: ${JSON.stringify(out)}`);
    }
  }
  return out;
}
