import busboy from 'busboy';
import type { Request } from 'express';
import type { Readable } from 'node:stream';
import { UnsupportedMediaTypeError, UploadIncompleteError, ValidationError } from '@app/common';
import { EVIDENCE_METADATA_FIELDS, EvidenceMetadataDto, UploadSource } from '@app/evidence';
import { checkText } from '../http/json-body';
import { createValidationPipe } from '../http/validation';

const pipe = createValidationPipe();
const FIELD_SET = new Set<string>(EVIDENCE_METADATA_FIELDS);
/** Bodies Nest's own parsers would consume: never evidence. */
const REFUSED_TYPES = /^(application\/json|application\/x-www-form-urlencoded)\b/i;

export interface ParsedUpload {
  meta: EvidenceMetadataDto;
  source: UploadSource;
  /** Stops reading the body (the upload is refused before streaming). */
  discard(): void;
}

/** `X-Evidence-Device-Id` names `deviceId`, and so on. */
function headerName(field: string): string {
  return `x-evidence-${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The field an `X-Evidence-*` header names: `x-evidence-created-by` -> `createdBy`. */
function fieldOfHeader(header: string): string {
  return header.slice('x-evidence-'.length).replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** `X-Evidence-*` headers of the request (lower-case names, as Node gives them). */
function evidenceHeaders(req: Request): string[] {
  return Object.keys(req.headers).filter((h) => h.startsWith('x-evidence-'));
}

function filenameFromDisposition(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(value);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      return undefined;
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;\s]+)/i.exec(value);
  return plain ? (plain[1] ?? plain[2]) : undefined;
}

/** The metadata fields' own checks (text rules, then the DTO), whatever channel carried them (also tus Upload-Metadata). */
export async function validateMetadata(raw: Record<string, unknown>): Promise<EvidenceMetadataDto> {
  // Query parameters, X-Evidence-* headers and form fields do not pass the JSON body checks: the same text rules here.
  for (const [field, value] of Object.entries(raw)) if (typeof value === 'string') checkText(value, field);
  return (await pipe.transform(raw, { type: 'body', metatype: EvidenceMetadataDto })) as EvidenceMetadataDto;
}

function declaredLength(req: Request): number | null {
  const cl = req.headers['content-length'];
  if (cl === undefined) return null;
  if (!/^\d{1,16}$/.test(cl)) throw ValidationError.field('Content-Length', 'must be a byte count');
  return Number(cl);
}

/**
 * A raw upload: the body is the file; metadata comes from the query string or
 * `X-Evidence-<Field>` headers (the filename also from Content-Disposition).
 */
export async function parseRawUpload(req: Request): Promise<ParsedUpload> {
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(req.query)) {
    if (!FIELD_SET.has(k))
      throw ValidationError.field(
        k,
        `${k} is not an accepted parameter (accepted: ${EVIDENCE_METADATA_FIELDS.join(', ')})`,
      );
    if (typeof v !== 'string') throw ValidationError.field(k, `${k} must be given once, as text`);
    raw[k] = v;
  }
  // A header naming no metadata field is refused like an unknown query parameter, never ignored.
  for (const header of evidenceHeaders(req)) {
    const field = fieldOfHeader(header);
    if (!FIELD_SET.has(field) || headerName(field) !== header) {
      throw ValidationError.field(
        field,
        `${field} is not an accepted header (accepted: ${EVIDENCE_METADATA_FIELDS.map(headerName).join(', ')})`,
      );
    }
  }
  for (const field of EVIDENCE_METADATA_FIELDS) {
    const h = req.headers[headerName(field)];
    if (typeof h !== 'string') continue;
    if (raw[field] !== undefined && raw[field] !== h) {
      throw ValidationError.field(field, `${field} was given as a query parameter and a header with different values`);
    }
    raw[field] = h;
  }
  raw.originalFilename ??= filenameFromDisposition(req.headers['content-disposition']);
  if (raw.originalFilename === undefined) delete raw.originalFilename;
  const meta = await validateMetadata(raw);
  const declaredBytes = declaredLength(req);
  return {
    meta,
    discard: () => undefined,
    source: {
      body: req as AsyncIterable<Buffer>,
      declaredBytes,
      declaredContentType: req.headers['content-type'] ?? null,
      finished: async () => {
        if (!req.complete)
          throw new UploadIncompleteError('The request body ended before the declared length arrived.');
      },
    },
  };
}

/**
 * A multipart/form-data upload, parsed as it streams (busboy; no memory or disk buffering):
 * metadata fields first, then exactly one file part named `file`.
 */
export function parseMultipartUpload(req: Request): Promise<ParsedUpload> {
  return new Promise<ParsedUpload>((resolve, reject) => {
    // Metadata of a multipart upload is read from its form fields only: a query parameter or an X-Evidence-*
    // header would otherwise be ignored without a word (a declared sha256 left unchecked, an unknown field accepted).
    const outside = [...Object.keys(req.query), ...evidenceHeaders(req).map(fieldOfHeader)];
    if (outside.length) {
      return reject(
        ValidationError.field(
          outside[0],
          `${outside[0]} is not accepted as a query parameter or header of a multipart upload (send metadata as form fields before the file part)`,
        ),
      );
    }
    // The client may be gone before parsing starts (guards and the case lookup ran first): its 'aborted' and
    // 'close' have fired already and busboy would wait for a body that never ends.
    if (req.destroyed || req.readableAborted) {
      return reject(
        new UploadIncompleteError('The client disconnected before the upload completed; nothing was stored.'),
      );
    }
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        limits: { files: 1, fields: 20, fieldSize: 4096, parts: 30, fieldNameSize: 100 },
      });
    } catch (e) {
      return reject(
        new UnsupportedMediaTypeError(`multipart/form-data could not be read: ${e instanceof Error ? e.message : e}`),
      );
    }
    const fields: Record<string, string> = {};
    let fileSeen = false;
    let settled = false;
    let lateError: Error | undefined;
    let closed = false;
    let onClosed: (() => void) | undefined;
    /** The file part being read: a failure after it was handed over must reach its reader, or the upload waits forever. */
    let file: Readable | undefined;
    const fail = (e: Error) => {
      if (!settled) {
        settled = true;
        req.unpipe(bb);
        reject(e);
      } else lateError ??= e;
      if (file && !file.destroyed && !file.readableEnded) file.destroy(e);
      onClosed?.();
    };

    bb.on('field', (name, value, info) => {
      if (fileSeen) return fail(ValidationError.field(name, 'metadata fields must come before the file part'));
      if (!FIELD_SET.has(name))
        return fail(
          ValidationError.field(
            name,
            `${name} is not an accepted field (accepted: ${EVIDENCE_METADATA_FIELDS.join(', ')}, then file)`,
          ),
        );
      if (info.valueTruncated) return fail(ValidationError.field(name, `${name} is too long`));
      if (name in fields) return fail(ValidationError.field(name, `${name} was given more than once`));
      fields[name] = value;
    });
    bb.on('file', (name, stream: Readable, info) => {
      if (fileSeen) {
        stream.resume();
        return fail(ValidationError.field('file', 'exactly one file part is accepted'));
      }
      if (name !== 'file') {
        stream.resume();
        return fail(ValidationError.field(name, `the file part must be named "file", not "${name}"`));
      }
      fileSeen = true;
      file = stream;
      // A body cut off inside the file part errors this stream: without a listener that error would be uncaught.
      stream.on('error', (e: Error) =>
        fail(
          e instanceof UploadIncompleteError
            ? e
            : new UploadIncompleteError(
                `The multipart body is incomplete or malformed (${e.message}); nothing was stored.`,
              ),
        ),
      );
      const raw: Record<string, unknown> = { ...fields };
      if (raw.originalFilename === undefined && info.filename) raw.originalFilename = info.filename;
      validateMetadata(raw).then(
        (meta) => {
          if (settled) return;
          settled = true;
          resolve({
            meta,
            discard: () => {
              req.unpipe(bb);
              stream.resume();
            },
            source: {
              body: stream as AsyncIterable<Buffer>,
              declaredBytes: null,
              declaredContentType: info.mimeType && info.mimeType !== 'application/octet-stream' ? info.mimeType : null,
              finished: () =>
                new Promise<void>((ok, ko) => {
                  const check = () => (lateError ? ko(lateError) : ok());
                  if (closed || lateError) return check();
                  onClosed = check;
                }),
            },
          });
        },
        (e: Error) => {
          stream.resume();
          fail(e);
        },
      );
    });
    bb.on('filesLimit', () => fail(ValidationError.field('file', 'exactly one file part is accepted')));
    bb.on('fieldsLimit', () => fail(ValidationError.field('fields', 'too many fields')));
    bb.on('partsLimit', () => fail(ValidationError.field('fields', 'too many parts')));
    bb.on('error', (e: Error) =>
      fail(
        new UploadIncompleteError(`The multipart body is incomplete or malformed (${e.message}); nothing was stored.`),
      ),
    );
    bb.on('close', () => {
      closed = true;
      if (!fileSeen) fail(ValidationError.field('file', 'a file part named "file" is required'));
      onClosed?.();
    });
    const disconnected = () =>
      fail(new UploadIncompleteError('The client disconnected before the upload completed; nothing was stored.'));
    req.on('aborted', disconnected);
    req.on('close', () => {
      if (!req.complete) disconnected();
    });
    req.pipe(bb);
  });
}

export function isMultipart(req: Request): boolean {
  return /^multipart\/form-data/i.test(req.headers['content-type'] ?? '');
}

export function assertUploadableType(req: Request): void {
  const type = req.headers['content-type'] ?? '';
  if (REFUSED_TYPES.test(type)) {
    throw new UnsupportedMediaTypeError(
      `Content-Type ${type.split(';')[0]} is not an upload: send the file as the raw body (e.g. application/octet-stream or video/mp4) or as multipart/form-data.`,
    );
  }
  if (/^multipart\//i.test(type) && !isMultipart(req)) {
    throw new UnsupportedMediaTypeError(
      `Content-Type ${type.split(';')[0]} is not supported; use multipart/form-data.`,
    );
  }
}
