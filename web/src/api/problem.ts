// RFC 9457 problem details as the gateway answers them, and the one error type every API call throws.

export interface FieldProblem {
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
  errors?: FieldProblem[];
  existingId?: string;
  reason?: string;
}

export type ApiErrorKind = 'http' | 'network';

export class ApiError extends Error {
  readonly kind: ApiErrorKind;
  readonly status: number;
  readonly problem: Problem;

  private constructor(kind: ApiErrorKind, problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiError';
    this.kind = kind;
    this.status = problem.status;
    this.problem = problem;
  }

  /** From an HTTP answer that was not 2xx; the body may be a problem, other JSON, text, or nothing. */
  static fromAnswer(status: number, body: unknown, statusText = ''): ApiError {
    return new ApiError('http', problemOf(status, body, statusText));
  }

  /** The request never got an answer: offline, DNS, connection reset. */
  static network(cause?: unknown): ApiError {
    const error = new ApiError('network', {
      type: 'about:blank',
      title: 'Network error',
      status: 0,
      detail: 'The server could not be reached. Check your connection; nothing was changed.',
    });
    if (cause !== undefined) (error as { cause?: unknown }).cause = cause;
    return error;
  }

  /** 412: the record changed since it was read. */
  get isConflict(): boolean {
    return this.status === 412;
  }

  get isNotFound(): boolean {
    return this.status === 404;
  }

  /** Field errors by field path ("emails[0].address", "customFields.budget"). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.problem.errors ?? []) out[e.field] ??= e.detail;
    return out;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads whatever came back into a problem, keeping only well-typed members. */
export function problemOf(status: number, body: unknown, statusText = ''): Problem {
  const fallbackTitle = statusText || (status >= 500 ? 'Server error' : 'Request failed');
  if (!isRecord(body)) {
    const text = typeof body === 'string' ? body.trim() : '';
    // An HTML error page from a proxy says nothing useful to a user.
    const detail = text && !text.startsWith('<') && text.length < 300 ? text : undefined;
    return { type: 'about:blank', title: fallbackTitle, status, ...(detail ? { detail } : {}) };
  }
  const str = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : undefined);
  const errors = Array.isArray(body.errors)
    ? body.errors
        .filter(isRecord)
        .filter((e) => typeof e.field === 'string' && typeof e.detail === 'string')
        .map((e) => ({ field: e.field as string, detail: e.detail as string }))
    : undefined;
  const problem: Problem = {
    type: str('type') ?? 'about:blank',
    title: str('title') ?? fallbackTitle,
    status: typeof body.status === 'number' ? body.status : status,
  };
  for (const key of ['detail', 'instance', 'requestId', 'existingId', 'reason'] as const) {
    const value = str(key);
    if (value !== undefined) problem[key] = value;
  }
  if (errors && errors.length > 0) problem.errors = errors;
  return problem;
}

/** What a toast says about a failure: the problem's detail first, then the named fields. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    const { detail, title, errors } = error.problem;
    const base = detail ?? title;
    if (!errors || errors.length === 0) return base;
    const fields = errors
      .slice(0, 3)
      .map((e) => `${e.field} ${e.detail}`)
      .join('; ');
    return base.includes(fields) ? base : `${base}: ${fields}${errors.length > 3 ? '…' : ''}`;
  }
  if (error instanceof Error) return error.message;
  return 'Something went wrong';
}

/**
 * The problem's field errors keyed by form field: `rename` maps an API path ("emails[0].address") to the form's
 * name ("email"); custom fields ("customFields.budget") keep their path. Errors for fields the form does not
 * show are returned under "" so the form can still say something.
 */
export function formErrorsOf(error: unknown, rename: Record<string, string> = {}): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const { field, detail } of error.problem.errors ?? []) {
    const name = rename[field] ?? rename[field.replace(/\[\d+\]/g, '[]')] ?? field;
    out[name] ??= detail;
  }
  return out;
}
