import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';
import { ERROR_WORDS, FIELD_RULE_FALLBACK, FIELD_RULE_WORDS, FIELD_WORDS } from '../words';

/** Every error body the service sends (generated from the OpenAPI document): code, message, request id, facts by code. */
export type ApiErrorBody = components['schemas']['ApiErrorBody'];
export type ErrorCode = ApiErrorBody['code'];

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody,
  ) {
    // Issue 16: the console's words for the code, never the service's English (which names fields and rules as code does).
    super(
      (ERROR_WORDS as Partial<Record<string, string>>)[body.code] ??
        `The service refused the request (answer ${status}).`,
    );
  }

  get code(): ErrorCode {
    return this.body.code;
  }

  /**
   * What is wrong with one field (`narrative`, or `officers` for `officers.0.name` too), in words, or undefined when the
   * service named no such field. Said by the rule it broke (the body's `constraints` and `limits`), or for the service's
   * own rules by the field; the validator's text ("must be longer than or equal to 12 characters") is never shown.
   */
  forField(field: string): string | undefined {
    const hit = this.body.fields?.filter((f) => f.field === field || f.field.startsWith(`${field}.`));
    if (!hit?.length) return undefined;
    return [...new Set(hit.flatMap(fieldWords))].join(' ');
  }

  /** Fields the service named: shown next to their inputs; the rest of the message above the form. */
  get fields(): string[] {
    return this.body.fields?.map((f) => f.field) ?? [];
  }
}

type FieldProblem = NonNullable<ApiErrorBody['fields']>[number];

/** One refused field in words: by each rule broken, else by the field (indexes as `*`), else a general request to check it. */
function fieldWords(f: FieldProblem): string[] {
  if (f.constraints?.length)
    return f.constraints.map((c) => FIELD_RULE_WORDS[c]?.(f.limits ?? {}) ?? FIELD_RULE_FALLBACK);
  const general = f.field.replace(/\.\d+(?=\.|$)/g, '.*');
  return [FIELD_WORDS[general] ?? FIELD_RULE_FALLBACK];
}

/** A failure with no answer from the service at all (network down, service stopped). */
export class NetworkError extends Error {
  constructor() {
    super(
      'The service did not answer. Check the connection, then reload to see whether the last change was saved before trying again.',
    );
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
    // A 401 on anything but the sign-in itself means the token expired or was revoked (signing out forgets the token
    // whatever the service answers: a 401 there is not a session that ended by itself).
    const path = new URL(request.url).pathname;
    if (response.status === 401 && !path.endsWith('/auth/login') && !path.endsWith('/auth/logout')) onUnauthorized();
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: location.origin });
api.use(auth);

/** The service's error body; a proxy's or a dead connection's answer becomes one that says what happened. */
function errorBody(res: Response, parsed: unknown): ApiErrorBody {
  const b = parsed as Partial<ApiErrorBody> | null;
  if (b && typeof b === 'object' && typeof b.code === 'string' && typeof b.message === 'string')
    return b as ApiErrorBody;
  const code: ErrorCode = res.status >= 500 ? 'DEPENDENCY.UNAVAILABLE' : 'INTERNAL.ERROR';
  return {
    statusCode: res.status,
    code,
    message: `The service answered ${res.status} ${res.statusText}.`,
    requestId: res.headers.get('X-Request-Id') ?? '',
  };
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
  return new ApiError(
    status,
    errorBody(new Response(null, { status, statusText, headers: { 'X-Request-Id': requestId ?? '' } }), parsed),
  );
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
