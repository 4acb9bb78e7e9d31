import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * Helmet's headers, worked out once: helmet is run against a recording response at start-up and the middleware
 * sets what it recorded, instead of passing each request through helmet's dozen nested middlewares. Only for
 * options whose headers do not depend on the request (no function-valued CSP directives, e.g. nonces).
 */
export function securityHeaders(options: HelmetOptions): RequestHandler {
  const set: Array<[string, string]> = [];
  const removed: string[] = [];
  const recorder = {
    setHeader: (name: string, value: unknown) => set.push([name, String(value)]),
    removeHeader: (name: string) => removed.push(name),
  };
  let error: unknown = 'helmet did not finish';
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => (error = err));
  if (error) throw new Error(`security headers could not be worked out: ${String(error)}`);
  return (_req, res, next) => {
    for (const [name, value] of set) res.setHeader(name, value);
    for (const name of removed) res.removeHeader(name);
    next();
  };
}
