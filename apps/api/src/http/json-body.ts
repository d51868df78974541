import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { json } from 'express';
import { isWellFormed, MalformedBodyError, NUL, UnsupportedMediaTypeError, ValidationError } from '@app/common';

/** The one route whose body is not JSON: an evidence upload (raw bytes or multipart). */
const UPLOAD_ROUTE = /^\/api\/v1\/cases\/[^/]+\/evidence\/?$/;
/** A tus PATCH: its body is the file's next bytes (application/offset+octet-stream), read by the tus controller. */
const TUS_PATCH_ROUTE = /^\/api\/v1\/cases\/[^/]+\/evidence\/uploads\/[^/]+\/?$/;
/** Exactly application/json: what the JSON parser reads (a +json type such as json-patch would be skipped by it). */
const JSON_TYPE = /^application\/json\s*(?:;|$)/i;
/** Deeper than any request the API takes (its DTOs nest two levels); deep enough for any honest client. */
export const MAX_JSON_DEPTH = 16;
/** Names Object.prototype owns, and `prototype`: as a body key they can only be an attack (prototype pollution) or a mistake. */
const PROTOTYPE_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

const LONE_SURROGATE =
  'The request body holds text that is not valid Unicode (a lone UTF-16 surrogate, e.g. "\\ud800").';
const LONE_SURROGATE_VALUE = 'is not valid Unicode text (it holds a lone UTF-16 surrogate)';
const NUL_VALUE = 'must not contain U+0000 (NUL)';

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * Every request body except an upload's must be JSON in UTF-8. Anything else (a form, text, XML, a
 * missing Content-Type, another charset) is refused with 415 instead of being ignored, which would
 * let the action run as if an empty body had been sent.
 */
function requireJson(req: Request, _res: Response, next: NextFunction): void {
  if (
    !hasBody(req) ||
    (req.method === 'POST' && UPLOAD_ROUTE.test(req.path)) ||
    (req.method === 'PATCH' && TUS_PATCH_ROUTE.test(req.path))
  )
    return next();
  const type = req.headers['content-type'] ?? '';
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type)?.[1];
  if (!JSON_TYPE.test(type) || (charset !== undefined && !/^utf-?8$/i.test(charset))) {
    return next(
      new UnsupportedMediaTypeError(
        `The request body must be JSON (Content-Type: application/json, UTF-8); got ${type ? JSON.stringify(type.slice(0, 100)) : 'no Content-Type'}.`,
      ),
    );
  }
  next();
}

/**
 * Refuses a parsed JSON body that no DTO could want, before validation walks it: nesting deeper than
 * MAX_JSON_DEPTH (class-transformer would recurse until the stack overflows), keys named like
 * Object.prototype members (`__proto__`, `constructor`, ...), which would otherwise vanish silently,
 * text with a lone surrogate (valid JSON, but PostgreSQL's jsonb refuses it: the action would fail
 * late), and U+0000 in any key or string value (PostgreSQL's text and jsonb cannot hold it: the action
 * failed with a 500, or the audit trail stored it altered). Query objects get the same checks (their
 * values are strings). A pipe, not a middleware: it runs after the guard, so the refusal is audited like
 * any validation failure of an authenticated request.
 */
@Injectable()
export class JsonShapePipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'body' && metadata.type !== 'query') return value;
    if (value !== null && typeof value === 'object') checkJsonShape(value);
    else if (typeof value === 'string') checkText(value, metadata.data ?? metadata.type);
    return value;
  }
}

/** A field path as named in a refusal: U+0000 in a key is shown as the escape `\u0000`. */
const shown = (path: string) => path.split(NUL).join('\\u0000');

/**
 * Refuses text no field of the API may hold, naming the field: a lone surrogate or U+0000.
 * Also used for what an upload says about its file (query, X-Evidence-* headers, form fields).
 */
export function checkText(value: string, at: string): void {
  if (!isWellFormed(value)) throw ValidationError.field(at, `${at} ${LONE_SURROGATE_VALUE}`);
  if (value.includes(NUL)) throw ValidationError.field(at, `${at} ${NUL_VALUE}`);
}

function checkJsonShape(body: object): void {
  const stack: Array<{ value: object; path: string; depth: number }> = [{ value: body, path: '', depth: 1 }];
  while (stack.length) {
    const { value, path, depth } = stack.pop()!;
    if (depth > MAX_JSON_DEPTH)
      throw new MalformedBodyError(`The request body is nested more than ${MAX_JSON_DEPTH} levels deep.`);
    for (const key of Object.keys(value)) {
      if (!isWellFormed(key)) throw new MalformedBodyError(LONE_SURROGATE);
      const at = path ? `${path}.${key}` : key;
      if (key.includes(NUL)) throw ValidationError.field(shown(at), `the field name ${shown(at)} ${NUL_VALUE}`);
      if (!Array.isArray(value) && PROTOTYPE_KEYS.has(key))
        throw ValidationError.field(at, `${at} is not an accepted field`);
      const child = (value as Record<string, unknown>)[key];
      if (typeof child === 'string') checkText(child, shown(at));
      if (child !== null && typeof child === 'object') stack.push({ value: child, path: at, depth: depth + 1 });
    }
  }
}

/** The JSON body middleware, in order (after the request id is assigned); JsonShapePipe checks what it parsed. */
export function jsonBody(limit: string): RequestHandler[] {
  return [requireJson, json({ limit })];
}
