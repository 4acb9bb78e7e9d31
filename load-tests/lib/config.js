// Shared settings for the k6 scripts. Everything targets loopback by default; the scripts refuse other hosts
// unless K6_ALLOW_REMOTE=1, so a load test never leaves the machine by accident.
export const BASE_URL = __ENV.BASE_URL || 'http://127.0.0.1:8080';
export const KEYCLOAK_URL = __ENV.KEYCLOAK_URL || 'http://127.0.0.1:8180';
export const USERNAME = __ENV.CRM_USER || 'acme-admin';
export const PASSWORD = __ENV.CRM_PASSWORD || 'demo';

export function assertLoopback(url) {
  const host = url.replace(/^https?:\/\//, '').split(/[/:]/)[0];
  const loopback = host === 'localhost' || host === '[::1]' || /^127\./.test(host);
  if (!loopback && __ENV.K6_ALLOW_REMOTE !== '1')
    throw new Error(`refusing to load-test ${host}: not a loopback address`);
}
