import { createContext, useContext, type ReactNode } from 'react';

export type CreateKind = 'contact' | 'company' | 'deal';

export interface GlobalActions {
  openCreate(kind: CreateKind, preset?: Record<string, string>): void;
  openPalette(): void;
  openHelp(): void;
}

const GlobalActionsContext = createContext<GlobalActions | undefined>(undefined);

export function GlobalActionsProvider({ value, children }: { value: GlobalActions; children: ReactNode }) {
  return <GlobalActionsContext.Provider value={value}>{children}</GlobalActionsContext.Provider>;
}

export function useGlobalActions(): GlobalActions {
  const actions = useContext(GlobalActionsContext);
  if (!actions) throw new Error('useGlobalActions outside the app shell');
  return actions;
}
