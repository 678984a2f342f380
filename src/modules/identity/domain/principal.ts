/** Who is calling: a staff user (session), a machine client (API token) or the local operator (CLI). */
import { ROLE_PERMISSIONS, type DataScope, type Permission, type Role } from './roles.ts';
import { PERMISSIONS } from './roles.ts';

export interface Principal {
  kind: 'user' | 'token' | 'operator';
  /** user_id, token_id, or the operating-system user for the CLI. */
  id: string;
  /** Username, token name, or operating-system user. */
  name: string;
  role: Role | null;
  permissions: ReadonlySet<Permission>;
  scope: DataScope;
  /** A session that may only change its password (after an admin's reset) until it does. */
  restricted: 'password_change' | null;
}

export function userPrincipal(user: { userId: string; username: string; role: Role; teamId: string | null; agencyId: string | null; mustChangePassword: boolean }, scope: DataScope): Principal {
  return {
    kind: 'user', id: user.userId, name: user.username, role: user.role,
    permissions: new Set(ROLE_PERMISSIONS[user.role]), scope, restricted: user.mustChangePassword ? 'password_change' : null,
  };
}

/** The CLI: a local operator with direct database access holds every permission (see docs/decisions.md). */
export function operatorPrincipal(name: string): Principal {
  return { kind: 'operator', id: name, name, role: null, permissions: new Set(PERMISSIONS), scope: { kind: 'all' }, restricted: null };
}

export function can(principal: Principal, permission: Permission): boolean {
  return principal.permissions.has(permission);
}
