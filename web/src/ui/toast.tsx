import { CheckCircle2, CircleAlert, Info, X } from 'lucide-react';
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import { describeError } from '../api/problem';

export type ToastKind = 'error' | 'success' | 'info';

export interface ToastMessage {
  id: number;
  kind: ToastKind;
  title: string;
  body?: string;
  action?: { label: string; run: () => void };
}

export interface Toasts {
  show(toast: Omit<ToastMessage, 'id'>, durationMs?: number): void;
  /** The problem+json detail of an API failure (or the message of any error). */
  error(error: unknown, title?: string): void;
  success(title: string, body?: string): void;
}

const ToastContext = createContext<Toasts | undefined>(undefined);

const ICONS = { error: CircleAlert, success: CheckCircle2, info: Info } as const;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<ToastMessage[]>([]);
  const next = useRef(1);

  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((t) => t.id !== id)), []);

  const show = useCallback(
    (toast: Omit<ToastMessage, 'id'>, durationMs = toast.kind === 'error' ? 8000 : 4000) => {
      const id = next.current++;
      // The same message twice in a row shows once.
      setToasts((all) =>
        [...all.filter((t) => t.title !== toast.title || t.body !== toast.body), { ...toast, id }].slice(-4),
      );
      window.setTimeout(() => dismiss(id), durationMs);
    },
    [dismiss],
  );

  const api = useMemo<Toasts>(
    () => ({
      show,
      error: (error, title = 'That did not work') => show({ kind: 'error', title, body: describeError(error) }),
      success: (title, body) => show({ kind: 'success', title, ...(body ? { body } : {}) }),
    }),
    [show],
  );

  return (
    <ToastContext.Provider value={api}>
      {children}
      <div className="toast-region" role="region" aria-label="Notifications">
        <div aria-live="polite" className="stack" style={{ gap: 8 }}>
          {toasts.map((toast) => {
            const Icon = ICONS[toast.kind];
            return (
              <div
                key={toast.id}
                className={`toast toast-${toast.kind}`}
                role={toast.kind === 'error' ? 'alert' : 'status'}
              >
                <Icon size={18} aria-hidden="true" />
                <div className="grow">
                  <div className="toast-title">{toast.title}</div>
                  {toast.body ? <div className="toast-body">{toast.body}</div> : null}
                  {toast.action ? (
                    <button
                      type="button"
                      className="btn btn-sm"
                      style={{ marginTop: 8 }}
                      onClick={() => {
                        toast.action?.run();
                        dismiss(toast.id);
                      }}
                    >
                      {toast.action.label}
                    </button>
                  ) : null}
                </div>
                <button type="button" className="icon-btn" aria-label="Dismiss" onClick={() => dismiss(toast.id)}>
                  <X size={16} />
                </button>
              </div>
            );
          })}
        </div>
      </div>
    </ToastContext.Provider>
  );
}

export function useToasts(): Toasts {
  const toasts = useContext(ToastContext);
  if (!toasts) throw new Error('useToasts outside ToastProvider');
  return toasts;
}
