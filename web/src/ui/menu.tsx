import { useEffect, useId, useRef, useState, type ReactNode } from 'react';

/** A button that opens a small menu; closes on outside click, Escape, or choosing an item. */
export function MenuButton({
  label,
  children,
  className = 'icon-btn',
  align = 'right',
  buttonContent,
}: {
  /** The accessible name when the button's own content does not give one (an icon). */
  label?: string;
  children: (close: () => void) => ReactNode;
  className?: string;
  align?: 'left' | 'right';
  buttonContent: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const menuId = useId();
  useEffect(() => {
    if (!open) return;
    const onDown = (event: MouseEvent) => {
      if (!ref.current?.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
  return (
    <div ref={ref} style={{ position: 'relative' }}>
      <button
        type="button"
        className={className}
        aria-label={label}
        aria-haspopup="true"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => setOpen((o) => !o)}
      >
        {buttonContent}
      </button>
      {open ? (
        <div id={menuId} className="menu" style={{ [align]: 0, top: 'calc(100% + 6px)' }}>
          {children(() => setOpen(false))}
        </div>
      ) : null}
    </div>
  );
}
