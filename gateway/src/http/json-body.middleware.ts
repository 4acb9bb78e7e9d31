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
