import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

/**
 * The web console's policy: everything from this origin only, no inline script or style, no frames,
 * no plugins. The console is built (apps/web) so that it needs nothing more; a closed city network
 * has no CDN or font host to reach anyway.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  // Footage and audio played from /api/v1/tickets/… (download and playback tickets).
  "media-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** Swagger UI (/api/docs) ships inline <style> blocks and data: icons; its scripts are still same-origin files. */
export const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** Headers on every response, API and console alike. */
export function securityHeaders(req: Request, res: Response, next: NextFunction): void {
  res.setHeader(
    'Content-Security-Policy',
    req.path === '/api/docs' || req.path.startsWith('/api/docs/') ? DOCS_CSP : CONSOLE_CSP,
  );
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()');
  next();
}

const isApiPath = (path: string) => path === '/api' || path.startsWith('/api/');

/**
 * Serves the built console (dist/web) at `/`: hashed assets cached for good, and index.html for every
 * other GET outside /api, so that a bookmarked /cases/<id> opens the console, which routes it. When the
 * console was not built, `/` says how to build it instead of a bare 404.
 */
export function serveWebConsole(app: NestExpressApplication, webRoot: string): void {
  const indexFile = join(webRoot, 'index.html');
  const built = existsSync(indexFile);
  if (!built) new Logger('WebConsole').warn(`Web console not built (no ${indexFile}): run npm run build`);
  const index = built ? readFileSync(indexFile) : null;

  if (built) {
    app.useStaticAssets(webRoot, {
      index: false,
      redirect: false,
      dotfiles: 'ignore',
      setHeaders: (res, path) => {
        res.setHeader('Cache-Control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isApiPath(req.path)) return next();
    // A missing file (an old asset name, /favicon.ico) is a 404, not the console's page.
    if (/\.[A-Za-z0-9]{1,8}$/.test(req.path)) return next();
    if (!index) {
      res
        .status(503)
        .type('text/plain')
        .send('The web console has not been built. Run `npm run build` (npm start does it), then reload.\n');
      return;
    }
    res.status(200).type('html').setHeader('Cache-Control', 'no-cache');
    res.send(index);
  });
}
