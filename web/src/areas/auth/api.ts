/** The identity API the app uses: POST /auth/login, POST /auth/logout, GET /auth/me, POST /auth/password. */
import { api, setCsrfToken } from '../../api/client.ts';

export interface Me {
  kind: 'user' | 'token' | 'operator';
  id: string;
  name: string;
  role: string | null;
  permissions: string[];
  scope: { kind: string; teamId?: string; agencyId?: string };
  passwordChangeRequired: boolean;
}

export interface LoginInput { username: string; password: string; totp?: string }

export const meQueryKey = ['auth', 'me'] as const;

export const authApi = {
  me: () => api.get<Me>('/auth/me'),
  async login(input: LoginInput): Promise<{ passwordChangeRequired: boolean }> {
    const r = await api.post<{ csrfToken: string; passwordChangeRequired: boolean }>('/auth/login', input);
    setCsrfToken(r.csrfToken);
    return { passwordChangeRequired: r.passwordChangeRequired };
  },
  async logout(): Promise<void> {
    try {
      await api.post<void>('/auth/logout');
    } finally {
      setCsrfToken(null);
    }
  },
  changePassword: (currentPassword: string, newPassword: string) => api.post<void>('/auth/password', { currentPassword, newPassword }),
};
