import { CalendarDays, Mail, Phone, StickyNote, type LucideIcon } from 'lucide-react';
import type { ActivityType } from '../../api/types';

export const ACTIVITY_TYPES: { type: ActivityType; label: string; verb: string; icon: LucideIcon }[] = [
  { type: 'call', label: 'Call', verb: 'Log call', icon: Phone },
  { type: 'email', label: 'Email', verb: 'Log email', icon: Mail },
  { type: 'meeting', label: 'Meeting', verb: 'Log meeting', icon: CalendarDays },
  { type: 'note', label: 'Note', verb: 'Add note', icon: StickyNote },
];

export function activityMeta(type: string) {
  return ACTIVITY_TYPES.find((t) => t.type === type) ?? ACTIVITY_TYPES[3]!;
}
