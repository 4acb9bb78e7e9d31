// Ids that are the same for the same cause (so a redelivered event or a repeated timer finds what it made the
// first time) and still sort by time like the platform's UUIDv7 ids: the time of the cause in the first 48 bits,
// the rest from a hash of the key.
import { createHash } from 'node:crypto';

export function deterministicId(at: Date, key: string): string {
  const hash = createHash('sha256').update(key).digest();
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(Math.max(0, Math.floor(at.getTime())), 0, 6);
  hash.copy(bytes, 6, 0, 10);
  bytes[6] = 0x70 | ((bytes[6] as number) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
