import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { toProblem as grpcToProblem } from '../grpc/unary-call';
import { HttpProblem, problems, sendProblem } from './problem';

interface BodyParserError {
  type: string;
  status: number;
}

/** Everything that goes wrong ends here and leaves as problem+json; unexpected errors are logged, never shown. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    const problem = asProblem(grpcToProblem(error));
    if (problem.status >= 500 && !(error instanceof HttpProblem))
      log.error({ err: error, requestId: req.id }, 'request failed');
    sendProblem(res, problem);
  };
}

function asProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  const parserError = bodyParserError(error);
  if (parserError) return parserError;
  // express's router marks what the client got wrong (a path it cannot decode) with a 4xx status.
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500)
    return new HttpProblem(status, 'The request could not be understood');
  return new HttpProblem(500, 'The request could not be completed');
}

/** body-parser tags its errors with a type; map those to what the client did wrong. */
function bodyParserError(error: unknown): HttpProblem | undefined {
  if (typeof error !== 'object' || error === null || typeof (error as BodyParserError).type !== 'string')
    return undefined;
  switch ((error as BodyParserError).type) {
    case 'entity.parse.failed':
      return new HttpProblem(400, 'The body is not valid JSON');
    case 'entity.too.large':
      return new HttpProblem(413, 'The body is larger than this endpoint accepts');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpProblem(415, 'The body uses an unsupported encoding or charset');
    case 'request.aborted':
    case 'request.size.invalid':
      return new HttpProblem(400, 'The body was incomplete');
    default:
      return (error as BodyParserError).status < 500
        ? new HttpProblem((error as BodyParserError).status, 'The body could not be read')
        : undefined;
  }
}

/** Unknown paths are 404; a known path with the wrong method is 405 with Allow. */
export function notFound(allowedMethods: (path: string) => string[]): RequestHandler {
  return (req) => {
    const allowed = allowedMethods(req.path);
    if (allowed.length > 0) throw problems.methodNotAllowed(allowed);
    throw problems.notFound(`No route for ${req.method} ${req.path}`);
  };
}
