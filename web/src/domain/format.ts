// Small text helpers shared by the screens.

export function fullName(person: { firstName?: string; lastName?: string; emails?: { address: string }[] }): string {
  const name = [person.firstName, person.lastName].filter(Boolean).join(' ').trim();
  return name || person.emails?.[0]?.address || 'Unnamed contact';
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0], parts[parts.length - 1]] : [parts[0] ?? '?'];
  return letters
    .map((p) => Array.from(p ?? '')[0] ?? '')
    .join('')
    .toUpperCase();
}

/** A stable hue per id, so a person's avatar has the same colour everywhere. */
export function hueOf(id: string): number {
  let h = 0;
  for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return h;
}

export function humanize(value: string): string {
  const text = value.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const RELATIVE = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** "3 hours ago", "yesterday", "in 2 days"; now is passed in by callers that need to be testable. */
export function relativeTime(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '';
  const seconds = (Date.parse(iso) - now) / 1000;
  if (Number.isNaN(seconds)) return '';
  for (const [unit, size] of UNITS)
    if (Math.abs(seconds) >= size) return RELATIVE.format(Math.round(seconds / size), unit);
  return 'just now';
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso.length === 10 ? `${iso}T00:00:00` : iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleDateString(undefined, { dateStyle: 'medium' });
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A short label for a user id when the API gives no name: "You" for the caller. */
export function personLabel(userId: string, me: string | undefined): string {
  if (!userId) return 'Unassigned';
  if (userId === me) return 'You';
  return `User ${userId.slice(0, 8)}`;
}

const ROLE_LABELS: Record<string, string> = {
  'crm-admin': 'Admin',
  'sales-manager': 'Sales manager',
  'sales-rep': 'Sales rep',
  'support-manager': 'Support manager',
  'support-agent': 'Support agent',
  integration: 'Integration',
};

/** The roles that mean something to a person (Keycloak adds technical ones), with readable names. */
export function roleLabels(roles: readonly string[]): string[] {
  return roles.filter((r) => r in ROLE_LABELS).map((r) => ROLE_LABELS[r] as string);
}
