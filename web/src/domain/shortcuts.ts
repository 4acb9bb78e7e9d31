// Keyboard shortcuts: one table drives both the handler and the help overlay, so the two never disagree.

export type ShortcutAction =
  | 'palette'
  | 'help'
  | 'search'
  | 'go-contacts'
  | 'go-companies'
  | 'go-deals'
  | 'go-forecast'
  | 'go-imports'
  | 'new-contact'
  | 'new-deal'
  | 'toggle-theme';

export interface Shortcut {
  action: ShortcutAction;
  /** Key sequence as typed: "mod+k", "?", "g c". "mod" is Cmd on macOS and Ctrl elsewhere. */
  keys: string;
  description: string;
  group: 'General' | 'Go to' | 'Create';
}

export const SHORTCUTS: readonly Shortcut[] = [
  { action: 'palette', keys: 'mod+k', description: 'Search and commands', group: 'General' },
  { action: 'help', keys: '?', description: 'Keyboard shortcuts', group: 'General' },
  { action: 'search', keys: '/', description: 'Search this list', group: 'General' },
  { action: 'toggle-theme', keys: 't', description: 'Switch light / dark theme', group: 'General' },
  { action: 'go-contacts', keys: 'g c', description: 'Contacts', group: 'Go to' },
  { action: 'go-companies', keys: 'g o', description: 'Companies', group: 'Go to' },
  { action: 'go-deals', keys: 'g d', description: 'Deals board', group: 'Go to' },
  { action: 'go-forecast', keys: 'g f', description: 'Forecast', group: 'Go to' },
  { action: 'go-imports', keys: 'g i', description: 'Imports', group: 'Go to' },
  { action: 'new-contact', keys: 'n c', description: 'New contact', group: 'Create' },
  { action: 'new-deal', keys: 'n d', description: 'New deal', group: 'Create' },
];

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

/** "mod+k" for Ctrl/Cmd+K, else the key itself in lower case (and "?" as typed). */
export function chordOf(press: KeyPress, isMac: boolean): string | undefined {
  if (press.altKey) return undefined;
  const mod = isMac ? press.metaKey : press.ctrlKey;
  const key = press.key.length === 1 ? press.key.toLowerCase() : press.key;
  if (mod) return `mod+${key}`;
  if (press.ctrlKey || press.metaKey) return undefined;
  return press.key === '?' ? '?' : key;
}

/**
 * Matches key presses against the table. Sequences ("g c") wait for their second key up to `timeoutMs`; the clock
 * is passed in, so the matcher is pure and testable.
 */
export class ShortcutMatcher {
  private pending: { prefix: string; at: number } | undefined;

  constructor(
    private readonly shortcuts: readonly Shortcut[] = SHORTCUTS,
    private readonly timeoutMs = 1200,
  ) {}

  press(chord: string, now: number): ShortcutAction | undefined {
    if (this.pending && now - this.pending.at <= this.timeoutMs) {
      const sequence = `${this.pending.prefix} ${chord}`;
      this.pending = undefined;
      const hit = this.shortcuts.find((s) => s.keys === sequence);
      if (hit) return hit.action;
    }
    this.pending = undefined;
    const direct = this.shortcuts.find((s) => s.keys === chord);
    if (direct) return direct.action;
    if (this.shortcuts.some((s) => s.keys.startsWith(`${chord} `))) this.pending = { prefix: chord, at: now };
    return undefined;
  }
}

/** How a shortcut is shown: "⌘ K" on a Mac, "Ctrl K" elsewhere, "G then C" for sequences. */
export function displayKeys(keys: string, isMac: boolean): string[] {
  return keys.split(' ').map((part) =>
    part
      .split('+')
      .map((k) => (k === 'mod' ? (isMac ? '⌘' : 'Ctrl') : k.length === 1 ? k.toUpperCase() : k))
      .join(' '),
  );
}
