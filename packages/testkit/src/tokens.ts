import { infraEnv } from './infra-env';

/** The realm's dev-only demo users (password "demo"); see deploy/keycloak/README.md. */
export type DemoUser =
  | 'acme-admin'
  | 'acme-manager'
  | 'acme-rep1'
  | 'acme-rep2'
  | 'acme-rep3'
  | 'acme-support-lead'
  | 'acme-agent1'
  | 'globex-admin'
  | 'globex-rep1';

/** Dev-only confidential clients of the realm and their secrets. */
export const DEV_CLIENT_SECRETS: Record<string, string> = {
  'acme-partner': 'acme-partner-secret',
  'contact-service': 'contact-service-secret',
  'pipeline-service': 'pipeline-service-secret',
  'ticket-service': 'ticket-service-secret',
  'workflow-service': 'workflow-service-secret',
  'reporting-service': 'reporting-service-secret',
  'crm-gateway': 'crm-gateway-secret',
};

const cache = new Map<string, { token: string; until: number }>();

async function requestToken(form: Record<string, string>): Promise<string> {
  const key = JSON.stringify(form);
  const hit = cache.get(key);
  if (hit && hit.until > Date.now()) return hit.token;
  const response = await fetch(`${infraEnv().issuer}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  if (!response.ok) throw new Error(`Keycloak refused a token (${response.status}): ${await response.text()}`);
  const body = (await response.json()) as { access_token: string; expires_in: number };
  cache.set(key, { token: body.access_token, until: Date.now() + (body.expires_in - 30) * 1000 });
  return body.access_token;
}

/** A real access token for a demo user, through the dev-only crm-cli client's password grant. */
export function userToken(username: DemoUser, scope?: string): Promise<string> {
  return requestToken({
    grant_type: 'password',
    client_id: 'crm-cli',
    username,
    password: 'demo',
    ...(scope ? { scope } : {}),
  });
}

/** A real client-credentials token, e.g. for acme-partner or a service's own client. */
export function clientToken(clientId: keyof typeof DEV_CLIENT_SECRETS | string): Promise<string> {
  const secret = DEV_CLIENT_SECRETS[clientId];
  if (!secret) throw new Error(`no dev secret known for client ${clientId}`);
  return requestToken({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret });
}

export function decodeClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (!payload) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}
