// Real Keycloak tokens for the dev realm's demo users and clients (development-only secrets, deploy/keycloak).
export const PARTNER = { clientId: 'acme-partner', secret: 'acme-partner-secret' };

export function issuerOf(env = process.env) {
  return env.OIDC_ISSUER ?? `${(env.KEYCLOAK_URL ?? 'http://127.0.0.1:8180').replace(/\/$/, '')}/realms/crm`;
}

async function token(form, issuer) {
  const response = await fetch(`${issuer}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  if (!response.ok) throw new Error(`Keycloak refused a token (${response.status}): ${await response.text()}`);
  return (await response.json()).access_token;
}

/** A demo user's token (password "demo") through the dev-only crm-cli client. */
export function userToken(username, issuer = issuerOf()) {
  return token({ grant_type: 'password', client_id: 'crm-cli', username, password: 'demo' }, issuer);
}

/** A client-credentials token, by default the partner's. */
export function clientToken({ clientId, secret } = PARTNER, issuer = issuerOf()) {
  return token({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }, issuer);
}
