/**
 * Who is signed in: GET /auth/me through TanStack Query. A 401 anywhere (the session ended or
 * expired) drops the cached identity, so the router shows the login page.
 */
import { createContext, useContext, useEffect, useMemo, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, onUnauthenticated } from '../api/client.ts';
import { authApi, meQueryKey, type LoginInput, type Me } from '../areas/auth/api.ts';

interface AuthState {
  status: 'loading' | 'anonymous' | 'signed-in';
  me: Me | null;
  can(permission: string): boolean;
  login(input: LoginInput): Promise<void>;
  logout(): Promise<void>;
  /** Re-reads /auth/me (after a password change). */
  refresh(): Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const me = useQuery({
    queryKey: meQueryKey,
    queryFn: async () => {
      try {
        return await authApi.me();
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
    staleTime: 60_000,
    retry: false,
  });

  useEffect(() => onUnauthenticated(() => {
    // Everything cached belonged to the session that ended.
    queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== meQueryKey[0] });
    queryClient.setQueryData(meQueryKey, null);
  }), [queryClient]);

  const value = useMemo<AuthState>(() => {
    const current = me.data ?? null;
    return {
      status: me.isPending ? 'loading' : current ? 'signed-in' : 'anonymous',
      me: current,
      can: (permission) => current?.permissions.includes(permission) ?? false,
      async login(input) {
        await authApi.login(input);
        queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== meQueryKey[0] });
        await queryClient.fetchQuery({ queryKey: meQueryKey, queryFn: authApi.me });
      },
      async logout() {
        try {
          await authApi.logout();
        } catch (e) {
          if (!(e instanceof ApiError && e.status === 401)) throw e;
        } finally {
          queryClient.clear();
          queryClient.setQueryData(meQueryKey, null);
        }
      },
      async refresh() {
        await queryClient.invalidateQueries({ queryKey: meQueryKey });
      },
    };
  }, [me.data, me.isPending, queryClient]);

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error('useAuth outside <AuthProvider>');
  return state;
}
