// Standard Webhooks signatures (standardwebhooks.com): HMAC-SHA256 over "<id>.<timestamp>.<body>", sent as
// "v1,<base64>" in webhook-signature; during a secret rotation's overlap both secrets sign, space-separated, and
// a receiver accepts either.
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export function newSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export function signatureHeaders(
  id: string,
  at: Date,
  body: string,
  secrets: readonly string[],
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  // The library signs with whole seconds, as the header carries them.
  const seconds = new Date(Math.floor(at.getTime() / 1000) * 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(seconds.getTime() / 1000),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(id, seconds, body)).join(' '),
  };
}
