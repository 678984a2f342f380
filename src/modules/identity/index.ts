/** Public surface of the identity module: staff users, sessions, API tokens, roles, data scopes, access audit. */
export {
  ROLES, PERMISSIONS, ROLE_PERMISSIONS, LEGAL_STAGES, dataScopeOf, isRole, isPermission,
  type Role, type Permission, type DataScope, type LegalStage,
} from './domain/roles.ts';
export { LOCKOUT, lockAfterFailure, lockedForSeconds } from './domain/lockout.ts';
export { PASSWORD, checkPassword } from './domain/password-policy.ts';
export { redactPii, mayContainPii } from './domain/pii-redaction.ts';
export { REASON, auditReason } from './domain/audit-reason.ts';
export { can, operatorPrincipal, userPrincipal, type Principal } from './domain/principal.ts';
export { totpCode, totpUri } from './totp.ts';
export {
  assignAccount, changePassword, confirmTotp, countUsers, createToken, createUser, csrfTokenMatches, disableUser, enrollTotp,
  listAccessAudit, listTokens, listUsers, login, logout, recordAccess, resetPassword, resolveSession, resolveToken, revokeToken,
  type AccessAuditEntry, type IdentityDeps, type LoginSuccess, type NewUser, type ResolvedSession, type TokenView, type UserView,
} from './identity.service.ts';
export { scopeCondition, customersOutOfScope, reencryptTotpSecrets, totpKeyUsage, findStaffMember, teamMembers, findAssignment, type StaffMember } from './identity.repository.ts';
