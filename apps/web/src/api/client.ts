import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';
import { PACKET_REVIEW_REFUSALS } from '../words';

/** Every error body the service sends (generated from the OpenAPI document): code, message, request id, facts by code. */
export type ApiErrorBody = components['schemas']['ApiErrorBody'];
export type ErrorCode = ApiErrorBody['code'];

/** Plain words for the codes a person can act on; anything else shows the service's own message. */
const PLAIN: Partial<Record<ErrorCode, string>> = {
  'AUTH.INVALID_CREDENTIALS': 'The username or password is wrong.',
  'AUTH.ACCOUNT_LOCKED': 'This account is locked after too many failed sign-ins. Try again later or ask an administrator.',
  'AUTH.UNAUTHENTICATED': 'Your session has ended. Sign in again.',
  'AUTH.FORBIDDEN': 'Your role may not do this.',
  'AUTH.PASSWORD_CHANGE_REQUIRED': 'An administrator reset your password: set a new one before doing anything else.',
  'USER.SELF_DEACTIVATION': 'You cannot deactivate your own account: another administrator must.',
  'USER.SELF_ROLE_CHANGE': 'You cannot remove your own administrator role: another administrator must.',
  'USER.SELF_PASSWORD_RESET': 'You cannot reset your own password here: use "Change my password" instead.',
  'RESOURCE.NOT_FOUND': 'Not found, or not yours to see.',
  'VERSION.CONFLICT': 'Someone else changed this record since you opened it. Reload it, then make your change again.',
  'CASE.TWO_PERSON_RULE': 'You cannot review a case you wrote: another supervisor must.',
  'RATE.LIMITED': 'Too many attempts in a short time. Wait a minute and try again.',
  'DEPENDENCY.UNAVAILABLE': 'The service cannot reach its database or storage right now. Nothing was changed; try again shortly.',
  'EVIDENCE.HASH_MISMATCH': 'The file arrived different from what was sent; nothing was stored. Upload it again.',
  'UPLOAD.INCOMPLETE': 'The upload did not finish; nothing was stored. Upload it again.',
  'UPLOAD.TOO_LARGE': 'The file is larger than the service accepts.',
  ...PACKET_REVIEW_REFUSALS,
};

export class ApiError extends Error {
  constructor(readonly status: number, readonly body: ApiErrorBody) {
    super(PLAIN[body.code] ?? body.message ?? `The service answered ${status}.`);
  }

  get code(): ErrorCode {
    return this.body.code;
  }

  /** The service's messages about one field (`narrative`, `officers.0.name`), or undefined. */
  forField(field: string): string | undefined {
    const hit = this.body.fields?.filter((f) => f.field === field || f.field.startsWith(`${field}.`));
    return hit?.length ? hit.flatMap((f) => f.errors).join('; ') : undefined;
  }

  /** Fields the service named: shown next to their inputs; the rest of the message above the form. */
  get fields(): string[] {
    return this.body.fields?.map((f) => f.field) ?? [];
  }
}

/** A failure with no answer from the service at all (network down, service stopped). */
export class NetworkError extends Error {
  constructor() {
    super('The service did not answer. Check the connection, then reload to see whether the last change was saved before trying again.');
  }
}

let token: string | null = null;
let onUnauthorized: () => void = () => undefined;

/** Set by the session: the bearer token to send, and what to do when the service says the session is over. */
export function configureApi(opts: { token: string | null; onUnauthorized: () => void }): void {
  token = opts.token;
  onUnauthorized = opts.onUnauthorized;
}

let lastRequest: string | null = null;

/** The request id of the service's last answer (a screen that broke on it quotes it to support). */
export function lastRequestId(): string | null {
  return lastRequest;
}

export function bearer(): string | null {
  return token;
}

/**
 * For requests made without `api` (an XMLHttpRequest upload, which reports progress): the service
 * answered 401, so the session is over. Does what the client does on a 401: shows the sign-in form.
 */
export function sessionEnded(): void {
  onUnauthorized();
}

const auth: Middleware = {
  onRequest({ request }) {
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ request, response }) {
    lastRequest = response.headers.get('X-Request-Id') ?? lastRequest;
    // A 401 on anything but the sign-in itself means the token expired or was revoked.
    if (response.status === 401 && !new URL(request.url).pathname.endsWith('/auth/login')) onUnauthorized();
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: location.origin });
api.use(auth);

/** The service's error body; a proxy's or a dead connection's answer becomes one that says what happened. */
function errorBody(res: Response, parsed: unknown): ApiErrorBody {
  const b = parsed as Partial<ApiErrorBody> | null;
  if (b && typeof b === 'object' && typeof b.code === 'string' && typeof b.message === 'string') return b as ApiErrorBody;
  const code: ErrorCode = res.status >= 500 ? 'DEPENDENCY.UNAVAILABLE' : 'INTERNAL.ERROR';
  return { statusCode: res.status, code, message: `The service answered ${res.status} ${res.statusText}.`, requestId: res.headers.get('X-Request-Id') ?? '' };
}

/** The data of a successful answer, or an ApiError / NetworkError to show. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let r: { data?: T; error?: unknown; response: Response };
  try {
    r = await call;
  } catch {
    throw new NetworkError();
  }
  if (r.response.ok) return r.data as T;
  throw new ApiError(r.response.status, errorBody(r.response, r.error));
}

/** An ApiError from an answer read without `api` (an upload's XMLHttpRequest): the same words as every other call. */
export function apiErrorOf(status: number, statusText: string, bodyText: string, requestId: string | null): ApiError {
  let parsed: unknown = null;
  try {
    parsed = bodyText ? JSON.parse(bodyText) : null;
  } catch {
    parsed = null;
  }
  return new ApiError(status, errorBody(new Response(null, { status, statusText, headers: { 'X-Request-Id': requestId ?? '' } }), parsed));
}

/** A POST of JSON to a path the generated types do not name (yet): the data, or an ApiError / NetworkError. */
export async function postJson<T>(path: string, body: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body ?? {}),
    });
  } catch {
    throw new NetworkError();
  }
  lastRequest = res.headers.get('X-Request-Id') ?? lastRequest;
  if (res.status === 401) onUnauthorized();
  const parsed: unknown = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, errorBody(res, parsed));
  return parsed as T;
}

/**
 * A download as a plain link (a ticket's URL, which needs no bearer token): the browser streams the file
 * to disk with its own progress, pause and resume, at any size; the page never holds its bytes.
 */
export function followDownload(url: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = ''; // the service's Content-Disposition names the file
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
}

/** Hands bytes the page itself made (the public key it read as JSON) to the browser to save as a file. */
export function saveBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
