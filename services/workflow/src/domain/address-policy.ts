// Which addresses an outbound webhook may reach. Only globally routable unicast addresses: private, loopback,
// link-local (incl. the cloud metadata address 169.254.169.254), CGNAT, multicast, unspecified, reserved,
// IPv6 unique-local and link-local, and IPv4 addresses hidden in IPv6 (mapped, 6to4, Teredo, NAT64) are refused.
// In development mode loopback is admitted too, for a local receiver. Pure.
import ipaddr from 'ipaddr.js';

export type WebhookMode = 'production' | 'development';

/** Extra blocks not covered by ipaddr.js's ranges: well-known metadata addresses that are otherwise routable. */
const METADATA = ['100.100.100.200', 'fd00:ec2::254'];

export function addressRefusal(address: string, mode: WebhookMode): string | undefined {
  if (!ipaddr.isValid(address)) return `"${address}" is not an IP address`;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  if (METADATA.some((m) => ipaddr.parse(m).toString() === parsed.toString())) return `${address} is a metadata address`;
  const range = parsed.range();
  if (range === 'unicast') return undefined;
  if (range === 'loopback' && mode === 'development') return undefined;
  return `${address} is a ${range} address`;
}

export interface UrlCheck {
  url?: URL;
  problem?: string;
}

/** Scheme, credentials and literal addresses of a webhook URL (names are checked when resolved). */
export function checkWebhookUrl(raw: string, mode: WebhookMode): UrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: 'is not a URL' };
  }
  if (url.protocol !== 'https:' && !(mode === 'development' && url.protocol === 'http:'))
    return { problem: mode === 'development' ? 'must be http or https' : 'must be https' };
  if (url.username || url.password) return { problem: 'must not carry credentials' };
  if (raw.length > 2000) return { problem: 'is too long' };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(host)) {
    const refusal = addressRefusal(host, mode);
    if (refusal) return { problem: `points to a non-public address (${refusal})` };
  } else if (/^(localhost|.*\.localhost|.*\.local|.*\.internal)$/i.test(host) && mode !== 'development')
    return { problem: 'points to a local name' };
  return { url };
}
