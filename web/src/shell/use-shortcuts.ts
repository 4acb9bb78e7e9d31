import { useEffect, useRef } from 'react';
import { ShortcutMatcher, chordOf, type ShortcutAction } from '../domain/shortcuts';

export const IS_MAC = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

function typingIn(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  if (!element) return false;
  return element.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(element.tagName);
}

/** Global keyboard shortcuts; while typing in a field only Ctrl/Cmd chords count. */
export function useShortcuts(handle: (action: ShortcutAction) => void): void {
  const handler = useRef(handle);
  handler.current = handle;
  useEffect(() => {
    const matcher = new ShortcutMatcher();
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.isComposing) return;
      const chord = chordOf(event, IS_MAC);
      if (!chord) return;
      if (typingIn(event.target) && !chord.startsWith('mod+')) return;
      // A modal dialog (other than the ones shortcuts open) keeps its keys.
      if (document.querySelector('dialog[open]') && !chord.startsWith('mod+')) return;
      const action = matcher.press(chord, performance.now());
      if (action) {
        event.preventDefault();
        handler.current(action);
      }
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);
}
