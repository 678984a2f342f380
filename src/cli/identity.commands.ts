/**
 * Commands of identity and access: staff users, API tokens, PII keys (status, rotation), account
 * assignments, the access audit, and audited PII access (unmask, export).
 *
 * The CLI is a local operator's tool with direct database access (whoever runs it can read the
 * database and the key configuration anyway): it acts as the operator principal, with every
 * permission and every account in scope. What must leave a trace still does: unmasking and exports
 * need --reason and are written to the access audit under the operating-system user's name.
 */
import { createWriteStream } from 'node:fs';
import { userInfo } from 'node:os';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { Option, type Command } from 'commander';
import {
  LEGAL_STAGES, PERMISSIONS, ROLES, assignAccount, createToken, createUser, disableUser, listAccessAudit, listTokens, listUsers,
  operatorPrincipal, reencryptTotpSecrets, resetPassword, revokeToken, totpKeyUsage, type Principal,
} from '../modules/identity/index.ts';
import { portfolioKeyUsage, reencryptPortfolioPii } from '../modules/portfolio/index.ts';
import { exportAccounts, unmaskAccount } from '../workflows/pii-access.workflow.ts';
import { recordAccess } from '../modules/identity/index.ts';
import { limits } from '../kernel/limits.ts';
import { CliFailure, EXIT, json, wholeNumber, type CliIo, type CommandContext } from './support.ts';

/** The operator behind a CLI command: the operating-system user (RECOURSE_OPERATOR overrides). */
export function cliOperator(io: CliIo): Principal {
  let name = io.env.RECOURSE_OPERATOR || io.env.USER || '';
  if (!name) {
    try {
      name = userInfo().username;
    } catch {
      name = 'operator';
    }
  }
  return operatorPrincipal(name.slice(0, 64));
}

async function readSecret(io: CliIo): Promise<string> {
  if (!io.stdin) throw new CliFailure('--password-stdin: no standard input', EXIT.invalid);
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (text === '') throw new CliFailure('--password-stdin: standard input is empty (pipe the password in)', EXIT.invalid);
  return text;
}

const exitFor = (code: string) => (code.endsWith('not_found') ? EXIT.notFound : EXIT.invalid);

export function registerIdentityCommands(program: Command, ctx: CommandContext): void {
  const { io, withRuntime } = ctx;
  const operator = () => cliOperator(io);

  const users = program.command('users').description('Staff users: create, list, disable, reset a password');
  users
    .command('create')
    .description('Create a staff user; the password is read from standard input (an admin also gets a TOTP key, printed once)')
    .requiredOption('--username <name>', '3–64 lower-case letters, digits, ".", "_" or "-"')
    .addOption(new Option('--role <role>', 'role').choices(ROLES).makeOptionMandatory())
    .option('--team <team>', 'collection team (required for a collector)')
    .option('--agency <agency>', 'collection agency (required for an agency_user)')
    .option('--password-stdin', 'read the password from standard input (required)')
    .option('--json', 'print JSON')
    .action(async (opts: { username: string; role: string; team?: string; agency?: string; passwordStdin?: boolean; json?: boolean }) => {
      if (!opts.passwordStdin) throw new CliFailure('--password-stdin is required (passwords never go on the command line)', EXIT.invalid);
      const password = await readSecret(io);
      const r = await withRuntime((rt) => createUser(rt, operator(), { username: opts.username, role: opts.role, teamId: opts.team ?? null, agencyId: opts.agency ?? null, password }));
      if (!r.ok) throw new CliFailure(r.message, EXIT.invalid);
      if (opts.json) return void io.stdout.write(json(r.value));
      io.stdout.write(`created ${r.value.user.username} (${r.value.user.role})\n`);
      if (r.value.totp) io.stdout.write(`TOTP key (add it to an authenticator app; shown only now): ${r.value.totp.secret}\n  ${r.value.totp.uri}\n`);
    });
  users
    .command('list')
    .description('Staff users with role, team, agency and status')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const list = await withRuntime((rt) => listUsers(rt));
      if (opts.json) return void io.stdout.write(json({ users: list }));
      for (const u of list) {
        const status = u.disabled ? 'disabled' : u.lockedUntil ? `locked until ${u.lockedUntil}` : 'active';
        io.stdout.write(`${u.username}\t${u.role}\t${u.teamId ?? '-'}\t${u.agencyId ?? '-'}\t${u.totpEnabled ? 'totp' : '-'}\t${status}\n`);
      }
    });
  users
    .command('disable')
    .description('Disable a user and end their sessions')
    .argument('<username>')
    .action(async (username: string) => {
      const r = await withRuntime((rt) => disableUser(rt, operator(), username));
      if (!r.ok) throw new CliFailure(r.message, exitFor(r.code));
      io.stdout.write(`disabled ${r.value.username}\n`);
    });
  users
    .command('reset-password')
    .description('Reset a password: prints a temporary one (once), lifts a lock, ends sessions; the user must change it')
    .argument('<username>')
    .option('--json', 'print JSON')
    .action(async (username: string, opts: { json?: boolean }) => {
      const r = await withRuntime((rt) => resetPassword(rt, operator(), username));
      if (!r.ok) throw new CliFailure(r.message, exitFor(r.code));
      if (opts.json) return void io.stdout.write(json(r.value));
      io.stdout.write(`temporary password for ${r.value.username} (shown only now): ${r.value.temporaryPassword}\n`);
    });

  const tokens = program.command('tokens').description('API tokens for machine clients (the card host feed, dialers)');
  tokens
    .command('create')
    .description('Create an API token with scopes; the token is printed once')
    .requiredOption('--name <name>', 'what the client is, e.g. "card host feed"')
    .requiredOption('--scope <scopes>', `comma-separated permissions: ${PERMISSIONS.join(', ')}`)
    .option('--expires-days <n>', 'expire after this many days (default: never)', wholeNumber(1, 3650))
    .option('--json', 'print JSON')
    .action(async (opts: { name: string; scope: string; expiresDays?: number; json?: boolean }) => {
      const scopes = opts.scope.split(',').map((s) => s.trim()).filter(Boolean);
      const r = await withRuntime((rt) => createToken(rt, operator(), { name: opts.name, scopes, expiresInDays: opts.expiresDays ?? null }));
      if (!r.ok) throw new CliFailure(r.message, EXIT.invalid);
      if (opts.json) return void io.stdout.write(json(r.value));
      io.stdout.write(`token ${r.value.view.id} (${r.value.view.name}; ${r.value.view.scopes.join(', ')}), shown only now:\n${r.value.token}\n`);
    });
  tokens
    .command('list')
    .description('API tokens (never their secrets)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const list = await withRuntime((rt) => listTokens(rt));
      if (opts.json) return void io.stdout.write(json({ tokens: list }));
      for (const t of list) io.stdout.write(`${t.id}\t${t.name}\t${t.scopes.join(',')}\t${t.revoked ? 'revoked' : t.expiresAt ? `expires ${t.expiresAt}` : 'active'}\n`);
    });
  tokens
    .command('revoke')
    .description('Revoke an API token')
    .argument('<id>')
    .action(async (id: string) => {
      const r = await withRuntime((rt) => revokeToken(rt, operator(), id));
      if (!r.ok) throw new CliFailure(r.message, exitFor(r.code));
      io.stdout.write(`revoked token ${id}\n`);
    });

  const keys = program.command('keys').description('PII encryption keys: which keys seal what, and rotation');
  keys
    .command('status')
    .description('How many sealed values each key id protects')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const r = await withRuntime(async (rt) => ({
        activeKeyId: rt.cipher.activeKeyId, configuredKeyIds: rt.cipher.keyIds,
        sealed: [...(await portfolioKeyUsage(rt.pool)), ...(await totpKeyUsage(rt.pool)).map((u) => ({ kind: 'totp_secret', ...u }))],
      }));
      if (opts.json) return void io.stdout.write(json(r));
      io.stdout.write(`active key: ${r.activeKeyId}; configured: ${r.configuredKeyIds.join(', ')}\n`);
      for (const s of r.sealed) io.stdout.write(`  ${s.kind.padEnd(12)} ${s.keyId.padEnd(20)} ${s.values}\n`);
    });
  keys
    .command('rotate')
    .description('Re-encrypt every PII value not sealed with the active key (after adding a new first key to RECOURSE_PII_KEYS)')
    .option('--reindex', 'also recompute every blind index (after changing RECOURSE_PII_INDEX_KEY): re-encrypts all values')
    .option('--json', 'print JSON')
    .action(async (opts: { reindex?: boolean; json?: boolean }) => {
      const r = await withRuntime(async (rt) => {
        const reindex = Boolean(opts.reindex);
        const portfolio = await reencryptPortfolioPii(rt.pool, rt.cipher, { reindex });
        const totpSecrets = await reencryptTotpSecrets(rt.pool, rt.cipher.activeKeyId, reindex, (sealed) => rt.cipher.encrypt(rt.cipher.decrypt(sealed)));
        const summary = { activeKeyId: rt.cipher.activeKeyId, reindex, reencrypted: { ...portfolio, totpSecrets } };
        await recordAccess(rt.pool, operator(), rt.clock.now(), { action: 'keys_rotated', subjectKind: 'keys', subjectId: rt.cipher.activeKeyId, details: summary });
        return summary;
      });
      if (opts.json) return void io.stdout.write(json(r));
      const n = r.reencrypted;
      io.stdout.write(`re-encrypted under key ${r.activeKeyId}: ${n.nationalIds} national ids, ${n.phones} phones, ${n.totpSecrets} TOTP secrets\n`);
    });

  const access = program.command('access').description('Account assignments (data scopes) and the access audit');
  access
    .command('assign')
    .description('Set an account\'s team, agency placement and legal stage (an omitted one is cleared)')
    .argument('<account>', 'account id')
    .option('--team <team>', 'collection team')
    .option('--agency <agency>', 'agency the account is placed with')
    .addOption(new Option('--legal-stage <stage>', 'legal stage').choices(LEGAL_STAGES))
    .option('--json', 'print JSON')
    .action(async (accountId: string, opts: { team?: string; agency?: string; legalStage?: string; json?: boolean }) => {
      const r = await withRuntime((rt) => assignAccount(rt, operator(), accountId, { teamId: opts.team ?? null, agencyId: opts.agency ?? null, legalStage: opts.legalStage ?? null }));
      if (!r.ok) throw new CliFailure(r.message, exitFor(r.code));
      if (opts.json) return void io.stdout.write(json(r.value));
      io.stdout.write(`${accountId}: team ${r.value.teamId ?? '-'}, agency ${r.value.agencyId ?? '-'}, legal stage ${r.value.legalStage ?? '-'}\n`);
    });
  access
    .command('audit')
    .description('The access audit trail, newest first')
    .option('--limit <n>', `entries (at most ${limits.pageSizeMax})`, wholeNumber(1, limits.pageSizeMax), limits.pageSizeDefault)
    .option('--action <action>', 'only this action (login_failed, pii_unmasked, accounts_exported, …)')
    .option('--json', 'print JSON')
    .action(async (opts: { limit: number; action?: string; json?: boolean }) => {
      const r = await withRuntime((rt) => listAccessAudit(rt, { limit: opts.limit, action: opts.action }));
      if (opts.json) return void io.stdout.write(json(r));
      for (const e of r.entries) {
        io.stdout.write(`${e.occurredAt}\t${e.actor.kind}:${e.actor.name}\t${e.action}\t${e.subject ? `${e.subject.kind}:${e.subject.id}` : '-'}\t${e.reason ?? ''}\n`);
      }
    });

  const pii = program.command('pii').description('Audited access to personal data in clear');
  pii
    .command('unmask')
    .description('Print an account\'s national id and phone numbers in clear (audited with --reason)')
    .argument('<account>', 'account id')
    .requiredOption('--reason <why>', 'why (at least 10 characters; written to the access audit)')
    .option('--json', 'print JSON')
    .action(async (accountId: string, opts: { reason: string; json?: boolean }) => {
      const r = await withRuntime((rt) => unmaskAccount(rt, operator(), accountId, opts.reason, null));
      if (!r.ok) throw new CliFailure(r.message, exitFor(r.code));
      if (opts.json) return void io.stdout.write(json(r.value));
      io.stdout.write(`${r.value.accountId} (customer ${r.value.customerId}): national id ${r.value.nationalId ?? '-'}\n`);
      for (const p of r.value.phones) io.stdout.write(`  phone ${p.position} (${p.role}): ${p.number}\n`);
    });

  program
    .command('export')
    .description('Export accounts as CSV, PII masked unless --unmask (audited with --reason)')
    .argument('<what>', 'what to export: accounts')
    .requiredOption('--reason <why>', 'why (at least 10 characters; written to the access audit)')
    .option('--unmask', 'national ids and phone numbers in clear')
    .option('--bucket <bucket>', 'only this bucket')
    .option('--output <file>', 'write here instead of standard output')
    .action(async (what: string, opts: { reason: string; unmask?: boolean; bucket?: string; output?: string }) => {
      if (what !== 'accounts') throw new CliFailure(`export ${what}: only "accounts" can be exported`, EXIT.invalid);
      const rows = await withRuntime(async (rt) => {
        const r = await exportAccounts(rt, operator(), { reason: opts.reason, unmask: Boolean(opts.unmask), bucket: opts.bucket }, null);
        if (!r.ok) throw new CliFailure(r.message, exitFor(r.code));
        if (opts.output) await pipeline(Readable.from(r.value.csv), createWriteStream(opts.output, { mode: 0o600 }));
        else for await (const chunk of r.value.csv) io.stdout.write(chunk);
        return r.value.rows;
      });
      io.stderr.write(`exported ${rows} accounts${opts.unmask ? ' (unmasked)' : ''}${opts.output ? ` to ${opts.output}` : ''}\n`);
    });
}
