import { createContext, useContext, type ReactNode } from 'react';
import type { AuthClient, Profile } from './auth-client';

export interface Session {
  auth: AuthClient;
  profile: Profile;
}

const SessionContext = createContext<Session | undefined>(undefined);

export function SessionProvider({ session, children }: { session: Session; children: ReactNode }) {
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}
