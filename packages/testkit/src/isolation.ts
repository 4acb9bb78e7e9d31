import { randomBytes } from 'node:crypto';

/**
 * A name unique to one test file's run: used as NATS namespace (stream-name and subject prefix) and in database
 * names, so test files never see each other's data and need no clean-up between runs.
 */
export function uniqueNamespace(label = 't'): string {
  const safe =
    label
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '')
      .slice(0, 12) || 't';
  return `${safe}${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

export function uniqueDbName(label: string): string {
  return `test_${uniqueNamespace(label)}`;
}
