import express, { type RequestHandler } from 'express';
import { problems } from './problem';

export const JSON_TYPES = ['application/json'];
export const PATCH_TYPES = ['application/merge-patch+json', 'application/json'];

/**
 * Parses a JSON body of at most limitBytes and keeps its raw bytes. A body of another media type is 415; an
 * absent body is left undefined (routes whose body is optional treat it as {}). Parse and size errors reach the
 * error handler as body-parser errors (400, 413, 415).
 */
export function jsonBody(limitBytes: number, mediaTypes: string[] = JSON_TYPES): RequestHandler[] {
  const requireType: RequestHandler = (req, _res, next) => {
    if (hasBody(req.headers) && !req.is(mediaTypes)) throw problems.unsupportedMediaType(mediaTypes);
    next();
  };
  const parse = express.json({
    limit: limitBytes,
    type: mediaTypes,
    strict: true,
    verify: (req, _res, buf) => {
      (req as express.Request).rawBody = buf;
    },
  });
  return [requireType, parse];
}

export function hasBody(headers: { 'transfer-encoding'?: string; 'content-length'?: string }): boolean {
  return (
    headers['transfer-encoding'] !== undefined ||
    (headers['content-length'] !== undefined && headers['content-length'] !== '0')
  );
}

export const FORM_POST_TYPES = ['application/json', 'application/x-www-form-urlencoded'];

/**
 * A web-form post: JSON or URL-encoded (what an HTML form sends), of at most limitBytes, with its raw bytes kept
 * for the signature of server-side posts. Repeated URL-encoded names keep their last value.
 */
export function formPostBody(limitBytes: number): RequestHandler[] {
  const requireType: RequestHandler = (req, _res, next) => {
    if (!req.is(FORM_POST_TYPES)) throw problems.unsupportedMediaType(FORM_POST_TYPES);
    next();
  };
  const read = express.raw({ type: FORM_POST_TYPES, limit: limitBytes });
  const parse: RequestHandler = (req, _res, next) => {
    const raw = Buffer.isBuffer(req.body) ? (req.body as Buffer) : Buffer.alloc(0);
    req.rawBody = raw;
    if (req.is('application/json')) {
      try {
        req.body = raw.length ? (JSON.parse(raw.toString('utf8')) as unknown) : {};
      } catch {
        throw problems.badRequest('The body is not valid JSON');
      }
    } else req.body = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
    next();
  };
  return [requireType, read, parse];
}
