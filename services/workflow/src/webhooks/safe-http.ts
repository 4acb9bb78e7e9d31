// The one way this service fetches a URL: a POST whose every connection is checked where it is made. DNS is
// resolved by our lookup on the agent and every resolved address is checked before the socket connects (so a
// name that resolves to a private address, or re-resolves to one later, cannot slip through); literal
// addresses are checked too. Redirects are not followed unless configured, and then each target is checked the
// same way. Time and response size are bounded.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { addressRefusal, checkWebhookUrl, type WebhookMode } from '../domain/address-policy';

export interface SafePostOptions {
  mode: WebhookMode;
  timeoutMs: number;
  maxResponseBytes: number;
  followRedirects: boolean;
  /** For tests: the resolver (never the network in tests). */
  resolve?: (host: string) => Promise<LookupAddress[]>;
}

export interface SafePostResult {
  /** Undefined when no HTTP answer came. */
  statusCode?: number;
  headers: Record<string, string>;
  body: string;
  error?: string;
  /** The request was refused before connecting (address policy). */
  refused?: boolean;
}

export class RefusedAddressError extends Error {
  readonly code = 'EREFUSED_ADDRESS';
}

function defaultResolve(host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  );
}

/** A lookup for net.connect that refuses the whole name if any address it resolves to is refused. */
export function checkedLookup(mode: WebhookMode, resolve = defaultResolve): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const refused = addresses.map((a) => addressRefusal(a.address, mode)).find(Boolean);
        if (refused || addresses.length === 0) {
          callback(new RefusedAddressError(refused ?? `${hostname} resolved to nothing`), '', 4);
          return;
        }
        const first = addresses[0] as LookupAddress;
        if ((options as { all?: boolean }).all)
          (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 4),
    );
  };
}

export async function safePost(
  rawUrl: string,
  body: string,
  headers: Record<string, string>,
  options: SafePostOptions,
  redirectsLeft = 3,
): Promise<SafePostResult> {
  const check = checkWebhookUrl(rawUrl, options.mode);
  if (!check.url) return { headers: {}, body: '', error: `refused: the URL ${check.problem}`, refused: true };
  const url = check.url;
  const lookup = checkedLookup(options.mode, options.resolve);
  const transport = url.protocol === 'https:' ? https : http;
  const agent = new transport.Agent({ keepAlive: false, lookup } as http.AgentOptions);
  const result = await new Promise<SafePostResult>((resolve) => {
    const request = transport.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'crm-webhooks/1',
          ...headers,
          'content-length': Buffer.byteLength(body),
        },
        timeout: options.timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxResponseBytes) {
            response.destroy();
            return;
          }
          chunks.push(chunk);
        });
        const done = () =>
          resolve({
            statusCode: response.statusCode,
            headers: Object.fromEntries(
              Object.entries(response.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
            ),
            body: Buffer.concat(chunks).toString('utf8'),
          });
        response.on('end', done);
        response.on('close', done);
      },
    );
    const deadline = setTimeout(
      () => request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    request.on('timeout', () => request.destroy(new Error(`timed out after ${options.timeoutMs} ms`)));
    request.on('error', (error) =>
      resolve({
        headers: {},
        body: '',
        error: error instanceof RefusedAddressError ? `refused: ${error.message}` : error.message,
        refused: error instanceof RefusedAddressError,
      }),
    );
    request.on('close', () => clearTimeout(deadline));
    request.end(body);
  });
  agent.destroy();
  const status = result.statusCode ?? 0;
  if (status >= 300 && status < 400 && result.headers.location) {
    if (!options.followRedirects || redirectsLeft <= 0)
      return { ...result, error: `redirect to ${result.headers.location} not followed` };
    return safePost(new URL(result.headers.location, url).toString(), body, headers, options, redirectsLeft - 1);
  }
  return result;
}
