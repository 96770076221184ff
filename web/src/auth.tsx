/** Who is logged in: asked once from GET /api/me, updated by login, signup and logout. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiFailure, type StaffPermissionValue, type UserView } from './api.ts';

export type Session =
  | { state: 'loading'; user: null }
  | { state: 'anonymous'; user: null }
  | { state: 'user'; user: UserView }
  | { state: 'error'; user: null; message: string };

interface AuthApi {
  session: Session;
  login(email: string, password: string): Promise<UserView>;
  signup(email: string, password: string, consents: { terms: string; privacy: string }): Promise<UserView>;
  logout(): Promise<void>;
  refresh(): void;
}

const AuthContext = createContext<AuthApi | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session>({ state: 'loading', user: null });
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    const ac = new AbortController();
    api
      .me(ac.signal)
      .then((r) => setSession({ state: 'user', user: r.user }))
      .catch((err: unknown) => {
        if (ac.signal.aborted) return;
        if (err instanceof ApiFailure && (err.status === 401 || err.status === 403)) setSession({ state: 'anonymous', user: null });
        else setSession({ state: 'error', user: null, message: (err as Error).message });
      });
    return () => ac.abort();
  }, [generation]);

  const login = useCallback(async (email: string, password: string) => {
    const r = await api.login(email, password);
    setSession({ state: 'user', user: r.user });
    return r.user;
  }, []);
  const signup = useCallback(async (email: string, password: string, consents: { terms: string; privacy: string }) => {
    const r = await api.signup(email, password, consents);
    setSession({ state: 'user', user: r.user });
    return r.user;
  }, []);
  const logout = useCallback(async () => {
    await api.logout().catch(() => undefined);
    setSession({ state: 'anonymous', user: null });
  }, []);
  const refresh = useCallback(() => setGeneration((g) => g + 1), []);

  const value = useMemo(() => ({ session, login, signup, logout, refresh }), [session, login, signup, logout, refresh]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthApi {
  const v = useContext(AuthContext);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}

/** Whether the signed-in user's role carries `permission` (GET /api/me lists them); the server checks again. */
export function useCan(): (permission: StaffPermissionValue) => boolean {
  const { session } = useAuth();
  const perms = session.state === 'user' ? session.user.permissions : [];
  return (permission) => perms.includes(permission);
}
