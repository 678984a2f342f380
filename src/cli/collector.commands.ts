/**
 * Commands of the collector workflow: `worklist` (next, release, reassign, items, teams, skills,
 * callback, reasons), `account 360`, `account action`, `payments` (post FILE, reverse, allocation),
 * `plan quote|propose`, `approvals list|decide`, `promise kept-rate`. The CLI is the local
 * operator; commands acting for a collector name them (`--collector USER`) and run in that user's
 * data scope.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { Runtime } from '../runtime.ts';
import { formatPlainDate, type EpochDay } from '../kernel/dates.ts';
import { limits } from '../kernel/limits.ts';
import { loadPackSet } from '../modules/compliance/index.ts';
import { dataScopeOf, findStaffMember, userPrincipal, type Principal } from '../modules/identity/index.ts';
import {
  delinquencyReasonReport, listItems, listTeams, loadWorklistSettings, reassignWorkItem, releaseWorkItem, setSkills, setTeam, skillsOf,
} from '../modules/worklist/index.ts';
import { accountAllocation, loadPaymentsSettings, parsePaymentFile, paymentFileFormat, postPayments, reversalSchema, reversePayment } from '../modules/payments/index.ts';
import { nextCase, scheduleCallback, seesAccount, type DeskDeps } from '../workflows/collector-desk.workflow.ts';
import { account360 } from '../workflows/account-360.workflow.ts';
import {
  approvalInbox, decideArrangement, decideRecommendationAtDesk, keptRate, proposeArrangement, quoteArrangement, requestAccountAction, withdrawProposal, type ArrangementsDeskDeps, type ProposalView,
} from '../workflows/arrangements-desk.workflow.ts';
import { loadAuthorityPolicy, quoteRequestSchema, uploadEvidence, type QuoteRequestInput } from '../modules/arrangements/index.ts';
import { findAccount } from '../modules/portfolio/index.ts';
import { cliOperator } from './identity.commands.ts';
import { CliFailure, EXIT, json, plainDate, wholeNumber, type CommandContext } from './support.ts';

const list = (text: string) => text.split(',').map((s) => s.trim()).filter(Boolean);
const bool = (flag: string) => (text: string) => {
  if (text !== 'true' && text !== 'false') throw new InvalidArgumentError(`${flag} must be true or false`);
  return text === 'true';
};

function resultOrFail<T>(r: { ok: true; value: T } | { ok: false; code: string; message: string }): T {
  if (!r.ok) throw new CliFailure(r.message, r.code.endsWith('_not_found') ? EXIT.notFound : EXIT.invalid);
  return r.value;
}

/** A staff user as the principal a command acts for (their role, team and data scope). */
async function actingAs(rt: Runtime, username: string, flag = '--collector'): Promise<Principal> {
  const member = await findStaffMember(rt.pool, username);
  if (!member || member.disabled) throw new CliFailure(`${flag} ${username}: no active staff user of that name`, EXIT.notFound);
  return userPrincipal({ userId: username, username: member.username, role: member.role, teamId: member.teamId, agencyId: member.agencyId, mustChangePassword: false }, dataScopeOf(member));
}

async function deskDeps(rt: Runtime): Promise<DeskDeps> {
  const packs = await loadPackSet({ overrideFiles: rt.config.complianceOverrides });
  if (!packs.ok) throw new CliFailure(`compliance packs: ${packs.message}`, EXIT.invalid);
  return { pool: rt.pool, cipher: rt.cipher, clock: rt.clock, packs: packs.value, packId: rt.config.compliancePack, settings: await loadWorklistSettings() };
}

export function registerCollectorCommands(program: Command, ctx: CommandContext): void {
  registerWorklist(program, ctx);
  registerAccount360(program, ctx);
  registerPayments(program, ctx);
  registerPlans(program, ctx);
}

async function arrangementsDeps(rt: Runtime): Promise<ArrangementsDeskDeps> {
  const desk = await deskDeps(rt);
  return { pool: rt.pool, clock: rt.clock, packs: desk.packs, packId: desk.packId, payments: await loadPaymentsSettings(), authority: await loadAuthorityPolicy(), termMonthsMaxSetting: null };
}

const number = (flag: string) => (text: string) => {
  if (!/^\d+(\.\d{1,2})?$/.test(text)) throw new InvalidArgumentError(`${flag} must be a number with at most two decimals`);
  return Number(text);
};

type QuoteFlags = { account: string; type: string; months?: number; firstDue?: EpochDay; waiveFees?: boolean; waiveInterest?: boolean; days?: number; feesPercent?: number; interestPercent?: number; amount?: string; payBy?: EpochDay; asOf?: EpochDay; json?: boolean };

/** The flags of an arrangement (quote and propose). */
function withQuoteFlags(command: Command): Command {
  return command
    .requiredOption('--account <id>', 'account')
    .requiredOption('--type <type>', 'installments, extension, waiver or settlement')
    .option('--months <n>', 'installments: number of monthly instalments', wholeNumber(1, 600))
    .option('--first-due <date>', 'installments: first due date (default: a month after --as-of)', plainDate('--first-due'))
    .option('--waive-fees', 'installments: waive the fees owed')
    .option('--waive-interest', 'installments: waive the interest owed')
    .option('--days <n>', 'extension: days until the amount past due is due', wholeNumber(1, 3650))
    .option('--fees-percent <p>', 'waiver: share of the fees waived', number('--fees-percent'))
    .option('--interest-percent <p>', 'waiver: share of the interest waived', number('--interest-percent'))
    .option('--amount <amount>', 'settlement: the lump sum, e.g. 8000.00')
    .option('--pay-by <date>', 'waiver, settlement: the date to pay by', plainDate('--pay-by'))
    .option('--as-of <date>', 'business date (default: today)', plainDate('--as-of'))
    .option('--json', 'print JSON');
}

const flagOf = (field: string) => `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace(/^first-due-on$/, 'first-due')}`;

/** The validated quote request of the flags, or a failure naming the flag. */
function quoteInputOf(opts: QuoteFlags): QuoteRequestInput {
  const input = {
    type: opts.type,
    ...(opts.months !== undefined ? { months: opts.months } : {}), ...(opts.firstDue !== undefined ? { firstDueOn: formatPlainDate(opts.firstDue) } : {}),
    ...(opts.type === 'installments' ? { waiveFees: opts.waiveFees ?? false, waiveInterest: opts.waiveInterest ?? false } : {}),
    ...(opts.days !== undefined ? { days: opts.days } : {}), ...(opts.feesPercent !== undefined ? { feesPercent: opts.feesPercent } : {}),
    ...(opts.interestPercent !== undefined ? { interestPercent: opts.interestPercent } : {}), ...(opts.amount !== undefined ? { amount: opts.amount } : {}),
    ...(opts.payBy !== undefined ? { payBy: formatPlainDate(opts.payBy) } : {}), ...(opts.asOf !== undefined ? { asOf: formatPlainDate(opts.asOf) } : {}),
  };
  const parsed = quoteRequestSchema.safeParse(input);
  if (!parsed.success) {
    throw new CliFailure(parsed.error.issues.map((i) => `${i.path.join('.') ? flagOf(String(i.path.at(-1))) : '--type'}: ${i.message}`).join('; '), EXIT.invalid);
  }
  return parsed.data;
}

/** A failed desk call: the code and message, naming the flag when the domain names a field. */
function deskFailure(r: { code: string; message: string; details?: unknown }): CliFailure {
  const field = (r.details as { field?: unknown } | undefined)?.field;
  const flag = typeof field === 'string' ? `${FIELD_FLAGS[field] ?? flagOf(field)}: ` : '';
  return new CliFailure(`${flag}${r.code}: ${r.message}`, r.code.endsWith('_not_found') ? EXIT.notFound : EXIT.invalid);
}
const FIELD_FLAGS: Record<string, string> = { evidenceIds: '--evidence', declared: '--income/--expenses', 'declared.monthlyIncome': '--income', 'declared.monthlyExpenses': '--expenses', 'declared.savings': '--savings' };

/** The principal of `--as USER` (that staff user's role, tier and scope), else the local operator. */
async function principalFor(rt: Runtime, io: CommandContext['io'], as: string | undefined): Promise<Principal> {
  return as === undefined ? cliOperator(io) : actingAs(rt, as, '--as');
}

const decimalFlag = (flag: string) => (text: string) => {
  if (!/^\d{1,15}(\.\d{1,4})?$/.test(text)) throw new InvalidArgumentError(`${flag} must be an amount such as 8000.00`);
  return text;
};
const idList = (flag: string) => (text: string) => {
  const ids = list(text);
  if (!ids.length || ids.some((x) => !/^[1-9]\d{0,14}$/.test(x))) throw new InvalidArgumentError(`${flag} must be evidence ids, e.g. 3,4`);
  return ids.map(Number);
};

function printProposal(io: CommandContext['io'], v: ProposalView): void {
  io.stdout.write(`proposal #${v.proposalId} ${v.type} on ${v.accountId}: ${v.status}${v.replayed ? ' (already proposed)' : ''}; needs ${v.requiredTier}${v.planId ? `; plan #${v.planId}` : ''}${v.decidedBy ? ` (decided by ${v.decidedBy})` : ''}\n`);
  io.stdout.write(`  pay ${v.quote.total} ${v.quote.currency} (balance ${v.quote.balance}; waived fees ${v.quote.waivedFees}, interest ${v.quote.waivedInterest}; forgiven ${v.quote.forgiven})\n`);
  for (const i of v.quote.installments) io.stdout.write(`  ${i.seq}\t${i.dueOn}\t${i.amount}\n`);
}

function registerPlans(program: Command, ctx: CommandContext): void {
  const { io, withRuntime, today } = ctx;
  // `plan record` is the strategy area's (registered first); quotes and proposals join the same group.
  const plan = (program.commands.find((c) => c.name() === 'plan') ?? program.command('plan'))
    .description('Repayment plans and arrangements: record, quote and propose (instalments, extensions, waivers, settlements)');
  withQuoteFlags(plan
    .command('quote')
    .description('Quote an arrangement on an account: schedule in exact money, waivers, the rules it is held to and the authority it needs (writes nothing)'))
    .action(async (opts: QuoteFlags) => {
      const input = quoteInputOf(opts);
      const r = await withRuntime(async (rt) => quoteArrangement(await arrangementsDeps(rt), opts.account, input, today(rt)));
      if (!r.ok) throw new CliFailure(`${r.code}: ${r.message}`, r.code === 'account_not_found' ? EXIT.notFound : EXIT.invalid);
      const v = r.value.view;
      if (opts.json) return void io.stdout.write(json(v));
      io.stdout.write(`${v.type} on ${v.accountId} as of ${v.asOf}: pay ${v.total} ${v.currency} (balance ${v.balance}; waived fees ${v.waivedFees}, interest ${v.waivedInterest}; forgiven ${v.forgiven}) over ${v.termMonths} month(s)\n`);
      for (const i of v.installments) io.stdout.write(`  ${i.seq}\t${i.dueOn}\t${i.amount}\n`);
      io.stdout.write(`needs: ${v.authority.requiredTier ?? 'nobody may agree this'}${v.authority.reasons.length ? ` (${v.authority.reasons.map((x) => `${x.limit} ${x.value}`).join(', ')})` : ''}; limit ${v.rules.termMonthsMax} months (${v.rules.rule})\n`);
    });
  withQuoteFlags(plan
    .command('propose')
    .description("Propose an arrangement: agreed at once within the proposer's authority (the plan is written and monitored by the daily cycle), else it waits in the approval inbox"))
    .option('--income <amount>', 'declared monthly income (the affordability check)', decimalFlag('--income'))
    .option('--expenses <amount>', 'declared monthly expenses', decimalFlag('--expenses'))
    .option('--savings <amount>', 'declared savings', decimalFlag('--savings'))
    .option('--evidence <ids>', 'hardship evidence on file, e.g. 3,4', idList('--evidence'))
    .option('--note <text>', 'note (checked for prohibited language)')
    .option('--as <user>', 'propose as this staff user (their tier and scope; default: the operator, at the manager\'s tier)')
    .option('--idempotency-key <key>', 'same key and input → the original proposal')
    .action(async (opts: QuoteFlags & { income?: string; expenses?: string; savings?: string; evidence?: number[]; note?: string; as?: string; idempotencyKey?: string }) => {
      const input = quoteInputOf(opts);
      if ((opts.income === undefined) !== (opts.expenses === undefined)) throw new CliFailure('--income and --expenses go together', EXIT.invalid);
      if (opts.note !== undefined && (opts.note.length < 1 || opts.note.length > 2000)) throw new CliFailure('--note: 1 to 2000 characters', EXIT.invalid);
      const r = await withRuntime(async (rt) => proposeArrangement(await arrangementsDeps(rt), await principalFor(rt, io, opts.as), opts.account, {
        quote: input,
        ...(opts.income !== undefined ? { declared: { monthlyIncome: opts.income, monthlyExpenses: opts.expenses!, ...(opts.savings !== undefined ? { savings: opts.savings } : {}) } } : {}),
        ...(opts.evidence ? { evidenceIds: opts.evidence } : {}), ...(opts.note ? { note: opts.note } : {}), ...(opts.idempotencyKey ? { idempotencyKey: opts.idempotencyKey } : {}),
      }, today(rt)));
      if (!r.ok) throw deskFailure(r);
      if (opts.json) return void io.stdout.write(json(r.value));
      printProposal(io, r.value);
    });

  plan
    .command('withdraw')
    .description('The proposer withdraws a proposal still waiting for approval')
    .argument('<proposal>', 'proposal id', wholeNumber(1, Number.MAX_SAFE_INTEGER))
    .requiredOption('--account <id>', 'its account')
    .option('--note <text>', 'why')
    .option('--as <user>', 'as this staff user (the proposer; default: the operator)')
    .option('--json', 'print JSON')
    .action(async (proposalId: number, opts: { account: string; note?: string; as?: string; json?: boolean }) => {
      const r = await withRuntime(async (rt) => withdrawProposal(await arrangementsDeps(rt), await principalFor(rt, io, opts.as), opts.account, proposalId, opts.note ?? null, today(rt)));
      if (!r.ok) throw deskFailure(r);
      if (opts.json) return void io.stdout.write(json(r.value));
      printProposal(io, r.value);
    });

  program.command('evidence').description('Hardship evidence (PDF or image, typed by content, stored with its SHA-256)')
    .command('add')
    .description("Store a hardship evidence file for the account's customer; prints its id (name it in plan propose --evidence)")
    .argument('<account>', 'account id').argument('<file>', 'PDF, PNG, JPEG or WebP')
    .option('--description <text>', 'what the file shows, e.g. 住院证明')
    .option('--as <user>', 'upload as this staff user (default: the operator)')
    .option('--json', 'print JSON')
    .action(async (accountId: string, file: string, opts: { description?: string; as?: string; json?: boolean }) => {
      const bytes = await readFile(file).catch((e: NodeJS.ErrnoException) => { throw new CliFailure(`${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`, EXIT.invalid); });
      const meta = await withRuntime(async (rt) => {
        const account = await findAccount(rt.pool, accountId);
        if (!account) throw new CliFailure(`no account ${JSON.stringify(accountId)}`, EXIT.notFound);
        const authority = await loadAuthorityPolicy();
        const r = await uploadEvidence(rt.pool, {
          customerId: account.customer_id, accountId, bytes, declaredType: null, description: opts.description ?? null, by: (await principalFor(rt, io, opts.as)).name, at: rt.clock.now(),
          bytesMax: authority.evidence.bytesMax,
        });
        if (!r.ok) throw new CliFailure(`${file}: ${r.code}: ${r.message}`, EXIT.invalid);
        return r.value;
      });
      io.stdout.write(opts.json ? json(meta) : `evidence #${meta.evidenceId} ${meta.mediaType} ${meta.sizeBytes} bytes sha256 ${meta.sha256}\n`);
    });

  const approvals = program.command('approvals').description('The approval inbox: arrangements, placements, account actions');
  approvals
    .command('list')
    .description('What waits for a decision, oldest first, with the tier each needs and whether you may decide it')
    .option('--as <user>', 'as this staff user (their tier and scope; default: the operator)')
    .option('--json', 'print JSON')
    .action(async (opts: { as?: string; json?: boolean }) => {
      const items = await withRuntime(async (rt) => approvalInbox(await arrangementsDeps(rt), await principalFor(rt, io, opts.as)));
      if (opts.json) return void io.stdout.write(json({ items }));
      for (const i of items) io.stdout.write(`${i.kind} ${i.id}\t${i.accountId}\t${i.what}\tneeds ${i.requiredTier}${i.mayDecide ? '' : ' (not yours to decide)'}\t${i.proposedOn}\t${i.proposedBy ?? i.origin}\n`);
      if (!items.length) io.stdout.write('nothing waits for a decision\n');
    });
  approvals
    .command('decide')
    .description('Approve or reject an inbox item (an arrangement: not your own, at the tier it needs)')
    .argument('<kind>', 'arrangement, placement or account_action')
    .argument('<id>', 'its id', wholeNumber(1, Number.MAX_SAFE_INTEGER))
    .option('--approve', 'approve it').option('--reject', 'reject it (your own arrangement: withdraw it)')
    .option('--note <text>', 'why').option('--agency <id>', 'placements naming no agency: the agency')
    .option('--as <user>', 'decide as this staff user (default: the operator)')
    .option('--json', 'print JSON')
    .action(async (kind: string, id: number, opts: { approve?: boolean; reject?: boolean; note?: string; agency?: string; as?: string; json?: boolean }) => {
      if (!['arrangement', 'placement', 'account_action'].includes(kind)) throw new CliFailure(`kind ${JSON.stringify(kind)}: arrangement, placement or account_action`, EXIT.invalid);
      if (!opts.approve === !opts.reject) throw new CliFailure('give exactly one of --approve and --reject', EXIT.invalid);
      const decision = opts.approve ? 'approve' : 'reject';
      const out = await withRuntime(async (rt) => {
        const deps = await arrangementsDeps(rt);
        const principal = await principalFor(rt, io, opts.as);
        if (kind === 'arrangement') {
          const r = await decideArrangement(deps, principal, id, decision, opts.note ?? null, today(rt));
          if (!r.ok) throw deskFailure(r);
          return { kind, id, status: r.value.status, proposal: r.value };
        }
        const r = await decideRecommendationAtDesk({ ...deps, cipher: rt.cipher, config: rt.config }, principal, kind as 'placement' | 'account_action', id, decision, opts.note ?? null, opts.agency ?? null, today(rt));
        if (!r.ok) throw deskFailure(r);
        return r.value;
      });
      io.stdout.write(opts.json ? json(out) : `${kind} ${id}: ${out.status}\n`);
    });

  const promise = program.commands.find((c) => c.name() === 'promise') ?? program.command('promise').description('Promises to pay');
  promise
    .command('kept-rate')
    .description('Kept rate per collector or team of the promises made from --from to --to')
    .requiredOption('--from <date>', 'first day promises were made', plainDate('--from'))
    .requiredOption('--to <date>', 'last day', plainDate('--to'))
    .option('--by <key>', 'collector or team', 'collector')
    .option('--json', 'print JSON')
    .action(async (opts: { from: EpochDay; to: EpochDay; by: string; json?: boolean }) => {
      if (opts.by !== 'collector' && opts.by !== 'team') throw new CliFailure('--by: collector or team', EXIT.invalid);
      if (opts.from > opts.to) throw new CliFailure('--from is after --to', EXIT.invalid);
      const rows = await withRuntime(async (rt) => keptRate({ pool: rt.pool }, cliOperator(io), { from: formatPlainDate(opts.from), to: formatPlainDate(opts.to), by: opts.by as 'collector' | 'team' }));
      if (opts.json) return void io.stdout.write(json({ from: formatPlainDate(opts.from), to: formatPlainDate(opts.to), by: opts.by, rows }));
      for (const r of rows) io.stdout.write(`${r.key}\tmade ${r.made}\tkept ${r.kept}\tbroken ${r.broken}\topen ${r.open}\tkept rate ${r.keptRate === null ? '—' : `${(r.keptRate * 100).toFixed(1)}%`}\n`);
      if (!rows.length) io.stdout.write('no promises made in that period\n');
    });

  const account = program.commands.find((c) => c.name() === 'account') ?? program.command('account').description('Card accounts');
  account
    .command('action')
    .description('Request an account action (freeze, restrict, lift): it takes effect only when approved (recourse approvals decide account_action ID)')
    .argument('<account>', 'account id')
    .requiredOption('--action <action>', 'freeze, restrict or lift')
    .requiredOption('--reason <text>', 'why (3 to 500 characters)')
    .option('--as <user>', 'request as this staff user (default: the operator)')
    .option('--json', 'print JSON')
    .action(async (accountId: string, opts: { action: string; reason: string; as?: string; json?: boolean }) => {
      if (!['freeze', 'restrict', 'lift'].includes(opts.action)) throw new CliFailure('--action: freeze, restrict or lift', EXIT.invalid);
      if (opts.reason.trim().length < 3 || opts.reason.length > 500) throw new CliFailure('--reason: 3 to 500 characters', EXIT.invalid);
      const r = await withRuntime(async (rt) => requestAccountAction({ pool: rt.pool }, await principalFor(rt, io, opts.as), accountId, opts.action as 'freeze' | 'restrict' | 'lift', opts.reason, today(rt)));
      if (!r.ok) throw deskFailure(r);
      io.stdout.write(opts.json ? json(r.value) : `${opts.action} of ${accountId}: request ${r.value.requestId} ${r.value.status}${r.value.replayed ? ' (already requested)' : ''}\n`);
    });
}

function registerWorklist(program: Command, ctx: CommandContext): void {
  const { io, withRuntime } = ctx;
  const worklist = program.command('worklist').description('Collectors\' queues: next case, release, reassign, teams, skills, callbacks, reasons');
  worklist
    .command('next')
    .description('Take the next case for a collector (claimed until released, completed or timed out; only when the compliance gate allows the contact now)')
    .requiredOption('--collector <username>', 'the collector taking the case')
    .option('--json', 'print JSON')
    .action(async (opts: { collector: string; json?: boolean }) => {
      const r = await withRuntime(async (rt) => nextCase(await deskDeps(rt), await actingAs(rt, opts.collector)));
      if (opts.json) return void io.stdout.write(json({ case: r }));
      if (!r) return void io.stdout.write('nothing to work now\n');
      io.stdout.write(`work item ${r.workItem.id} (${r.workItem.kind}) account ${r.workItem.accountId ?? '-'} score ${r.workItem.score}, locked until ${r.workItem.lockedUntil}${r.destination ? `; call ${r.destination.masked} (${r.destination.ref})` : ''}\n`);
    });
  worklist
    .command('release')
    .description('Give a work item the collector holds back to the queue')
    .argument('<item>', 'work item id', wholeNumber(1, Number.MAX_SAFE_INTEGER))
    .requiredOption('--collector <username>', 'the collector holding it')
    .action(async (item: number, opts: { collector: string }) => {
      await withRuntime(async (rt) => resultOrFail(await releaseWorkItem(rt.pool, await actingAs(rt, opts.collector), item, rt.clock.now())));
      io.stdout.write(`work item ${item} is open again\n`);
    });
  worklist
    .command('reassign')
    .description('Hand a work item to a collector (only they get it; a lock is broken)')
    .argument('<item>', 'work item id', wholeNumber(1, Number.MAX_SAFE_INTEGER))
    .requiredOption('--to <username>', 'the collector')
    .option('--json', 'print JSON')
    .action(async (item: number, opts: { to: string; json?: boolean }) => {
      const r = await withRuntime(async (rt) => resultOrFail(await reassignWorkItem(rt.pool, cliOperator(io), item, opts.to, rt.clock.now(), (scope, accountId, customerId) => seesAccount(rt.pool, scope, accountId, customerId))));
      io.stdout.write(opts.json ? json(r) : `work item ${item} is now ${opts.to}'s\n`);
    });
  worklist
    .command('items')
    .description('Work items, newest first')
    .option('--team <team>', 'only this team')
    .option('--status <status>', 'open, in_progress, done or cancelled')
    .option('--assigned-to <username>', 'assigned to or held by')
    .option('--limit <n>', `at most (≤ ${limits.pageSizeMax})`, wholeNumber(1, limits.pageSizeMax), limits.pageSizeDefault)
    .option('--json', 'print JSON')
    .action(async (opts: { team?: string; status?: string; assignedTo?: string; limit: number; json?: boolean }) => {
      if (opts.status && !['open', 'in_progress', 'done', 'cancelled'].includes(opts.status)) throw new CliFailure('--status must be open, in_progress, done or cancelled', EXIT.invalid);
      const items = await withRuntime((rt) => listItems(rt.pool, { scope: { kind: 'all' }, teamId: opts.team ?? null, status: opts.status ?? null, assignedTo: opts.assignedTo ?? null, limit: opts.limit, now: rt.clock.now() }));
      if (opts.json) return void io.stdout.write(json({ items }));
      for (const i of items) io.stdout.write(`${i.workItemId}\t${i.kind}\t${i.status}\t${i.accountId ?? '-'}\t${i.priority}\t${i.teamId ?? '-'}\t${i.lockedBy ?? i.assignedTo ?? '-'}\n`);
    });
  worklist
    .command('teams')
    .description('Teams with their members and queue counts')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const teams = await withRuntime((rt) => listTeams(rt.pool, rt.clock.now()));
      if (opts.json) return void io.stdout.write(json({ teams }));
      for (const t of teams) io.stdout.write(`${t.teamId}\t${t.name ?? '-'}\t${t.members} members\t${t.openItems} open\t${t.inProgress} in progress\n`);
    });
  worklist
    .command('team')
    .description('Name a team')
    .argument('<team>', 'team id (lower-case letters, digits, _ and -)')
    .requiredOption('--name <name>', 'display name')
    .action(async (team: string, opts: { name: string }) => {
      if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(team)) throw new CliFailure(`team ${JSON.stringify(team)}: lower-case letters, digits, _ and -, up to 64`, EXIT.invalid);
      if (opts.name.length < 1 || opts.name.length > 100) throw new CliFailure('--name: 1 to 100 characters', EXIT.invalid);
      await withRuntime((rt) => setTeam(rt.pool, cliOperator(io), { teamId: team, name: opts.name }));
      io.stdout.write(`team ${team} is "${opts.name}"\n`);
    });
  worklist
    .command('skills')
    .description('Show or set a collector\'s skills (comma-separated; an empty list means any) and availability')
    .argument('<username>', 'the collector')
    .option('--languages <list>', 'zh-CN, en', list)
    .option('--buckets <list>', 'e.g. M1,M2', list)
    .option('--regions <list>', 'address regions', list)
    .option('--available <bool>', 'true or false', bool('--available'))
    .option('--json', 'print JSON')
    .action(async (username: string, opts: { languages?: string[]; buckets?: string[]; regions?: string[]; available?: boolean; json?: boolean }) => {
      for (const l of opts.languages ?? []) if (l !== 'zh-CN' && l !== 'en') throw new CliFailure(`--languages: ${l} is not zh-CN or en`, EXIT.invalid);
      const r = await withRuntime(async (rt) => {
        const change = opts.languages || opts.buckets || opts.regions || opts.available !== undefined;
        if (!change) {
          if (!(await findStaffMember(rt.pool, username))) throw new CliFailure(`no staff user ${username}`, EXIT.notFound);
          return { username, ...(await skillsOf(rt.pool, username)) };
        }
        return resultOrFail(await setSkills(rt.pool, cliOperator(io), username, {
          ...(opts.languages ? { languages: opts.languages as ('zh-CN' | 'en')[] } : {}), ...(opts.buckets ? { buckets: opts.buckets } : {}),
          ...(opts.regions ? { regions: opts.regions } : {}), ...(opts.available !== undefined ? { available: opts.available } : {}),
        }, rt.clock.now()));
      });
      const any = (l: string[]) => (l.length ? l.join(',') : 'any');
      io.stdout.write(opts.json ? json(r) : `${r.username}: languages ${any(r.languages)}, buckets ${any(r.buckets)}, regions ${any(r.regions)}, ${r.available ? 'available' : 'not taking work'}\n`);
    });
  worklist
    .command('callback')
    .description('Schedule a callback for a collector (refused outside the allowed contact window, naming the next allowed time)')
    .requiredOption('--collector <username>', 'whose callback it is')
    .requiredOption('--account <id>', 'account')
    .requiredOption('--at <instant>', 'ISO instant with offset, e.g. 2026-07-01T10:00:00+08:00')
    .option('--phone <ref>', 'the number: phone:0, phone:1 …', 'phone:0')
    .option('--note <text>', 'why')
    .option('--json', 'print JSON')
    .action(async (opts: { collector: string; account: string; at: string; phone: string; note?: string; json?: boolean }) => {
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})$/.test(opts.at) || Number.isNaN(Date.parse(opts.at))) throw new CliFailure('--at must be an ISO instant with an offset', EXIT.invalid);
      if (!/^phone:\d{1,3}$/.test(opts.phone)) throw new CliFailure('--phone must be phone:N', EXIT.invalid);
      const r = await withRuntime(async (rt) => resultOrFail(await scheduleCallback(await deskDeps(rt), await actingAs(rt, opts.collector), {
        accountId: opts.account, at: opts.at, destinationRef: opts.phone, ...(opts.note ? { note: opts.note } : {}),
      }, 'cli')));
      io.stdout.write(opts.json ? json(r) : `callback ${r.workItemId} for ${r.assignedTo} at ${r.at} on ${r.destination.masked}${r.existing ? ' (already scheduled)' : ''}\n`);
    });
  worklist
    .command('reasons')
    .description('Delinquency reasons recorded on contacts, by reason, category and current bucket')
    .requiredOption('--from <date>', 'first day', plainDate('--from'))
    .requiredOption('--to <date>', 'last day (inclusive)', plainDate('--to'))
    .option('--json', 'print JSON')
    .action(async (opts: { from: EpochDay; to: EpochDay; json?: boolean }) => {
      if (opts.from > opts.to) throw new CliFailure('--from is after --to', EXIT.invalid);
      const rows = await withRuntime((rt) => delinquencyReasonReport(rt.pool, { kind: 'all' }, formatPlainDate(opts.from), formatPlainDate(opts.to), rt.config.timeZone));
      if (opts.json) return void io.stdout.write(json({ from: formatPlainDate(opts.from), to: formatPlainDate(opts.to), rows }));
      for (const r of rows) io.stdout.write(`${r.category}\t${r.reason}\t${r.bucket ?? '-'}\t${r.contacts} contacts\t${r.accounts} accounts\n`);
    });
}

function registerAccount360(program: Command, ctx: CommandContext): void {
  const { io, withRuntime, today } = ctx;
  const account = program.commands.find((c) => c.name() === 'account') ?? program.command('account').description('Card accounts');
  account
    .command('360')
    .description('Account 360: customer (masked), accounts, debt, payments with allocation, contact history, notes, work items, compliance now')
    .argument('<id>', 'account id')
    .option('--as-of <date>', 'business date (default: today)', plainDate('--as-of'))
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { asOf?: EpochDay; json?: boolean }) => {
      const r = await withRuntime(async (rt) => {
        const desk = await deskDeps(rt);
        return account360({ ...desk, payments: await loadPaymentsSettings() }, cliOperator(io), id, opts.asOf ?? today(rt), null);
      });
      const v = resultOrFail(r);
      if (opts.json) return void io.stdout.write(json(v));
      const d = v.debt.details!;
      io.stdout.write(`${id} (${v.customer.name}) as of ${v.asOf}: ${d.bucket}, ${d.daysPastDue} days past due, balance ${d.balances.balance}, overdue ${d.balances.overdue}\n`);
      io.stdout.write(`compliance: ${v.compliance?.mayCallNow ? `may call ${v.compliance.number!.masked} now` : `no call now${v.compliance?.nextAllowedAt ? `, next ${v.compliance.nextAllowedAt}` : ''}`}\n`);
      io.stdout.write(`${v.contactHistory.length} contacts, ${v.notes.length} notes, ${d.payments.length} payments, ${v.workItems.length} work items\n`);
    });
}

function registerPayments(program: Command, ctx: CommandContext): void {
  const { io, withRuntime, setExit } = ctx;
  const payments = program.command('payments').description('Post payments (file), reverse them, show their allocation');
  payments
    .command('post')
    .description('Post a payment file (CSV with a header row, or NDJSON): all or nothing, idempotent by payment id')
    .argument('<file>', 'the payment file')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      const size = await stat(file).then((s) => (s.isFile() ? s.size : null), () => null);
      if (size === null) throw new CliFailure(`cannot read ${file}: no such file`, EXIT.invalid);
      const text = await readFile(file, 'utf8');
      const r = await withRuntime(async (rt) => {
        const settings = await loadPaymentsSettings();
        const parsed = parsePaymentFile(text, paymentFileFormat(file, text), settings.file.linesMax);
        if (!parsed.ok) return { errors: parsed.errors.map((e) => `${file}:${e.line}: ${e.field}: ${e.message}`) };
        const posted = await postPayments(rt.pool, settings, parsed.lines, { source: 'file', postedBy: cliOperator(io).name, fileName: basename(file), now: rt.clock.now() });
        if (!posted.ok) {
          const details = (posted.details as { errors?: { line: number | null; index: number; field: string; message: string }[] } | undefined)?.errors ?? [];
          return { errors: details.length ? details.map((e) => `${file}:${e.line ?? e.index + 1}: ${e.field}: ${e.message}`) : [`${file}: ${posted.message}`], code: posted.code };
        }
        return { posted: posted.value };
      });
      if (r.errors) {
        for (const e of r.errors.slice(0, limits.importErrorsReportedMax)) io.stderr.write(`${e}\n`);
        io.stderr.write(`${file}: nothing was posted\n`);
        return setExit(r.code === 'account_not_found' ? EXIT.notFound : EXIT.invalid);
      }
      const posted = r.posted!;
      const fresh = posted.filter((p) => !p.replayed).length;
      if (opts.json) return void io.stdout.write(json({ file: basename(file), posted: fresh, replayed: posted.length - fresh, payments: posted }));
      io.stdout.write(`${file}: ${fresh} payments posted, ${posted.length - fresh} already posted with the same content\n`);
    });
  payments
    .command('reverse')
    .description('Reverse a payment: a new negative entry naming it (at most once)')
    .argument('<payment>', 'the payment id')
    .requiredOption('--id <reversalId>', 'the reversal\'s own payment id')
    .requiredOption('--on <date>', 'the reversal\'s business date', plainDate('--on'))
    .requiredOption('--reason <text>', 'why (5–500 characters)')
    .option('--json', 'print JSON')
    .action(async (payment: string, opts: { id: string; on: EpochDay; reason: string; json?: boolean }) => {
      const cmd = reversalSchema.safeParse({ reversalId: opts.id, postedOn: formatPlainDate(opts.on), reason: opts.reason });
      if (!cmd.success) throw new CliFailure(cmd.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), EXIT.invalid);
      const r = await withRuntime(async (rt) => resultOrFail(await reversePayment(rt.pool, await loadPaymentsSettings(), payment, cmd.data, { source: 'cli', postedBy: cliOperator(io).name, now: rt.clock.now() })));
      io.stdout.write(opts.json ? json(r) : `${r.paymentId} reverses ${payment}: ${r.amount} ${r.currency} on ${r.postedOn}${r.replayed ? ' (already recorded)' : ''}\n`);
    });
  payments
    .command('allocation')
    .description('How each payment of an account is allocated (fees, interest, principal …) and what is open per component')
    .argument('<account>', 'account id')
    .option('--json', 'print JSON')
    .action(async (accountId: string, opts: { json?: boolean }) => {
      const a = await withRuntime(async (rt) => accountAllocation(rt.pool, await loadPaymentsSettings(), accountId));
      if (!a) throw new CliFailure(`no account ${accountId}`, EXIT.notFound);
      if (opts.json) return void io.stdout.write(json(a));
      for (const p of a.payments) io.stdout.write(`${p.paymentId}\t${p.postedOn}\t${p.amount}\t${p.allocation.map((l) => `${l.target}${l.statementDate ? `@${l.statementDate}` : ''} ${l.amount}`).join(', ')}\n`);
      io.stdout.write(`open: ${Object.entries(a.open).map(([k, v]) => `${k} ${v}`).join(', ')} ${a.currency}\n`);
    });
}
