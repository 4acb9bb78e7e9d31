import type { Response } from 'express';

// RFC 9457 problem details: every error the gateway answers has this shape, never a stack trace.

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface InvalidParam {
  /** camelCase path of the offending input, e.g. "emails[1].address" or "customFields.budget". */
  field: string;
  detail: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  requestId?: string;
  errors?: InvalidParam[];
  /** ALREADY_EXISTS: the id of the record that already holds the value. */
  existingId?: string;
  /** Machine-readable reason from the service, e.g. "VERSION_MISMATCH". */
  reason?: string;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Problem types the gateway defines; plain HTTP failures use "about:blank" as RFC 9457 suggests. */
export type ProblemType =
  | 'validation'
  | 'version-mismatch'
  | 'idempotency-key-reused'
  | 'idempotency-key-in-use'
  | 'rate-limited'
  | 'duplicate';

export function problemTypeUri(type: ProblemType | undefined): string {
  return type ? `/problems/${type}` : 'about:blank';
}

/** An error carrying a problem: thrown anywhere in a request, rendered by the error handler. */
export class HttpProblem extends Error {
  readonly status: number;
  readonly problem: Omit<Problem, 'status' | 'title' | 'type'> & { type?: ProblemType; title?: string };
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    detail: string,
    extra: Omit<HttpProblem['problem'], 'detail'> = {},
    headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
    this.status = status;
    this.problem = { ...extra, detail };
    this.headers = headers;
  }
}

export function toProblem(error: HttpProblem, instance: string, requestId: string | undefined): Problem {
  const { type, title, ...rest } = error.problem;
  return {
    type: problemTypeUri(type),
    title: title ?? TITLES[error.status] ?? 'Error',
    status: error.status,
    ...rest,
    instance,
    ...(requestId ? { requestId } : {}),
  };
}

export function sendProblem(res: Response, error: HttpProblem): void {
  const requestId = res.getHeader('x-request-id');
  res.status(error.status).set(error.headers).type(PROBLEM_CONTENT_TYPE);
  res.send(
    JSON.stringify(
      toProblem(error, res.req.originalUrl.split('?')[0] ?? '/', typeof requestId === 'string' ? requestId : undefined),
    ),
  );
}

export const problems = {
  badRequest: (detail: string, errors?: InvalidParam[]) =>
    new HttpProblem(400, detail, errors ? { type: 'validation', errors } : {}),
  notFound: (detail = 'No such resource') => new HttpProblem(404, detail),
  forbidden: (detail = 'Your role or scopes do not allow this operation') => new HttpProblem(403, detail),
  unsupportedMediaType: (expected: string[]) =>
    new HttpProblem(415, `Content-Type must be ${expected.join(' or ')}`, {}, { 'accept-post': expected.join(', ') }),
  methodNotAllowed: (allowed: string[]) =>
    new HttpProblem(405, `Allowed methods: ${allowed.join(', ')}`, {}, { allow: allowed.join(', ') }),
};
