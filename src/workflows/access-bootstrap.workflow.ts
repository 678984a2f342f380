/**
 * First start of `recourse serve` on a database without staff users: the bootstrap admin and, with
 * the demo portfolio, one demo user per role and demo case assignments (teams, agency placements,
 * legal stages) so that every data scope has something to show. Credentials are printed once.
 */
import { randomBytes } from 'node:crypto';
import type { Runtime } from '../runtime.ts';
import type { CliIo } from '../cli/support.ts';
import { countUsers, createUser, operatorPrincipal, type Role } from '../modules/identity/index.ts';

export const BOOTSTRAP_ADMIN = 'admin';

/** The demo users (docs/http-api.md lists them with what each sees). */
export const DEMO_USERS: readonly { username: string; role: Role; teamId?: string; agencyId?: string }[] = [
  { username: 'demo-strategy', role: 'strategy_manager' },
  { username: 'demo-compliance', role: 'compliance_officer' },
  { username: 'demo-supervisor', role: 'supervisor', teamId: 'team-a' },
  { username: 'demo-collector', role: 'collector', teamId: 'team-a' },
  { username: 'demo-collector-b', role: 'collector', teamId: 'team-b' },
  { username: 'demo-agency', role: 'agency_user', agencyId: 'agency-a' },
  { username: 'demo-agency-b', role: 'agency_user', agencyId: 'agency-b' },
  { username: 'demo-legal', role: 'legal' },
  { username: 'demo-auditor', role: 'auditor' },
];

const generatedPassword = () => randomBytes(15).toString('base64url');

export interface BootstrapOutcome { admin: { password: string; totpSecret: string; totpUri: string }; demoPassword: string | null }

export async function bootstrapAccess(rt: Runtime, io: CliIo, options: { demoUsers: boolean }): Promise<BootstrapOutcome | null> {
  if ((await countUsers(rt)) > 0) return null;
  const operator = operatorPrincipal('bootstrap');
  const password = rt.config.adminPassword ?? generatedPassword();
  const admin = await createUser(rt, operator, { username: BOOTSTRAP_ADMIN, role: 'admin', password });
  if (!admin.ok) {
    // Another process bootstrapped at the same time: theirs stands.
    if (admin.code === 'username_taken') return null;
    throw new Error(`bootstrap admin: ${admin.message}`);
  }
  const totp = admin.value.totp!;
  const lines = [
    '',
    'First start: created the administrator (shown only now; keep it in a password manager):',
    `  username: ${BOOTSTRAP_ADMIN}`,
    `  password: ${rt.config.adminPassword ? '(RECOURSE_ADMIN_PASSWORD)' : password}`,
    `  one-time codes: add this TOTP key to an authenticator app: ${totp.secret}`,
    `                  (or its URI: ${totp.uri})`,
  ];
  let demoPassword: string | null = null;
  if (options.demoUsers) {
    demoPassword = rt.config.demoPassword ?? generatedPassword();
    for (const u of DEMO_USERS) {
      const r = await createUser(rt, operator, { ...u, password: demoPassword });
      if (!r.ok) throw new Error(`demo user ${u.username}: ${r.message}`);
    }
    const assigned = await assignDemoPortfolio(rt);
    lines.push(
      `Demo users (one per role), all with the password ${rt.config.demoPassword ? '(RECOURSE_DEMO_PASSWORD)' : demoPassword}:`,
      `  ${DEMO_USERS.map((u) => `${u.username} (${u.role}${u.teamId ? `, ${u.teamId}` : ''}${u.agencyId ? `, ${u.agencyId}` : ''})`).join(', ')}`,
      `  ${assigned} demo accounts assigned to team-a/team-b; those over 90 days past due placed with agency-a/agency-b, over 180 in litigation.`,
    );
  }
  io.stderr.write(lines.join('\n') + '\n\n');
  return { admin: { password, totpSecret: totp.secret, totpUri: totp.uri }, demoPassword };
}

/**
 * Demo case assignment, set-based: accounts alternate between team-a and team-b in id order; those over
 * 90 days past due are placed with agency-a or agency-b alike; over 180 days they are in litigation.
 */
export async function assignDemoPortfolio(rt: Runtime): Promise<number> {
  const r = await rt.pool.query(
    `insert into account_assignments (account_id, customer_id, team_id, agency_id, legal_stage, updated_at)
     select a.account_id, a.customer_id, case when a.n % 2 = 1 then 'team-a' else 'team-b' end,
            case when a.days_past_due > 90 then case when a.n % 2 = 1 then 'agency-a' else 'agency-b' end end,
            case when a.days_past_due > 180 then 'litigation' end, $1
     from (select c.account_id, c.customer_id, d.days_past_due, row_number() over (order by c.account_id) as n
           from card_accounts c left join account_delinquency d on d.account_id = c.account_id) a
     on conflict (account_id) do nothing`, [rt.clock.now()]);
  return r.rowCount ?? 0;
}
