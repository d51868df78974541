import type { NextFunction, Request, Response } from 'express';

/** The API, not its documentation (Swagger UI's public files keep their own caching). */
const isApiAnswer = (path: string) =>
  (path === '/api' || path.startsWith('/api/')) && path !== '/api/docs' && !path.startsWith('/api/docs/');

/**
 * Every API answer is one caller's view: fields depend on the role (an auditor's case has no narrative),
 * lists on the scope. A browser shared by several users (a district PC, an in-car laptop) must therefore
 * never keep one, nor revalidate it for the next user: a 304 would hand them the previous caller's copy.
 * So every answer under /api, whatever its status (JSON, errors, 401s, downloads, exports), says
 * `Cache-Control: no-store`, and the API ignores conditional GETs (If-None-Match, If-Modified-Since):
 * it never answers 304. The public ones (/health, /keys, /public/statistics) are no-store too: health
 * must be live, a rotated key must be seen at once, and none is worth a cache. A case's ETag stays, for
 * If-Match on writes.
 */
export function apiNoStore(req: Request, res: Response, next: NextFunction): void {
  if (!isApiAnswer(req.path)) return next();
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Vary', 'Authorization');
  // Express answers 304 by itself when these match (req.fresh in res.send): never on the API.
  delete req.headers['if-none-match'];
  delete req.headers['if-modified-since'];
  next();
}
