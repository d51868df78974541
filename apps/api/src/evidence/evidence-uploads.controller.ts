import { Controller, Delete, Head, HttpCode, Options, Param, Patch, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiConsumes,
  ApiCreatedResponse,
  ApiDefaultResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { AuthUser } from '@app/common';
import { ErrorCode, TusVersionUnsupportedError, UnsupportedMediaTypeError, ValidationError } from '@app/common';
import { Authorize, CurrentUser, Permission, Public } from '@app/auth';
import {
  EVIDENCE_METADATA_FIELDS,
  EvidenceMetadataDto,
  TUS_EXTENSIONS,
  TUS_VERSION,
  TusUploadService,
  TusUploadStatus,
  TusUploadView,
} from '@app/evidence';
import { API_ERROR } from '../http/api-error-body';
import { ApiErrors } from '../http/openapi';
import { UuidParam } from '../http/params';
import { RateLimited, RateLimitGuard } from '../http/rate-limit';
import { checkText } from '../http/json-body';
import { validateMetadata } from './upload-request';

/**
 * Keys tus clients send by convention (tus-js-client, Uppy, browsers): the file's MIME type (recorded as the declared
 * content type, as the single-request upload records its Content-Type) and its name (an alias of originalFilename).
 */
const CONVENTION_KEYS = ['filetype', 'filename'] as const;
const ACCEPTED_KEYS = new Set<string>([...EVIDENCE_METADATA_FIELDS, ...CONVENTION_KEYS]);
/** A media type as a Content-Type header carries it: type/subtype and parameters, printable ASCII on one line. */
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const MEDIA_TYPE = new RegExp(
  `^${TOKEN}/${TOKEN}(\\s*;\\s*${TOKEN}=(${TOKEN}|"[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]*"))*$`,
);
/** The column that keeps it (evidence.declared_content_type varchar(255)). */
const MAX_FILETYPE = 255;
const TUS_HEADER = { name: 'Tus-Resumable', required: true, description: '1.0.0' } as const;
/** Headers a browser script may read from these answers (when the API is served cross-origin). */
const EXPOSED =
  'Tus-Resumable, Tus-Version, Tus-Extension, Tus-Max-Size, Upload-Offset, Upload-Length, Location, Evidence-Id';

function tusAnswer(res: Response): void {
  res.setHeader('Tus-Resumable', TUS_VERSION);
  res.setHeader('Access-Control-Expose-Headers', EXPOSED);
}

function requireTus(req: Request): void {
  const v = req.headers['tus-resumable'];
  if (v !== TUS_VERSION) throw new TusVersionUnsupportedError(typeof v === 'string' ? v : undefined);
}

function byteCount(req: Request, header: string): number | null {
  const v = req.headers[header.toLowerCase()];
  if (v === undefined) return null;
  if (typeof v !== 'string' || !/^\d{1,16}$/.test(v) || !Number.isSafeInteger(Number(v)))
    throw ValidationError.field(header, 'must be a byte count (digits)');
  return Number(v);
}

/**
 * Upload-Metadata (tus 1.0.0): comma-separated `key base64value` pairs. Keys are the metadata fields of the
 * single-request upload; values UTF-8 text. Unknown, repeated or undecodable keys are refused, naming the key.
 */
export function parseUploadMetadata(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (header === undefined || header.trim() === '') return out;
  for (const pair of header.split(',')) {
    const [key, value, ...rest] = pair.trim().split(' ');
    if (!key) throw ValidationError.field('Upload-Metadata', 'holds an empty key');
    if (!ACCEPTED_KEYS.has(key))
      throw ValidationError.field(
        key,
        `${key} is not an accepted Upload-Metadata key (accepted: ${[...ACCEPTED_KEYS].join(', ')})`,
      );
    if (rest.length) throw ValidationError.field(key, 'must be one base64 value');
    if (key in out) throw ValidationError.field(key, `${key} was given more than once`);
    const b64 = value ?? '';
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0)
      throw ValidationError.field(key, 'must be base64-encoded');
    try {
      out[key] = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(b64, 'base64'));
    } catch {
      throw ValidationError.field(key, 'must be base64 of UTF-8 text');
    }
  }
  return out;
}

/**
 * The metadata of a creation: `filetype` taken out as the declared content type (empty, as browsers give it for a type
 * they do not know: none), `filename` as originalFilename (both given with different values: 400), the rest validated
 * as the single-request upload's metadata. A refusal names the key the client sent.
 */
export async function creationMetadata(
  header: string | undefined,
): Promise<{ meta: EvidenceMetadataDto; declaredContentType: string | null }> {
  const { filetype, filename, ...fields } = parseUploadMetadata(header);
  let declaredContentType: string | null = null;
  if (filetype !== undefined && filetype !== '') {
    checkText(filetype, 'filetype');
    if (filetype.length > MAX_FILETYPE || !MEDIA_TYPE.test(filetype)) {
      throw ValidationError.field(
        'filetype',
        `filetype must be a media type as a Content-Type header gives it (type/subtype[; parameter=value], printable ASCII, at most ${MAX_FILETYPE} characters)`,
      );
    }
    declaredContentType = filetype;
  }
  const aliased = filename !== undefined && fields.originalFilename === undefined;
  if (filename !== undefined) {
    if (!aliased && fields.originalFilename !== filename) {
      throw ValidationError.field(
        'filename',
        'filename is an alias of originalFilename: both were given, with different values',
      );
    }
    fields.originalFilename = filename;
  }
  try {
    return { meta: await validateMetadata(fields), declaredContentType };
  } catch (e) {
    if (!aliased || !(e instanceof ValidationError)) throw e;
    // The client sent `filename`: its refusal names `filename`.
    const rename = (t: string) => t.replace(/\boriginalFilename\b/g, 'filename');
    throw new ValidationError(
      rename(e.message),
      e.fields.map((f) => (f.field === 'originalFilename' ? { field: 'filename', errors: f.errors.map(rename) } : f)),
    );
  }
}

/** Upload-Metadata is read only at creation: sent with HEAD, PATCH or DELETE it is refused (naming its first key), never ignored. */
function refuseMetadata(req: Request): void {
  const h = req.headers['upload-metadata'];
  if (h === undefined) return;
  const key = String(h).split(',')[0].trim().split(' ')[0] || 'Upload-Metadata';
  throw ValidationError.field(
    key,
    `${key}: Upload-Metadata is read only when the upload is created (POST); it cannot be sent with ${req.method}`,
  );
}

/**
 * Resumable evidence uploads on tus 1.0.0 (tus.io): creation and termination. The protocol is written here, over
 * TusUploadService, rather than through @tus/server (see docs/decisions/0009-tus-without-tus-server.md for why): the global
 * guard, rate limit, error bodies and audit trail of every other route apply unchanged.
 */
@ApiTags('evidence')
@ApiDefaultResponse(API_ERROR)
@Controller('cases/:id/evidence/uploads')
export class EvidenceUploadsController {
  constructor(private readonly tus: TusUploadService) {}

  @Options()
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'tus discovery: the protocol version, extensions and maximum size served' })
  @ApiNoContentResponse({
    description: 'Tus-Resumable, Tus-Version, Tus-Extension, Tus-Max-Size',
    headers: {
      'Tus-Version': { schema: { type: 'string' }, description: '1.0.0' },
      'Tus-Extension': { schema: { type: 'string' }, description: TUS_EXTENSIONS.join(',') },
      'Tus-Max-Size': { schema: { type: 'integer' }, description: 'EVIDENCE_MAX_BYTES' },
    },
  })
  options(@Param('id', UuidParam) _caseId: string, @Res({ passthrough: true }) res: Response): void {
    tusAnswer(res);
    res.setHeader('Tus-Version', TUS_VERSION);
    res.setHeader('Tus-Extension', TUS_EXTENSIONS.join(','));
    res.setHeader('Tus-Max-Size', String(this.tus.maxSize));
  }

  @Post()
  @Authorize(Permission.EvidenceUpload)
  @UseGuards(RateLimitGuard)
  @RateLimited('upload')
  @ApiOperation({
    summary: 'Create a resumable (tus 1.0.0) upload',
    description:
      "Upload-Length is required (no deferred length); Upload-Metadata carries the single-request upload's fields " +
      `(${EVIDENCE_METADATA_FIELDS.join(', ')}) as base64 values. Same checks before anything exists: scope, case DRAFT or RETURNED, ` +
      'size (413), metadata (400 naming the field), an empty file (422 EVIDENCE.EMPTY). The case counts as having an upload in progress ' +
      '(submit refused) until the upload ends. Counts against UPLOAD_RATE_LIMIT. Only its creator may use the upload URL.',
  })
  @ApiHeader(TUS_HEADER)
  @ApiHeader({ name: 'Upload-Length', required: true, description: 'The file size in bytes' })
  @ApiHeader({
    name: 'Upload-Metadata',
    required: false,
    description:
      "tus metadata: `kind <base64>,deviceId <base64>,...`; kind is required. Also the tus clients' conventional keys: " +
      "`filetype` (the file's media type, recorded as declaredContentType) and `filename` (an alias of originalFilename)",
  })
  @ApiCreatedResponse({
    type: TusUploadView,
    description: 'The upload',
    headers: {
      Location: { description: '/api/v1/cases/<caseId>/evidence/uploads/<uploadId>', schema: { type: 'string' } },
    },
  })
  @ApiErrors(
    ErrorCode.InvalidTransition,
    ErrorCode.PayloadTooLarge,
    ErrorCode.EmptyEvidence,
    ErrorCode.TusVersionUnsupported,
  )
  async create(
    @CurrentUser() auth: AuthUser,
    @Param('id', UuidParam) caseId: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TusUploadView> {
    tusAnswer(res);
    requireTus(req);
    if (req.headers['upload-defer-length'] !== undefined)
      throw ValidationError.field('Upload-Defer-Length', 'is not supported: send Upload-Length');
    const length = byteCount(req, 'Upload-Length');
    if (length === null) throw ValidationError.field('Upload-Length', 'is required (the file size in bytes)');
    if ((byteCount(req, 'Content-Length') ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined) {
      throw ValidationError.field(
        'body',
        'creation-with-upload is not supported: create the upload without a body, then send the bytes with PATCH',
      );
    }
    // The case is checked first (scope, state, size), then the metadata is read.
    const view = await this.tus.create(auth, caseId, length, () =>
      creationMetadata(req.headers['upload-metadata'] as string | undefined),
    );
    res.status(201).setHeader('Location', view.location);
    return view;
  }

  @Head(':uploadId')
  @Authorize(Permission.EvidenceUpload)
  @ApiOperation({ summary: "A tus upload's offset (Upload-Offset), and Evidence-Id once it became an item" })
  @ApiHeader(TUS_HEADER)
  @ApiOkResponse({
    description: 'No body',
    headers: {
      'Upload-Offset': { schema: { type: 'integer' }, description: 'Bytes the upload holds: resume from here' },
      'Upload-Length': { schema: { type: 'integer' } },
      'Evidence-Id': { schema: { type: 'string', format: 'uuid' }, description: 'Once completed: the evidence item' },
    },
  })
  @ApiErrors(ErrorCode.UploadGone, ErrorCode.TusVersionUnsupported)
  async head(
    @CurrentUser() auth: AuthUser,
    @Param('id', UuidParam) caseId: string,
    @Param('uploadId', UuidParam) uploadId: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    tusAnswer(res);
    requireTus(req);
    refuseMetadata(req);
    const s = await this.tus.status(auth, caseId, uploadId);
    offsetHeaders(res, s);
    res.setHeader('Upload-Length', String(s.uploadLength));
    res.status(200).end();
  }

  @Patch(':uploadId')
  @Authorize(Permission.EvidenceUpload)
  @ApiOperation({
    summary: 'Append bytes to a tus upload at Upload-Offset',
    description:
      "Content-Type: application/offset+octet-stream. Upload-Offset must be the upload's offset (else 409 with `uploadOffset`). " +
      'The PATCH that reaches Upload-Length creates the evidence item exactly as the single-request upload does (hash, sniffing, ' +
      'duplicate rule, retention and legal hold, custody) and answers with Evidence-Id; a failure then (422 EVIDENCE.HASH_MISMATCH, ' +
      '409 EVIDENCE.DUPLICATE, ...) keeps nothing and ends the upload.',
  })
  @ApiConsumes('application/offset+octet-stream')
  @ApiHeader(TUS_HEADER)
  @ApiHeader({ name: 'Upload-Offset', required: true, description: 'Where these bytes go' })
  @ApiNoContentResponse({
    description: 'Appended',
    headers: {
      'Upload-Offset': { schema: { type: 'integer' }, description: 'The new offset' },
      'Evidence-Id': {
        schema: { type: 'string', format: 'uuid' },
        description: 'When this PATCH completed the upload',
      },
    },
  })
  @ApiErrors(
    ErrorCode.Conflict,
    ErrorCode.InvalidTransition,
    ErrorCode.UnsupportedMediaType,
    ErrorCode.HashMismatch,
    ErrorCode.DuplicateEvidence,
    ErrorCode.UploadGone,
    ErrorCode.TusVersionUnsupported,
  )
  async patch(
    @CurrentUser() auth: AuthUser,
    @Param('id', UuidParam) caseId: string,
    @Param('uploadId', UuidParam) uploadId: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    tusAnswer(res);
    requireTus(req);
    refuseMetadata(req);
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/offset\+octet-stream\s*$/i.test(type)) {
      throw new UnsupportedMediaTypeError(
        `Content-Type must be application/offset+octet-stream (got ${type ? JSON.stringify(type.slice(0, 100)) : 'none'}).`,
      );
    }
    const offset = byteCount(req, 'Upload-Offset');
    if (offset === null) throw ValidationError.field('Upload-Offset', 'is required');
    const s = await this.tus.append(auth, caseId, uploadId, offset, {
      body: req as AsyncIterable<Buffer>,
      declaredBytes: byteCount(req, 'Content-Length'),
      cancel: () => req.destroy(),
    });
    offsetHeaders(res, s);
    res.status(204).end();
  }

  @Delete(':uploadId')
  @HttpCode(204)
  @Authorize(Permission.EvidenceUpload)
  @ApiOperation({
    summary:
      'Abandon a tus upload (termination): its stored parts released, audited; a completed one is evidence (409)',
  })
  @ApiHeader(TUS_HEADER)
  @ApiNoContentResponse({ description: 'Abandoned' })
  @ApiErrors(ErrorCode.Conflict, ErrorCode.UploadGone, ErrorCode.TusVersionUnsupported)
  async terminate(
    @CurrentUser() auth: AuthUser,
    @Param('id', UuidParam) caseId: string,
    @Param('uploadId', UuidParam) uploadId: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    tusAnswer(res);
    requireTus(req);
    refuseMetadata(req);
    await this.tus.terminate(auth, caseId, uploadId, () => undefined);
  }
}

function offsetHeaders(res: Response, s: TusUploadStatus): void {
  res.setHeader('Upload-Offset', String(s.offset));
  res.setHeader('Cache-Control', 'no-store');
  if (s.evidenceId) res.setHeader('Evidence-Id', s.evidenceId);
}
