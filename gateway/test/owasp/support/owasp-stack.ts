// Shared by the OWASP API Security Top 10 (2023) suites: one platform per test file, real tokens per role, and the
// operations of the running gateway's OpenAPI document, so a route added later is covered without editing a test.
import { principalFromClaims } from '@crm/service-kit';
import { clientToken, decodeClaims, userToken, type DemoUser } from '@crm/testkit';
import { isAllowed } from '../../../src/auth/access-policy';
import { GatewayStack, type HttpAnswer } from '../../support/gateway-stack';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface Operation {
  method: HttpMethod;
  path: string;
  operationId: string;
  /** Whether the document says it needs a bearer token. */
  secured: boolean;
  requestBody?: unknown;
}

export const unique = () => Math.random().toString(36).slice(2, 10);

export const PEOPLE: readonly DemoUser[] = [
  'acme-admin',
  'acme-manager',
  'acme-rep1',
  'acme-rep2',
  'acme-rep3',
  'acme-support-lead',
  'acme-agent1',
  'globex-admin',
  'globex-rep1',
];

export type Caller = DemoUser | 'acme-partner';

export async function tokenOf(caller: Caller): Promise<string> {
  return caller === 'acme-partner' ? clientToken('acme-partner') : userToken(caller);
}

/** Every operation of the document served by the gateway. */
export function operationsOf(stack: GatewayStack): Operation[] {
  const paths = (stack.gateway.document.paths ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
  const globalSecurity = (stack.gateway.document as { security?: unknown[] }).security;
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const op = item[method];
      if (!op) continue;
      const security = (op.security as unknown[] | undefined) ?? globalSecurity ?? [];
      ops.push({
        method,
        path,
        operationId: String(op.operationId),
        secured: security.length > 0 && !security.every((s) => Object.keys(s as object).length === 0),
        requestBody: op.requestBody,
      });
    }
  }
  return ops;
}

/** Path parameters that are not ids take one of their documented values. */
const PARAM_DEFAULTS: Record<string, string> = { entity: 'contact', dashboard: 'sales' };

/** A concrete path: every {param} filled from values, else with a well-formed id nobody has. */
export function fill(path: string, values: Record<string, string> = {}): string {
  return path.replace(/\{([^}]+)\}/g, (_m, name: string) =>
    encodeURIComponent(values[name] ?? PARAM_DEFAULTS[name] ?? `01nobody${unique()}`),
  );
}

export function call(
  stack: GatewayStack,
  op: Pick<Operation, 'method' | 'path'>,
  token: string | undefined,
  values: Record<string, string> = {},
  body?: unknown,
): Promise<HttpAnswer> {
  const headers: Record<string, string> = {};
  if (op.method === 'patch' || op.method === 'delete' || op.method === 'put') headers['if-match'] = '*';
  if (op.method === 'post') headers['idempotency-key'] = `owasp-${unique()}`;
  const withBody = op.method !== 'get' && op.method !== 'delete';
  return stack.api.request(op.method.toUpperCase(), fill(op.path, values), {
    token,
    headers,
    ...(withBody ? { body: body ?? {} } : {}),
  });
}

/** Whether the route's access policy admits the token's principal at all (authorisation by function). */
export function functionAllowed(stack: GatewayStack, op: Pick<Operation, 'method' | 'path'>, token: string): boolean {
  const route = stack.gateway.routes.find((r) => r.method === op.method && r.path === op.path);
  if (!route) throw new Error(`no route for ${op.method} ${op.path}`);
  if (!route.access) return true;
  const principal = principalFromClaims(decodeClaims(token));
  return principal !== undefined && isAllowed(principal, route.access);
}
