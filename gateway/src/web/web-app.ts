import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router, type Request, type Response } from 'express';
import { problems } from '../http/problem';

// The web app (web/dist, a Vite build) at "/": hashed assets cached for a year, everything else revalidated, client
// routes answered with index.html, and a Content-Security-Policy the app is built to pass (no inline script, no
// third-party origin but the identity provider's).

export interface WebAppOptions {
  distDir: string;
  /** The issuer as browsers reach it (authorization, token and logout endpoints live under it). */
  oidcIssuer: string;
  oidcClientId: string;
}

/** Paths the SPA never answers, so unknown API routes still get their problem+json 404. */
const NOT_APP = /^\/(api|docs|livez|readyz|metrics)(\/|$)/;
/** A last path segment with a dot: a file name, not a client route. */
const FILE_NAME = /\/[^/]*\.[^/]*$/;
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

export function contentSecurityPolicy(identityOrigin: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self' ${identityOrigin}`,
    `frame-src ${identityOrigin}`,
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    `form-action 'self' ${identityOrigin}`,
    "frame-ancestors 'none'",
  ].join('; ');
}

export function webAppAvailable(distDir: string): boolean {
  return existsSync(join(distDir, 'index.html'));
}

export function webAppRouter(options: WebAppOptions): Router {
  const identityOrigin = new URL(options.oidcIssuer).origin;
  const csp = contentSecurityPolicy(identityOrigin);
  const indexHtml = readFileSync(join(options.distDir, 'index.html'));
  const config = JSON.stringify({ oidc: { authority: options.oidcIssuer, clientId: options.oidcClientId } });
  const router = Router();

  router.use((req, res, next) => {
    if (NOT_APP.test(req.path)) return next();
    res.setHeader('Content-Security-Policy', csp);
    next();
  });

  // Middleware rather than routes: none of this is part of the API (whose routes the OpenAPI document lists).
  router.use('/app-config.json', (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    res.setHeader('Cache-Control', REVALIDATE);
    res.type('json').send(config);
  });

  // Vite fingerprints everything under /assets, so a file there never changes under its name.
  router.use(
    '/assets',
    express.static(join(options.distDir, 'assets'), {
      index: false,
      setHeaders: (res) => res.setHeader('Cache-Control', IMMUTABLE),
    }),
    // An asset of another release is gone; answering index.html in its place would break the page quietly.
    (_req: Request, _res: Response, next: (error: unknown) => void) => next(problems.notFound('No such asset')),
  );
  // The service worker, manifest and icons keep their names across releases: browsers revalidate them.
  router.use(
    express.static(options.distDir, {
      index: false,
      setHeaders: (res) => res.setHeader('Cache-Control', REVALIDATE),
    }),
  );

  // Client routes (/contacts/123, /deals) load the app, which routes on its own. A name with a dot (/.env,
  // /backup.sql) is a file the app does not have: 404, never the app's page in its place.
  router.use((req: Request, res: Response, next: () => void) => {
    const file = FILE_NAME.test(req.path);
    if ((req.method !== 'GET' && req.method !== 'HEAD') || NOT_APP.test(req.path) || file || !req.accepts('html'))
      return next();
    res.setHeader('Cache-Control', REVALIDATE);
    res.type('html').send(indexHtml);
  });
  return router;
}
