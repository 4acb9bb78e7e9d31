import { Dialog } from '../ui/dialog';
import { SHORTCUTS, displayKeys } from '../domain/shortcuts';
import { IS_MAC } from './use-shortcuts';

export function ShortcutsHelp({ open, onClose }: { open: boolean; onClose: () => void }) {
  const groups = [...new Set(SHORTCUTS.map((s) => s.group))];
  return (
    <Dialog open={open} onClose={onClose} title="Keyboard shortcuts" description="Work without the mouse.">
      <div className="stack" style={{ gap: 18 }}>
        {groups.map((group) => (
          <section key={group}>
            <h3 className="section-title" style={{ marginBottom: 6 }}>
              {group}
            </h3>
            <dl className="shortcut-list">
              {SHORTCUTS.filter((s) => s.group === group).map((s) => (
                <div key={s.action} className="row-between shortcut-row">
                  <dt>{s.description}</dt>
                  <dd className="row">
                    {displayKeys(s.keys, IS_MAC).map((k, i) => (
                      <span key={i} className="row" style={{ gap: 4 }}>
                        {i > 0 ? <span className="subtle">then</span> : null}
                        <kbd className="kbd">{k}</kbd>
                      </span>
                    ))}
                  </dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
        <p className="subtle">
          On the board, focus a card and press Space to pick it up, arrows to move, Space to drop.
        </p>
      </div>
    </Dialog>
  );
}
