import { describe, expect, it } from 'vitest';
import { ShortcutMatcher, chordOf, displayKeys } from './shortcuts';

const press = (key: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...mods,
});

describe('keyboard shortcuts', () => {
  it('reads Ctrl+K as mod+k off a Mac and Cmd+K on one', () => {
    expect(chordOf(press('k', { ctrlKey: true }), false)).toBe('mod+k');
    expect(chordOf(press('K', { metaKey: true }), true)).toBe('mod+k');
    expect(chordOf(press('k', { metaKey: true }), false)).toBeUndefined();
    expect(chordOf(press('?'), false)).toBe('?');
    expect(chordOf(press('g', { altKey: true }), false)).toBeUndefined();
  });

  it('matches single keys and two-key sequences within the timeout', () => {
    const matcher = new ShortcutMatcher(undefined, 1000);
    expect(matcher.press('mod+k', 0)).toBe('palette');
    expect(matcher.press('g', 10)).toBeUndefined();
    expect(matcher.press('d', 500)).toBe('go-deals');
    expect(matcher.press('g', 2000)).toBeUndefined();
    expect(matcher.press('c', 3500)).toBeUndefined();
    expect(matcher.press('n', 4000)).toBeUndefined();
    expect(matcher.press('c', 4100)).toBe('new-contact');
    expect(matcher.press('x', 5000)).toBeUndefined();
  });

  it('displays keys for the help overlay', () => {
    expect(displayKeys('mod+k', true)).toEqual(['⌘ K']);
    expect(displayKeys('mod+k', false)).toEqual(['Ctrl K']);
    expect(displayKeys('g c', false)).toEqual(['G', 'C']);
  });
});
