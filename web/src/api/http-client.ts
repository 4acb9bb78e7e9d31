// The typed /api/v1 client (openapi-fetch over the generated paths). Every request carries the signed-in user's
// access token; a 401 renews the token once and retries. Answers are unwrapped into data or an ApiError.
import createClient from 'openapi-fetch';
import type { paths } from './openapi.gen';
import { ApiError } from './problem';

export interface TokenSource {
  /** The current access token, renewed first when it is about to expire. */
  accessToken(): Promise<string | undefined>;
  /** A fresh token after the API refused the current one; undefined when the session is over. */
  renew(): Promise<string | undefined>;
}

let tokenSource: TokenSource | undefined;

export function setTokenSource(source: TokenSource | undefined): void {
  tokenSource = source;
}

function withToken(request: Request, token: string | undefined): Request {
  if (token) request.headers.set('Authorization', `Bearer ${token}`);
  return request;
}

/** fetch with the bearer token; one retry with a renewed token after a 401. */
export async function authorizedFetch(request: Request): Promise<Response> {
  const spare = request.clone();
  const first = await fetch(withToken(request, await tokenSource?.accessToken()));
  if (first.status !== 401 || !tokenSource) return first;
  const renewed = await tokenSource.renew();
  if (!renewed) return first;
  return fetch(withToken(spare, renewed));
}

function origin(): string {
  return typeof window === 'undefined' ? 'http://localhost' : window.location.origin;
}

export const api = createClient<paths>({ baseUrl: origin(), fetch: authorizedFetch });

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a 2xx answer; anything else becomes an ApiError carrying the problem. */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await call;
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw ApiError.network(error);
  }
  if (!answer.response.ok || answer.error !== undefined)
    throw ApiError.fromAnswer(answer.response.status, answer.error, answer.response.statusText);
  return answer.data as T;
}

/** If-Match for a record read at this version. */
export function ifMatch(version: number): { 'If-Match': string } {
  return { 'If-Match': `"${version}"` };
}

/** A random key; crypto.randomUUID exists only in secure contexts, so fall back to getRandomValues. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const RETRY_DELAYS_MS = [400, 1500];

/**
 * Sends a POST with one Idempotency-Key and retries it with the same key when no answer came back (or the first
 * attempt is still running, 409 idempotency-key-in-use): the server applies it once however often it arrives.
 */
export async function idempotent<T>(
  send: (headers: { 'Idempotency-Key': string }) => Promise<T>,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<T> {
  const headers = { 'Idempotency-Key': newIdempotencyKey() };
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await send(headers);
    } catch (error) {
      const retriable =
        error instanceof ApiError &&
        (error.kind === 'network' || (error.status === 409 && error.problem.type.endsWith('idempotency-key-in-use')));
      const delay = RETRY_DELAYS_MS[attempt];
      if (!retriable || delay === undefined) throw error;
      await sleep(delay);
    }
  }
}
