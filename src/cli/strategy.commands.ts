/**
 * Commands of the strategy area: `strategy validate|publish|list|show|diff|explain|report|mark|recommendations`,
 * the daily `cycle`, and the arrangement core the cycle needs (`promise record`, `plan record`,
 * `arrangements show`).
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { formatPlainDate, type EpochDay } from '../kernel/dates.ts';
import { formatAmount } from '../kernel/money.ts';
import type { Runtime } from '../runtime.ts';
import {
  accountArrangements, loadDefaultArrangementSettings, recordPlan, recordPlanSchema, recordPromise, recordPromiseSchema,
} from '../modules/arrangements/index.ts';
import {
  DELINQUENCY_REASONS, diffStrategy, getStrategy, issueText, listRecommendations, listStrategies, markAccount, parseStrategyText, publishStrategy,
  strategyInEffect, validateStrategyDocument, type MarkerChange, type StrategyIssue,
} from '../modules/strategy/index.ts';
import { issuePaths } from '../modules/compliance/index.ts';
import { loadCycleDeps, prepareCycleDay, runDailyCycle, CYCLE_BATCH_DEFAULT, CYCLE_BATCH_MAX, type CycleDeps, type CycleSummary } from '../workflows/daily-cycle.workflow.ts';
import { explainAccount, type Explanation } from '../workflows/strategy-explain.workflow.ts';
import { strategyReport } from '../workflows/strategy-report.workflow.ts';
import { mergeCycleSummaries, formatCycleSummary } from '../workflows/cycle-summary.ts';
import { CliFailure, EXIT, json, plainDate, wholeNumber, type CommandContext } from './support.ts';

const BIN = fileURLToPath(new URL('../../bin/recourse.js', import.meta.url));

async function depsOf(rt: Runtime): Promise<CycleDeps> {
  const deps = await loadCycleDeps(rt);
  if (!deps.ok) throw new CliFailure(deps.message, EXIT.invalid);
  return deps.value;
}

const operator = (ctx: CommandContext) => ctx.io.env.RECOURSE_OPERATOR || ctx.io.env.USER || 'cli';

function failOn<T>(r: { ok: true; value: T } | { ok: false; code: string; message: string }): T {
  if (!r.ok) throw new CliFailure(r.message, r.code.endsWith('_not_found') ? EXIT.notFound : EXIT.invalid);
  return r.value;
}

function shardOf(text: string): { index: number; count: number } {
  const m = /^(\d{1,4})\/(\d{1,4})$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count) throw new InvalidArgumentError('must be i/N with 0 ≤ i < N, e.g. 0/3');
  return { index, count };
}

/** Reads a strategy file; on problems prints `file:line: path: message` and exits 2. */
async function readStrategyFile(ctx: CommandContext, file: string, rt: Runtime, jsonOut: boolean) {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new CliFailure(`cannot read ${file}: no such file`, EXIT.invalid);
  }
  const parsed = parseStrategyText(text);
  const deps = await depsOf(rt);
  const valid = parsed.ok ? validateStrategyDocument(parsed.value.value, deps.strategyContext, parsed.value) : parsed;
  if (valid.ok) return { doc: valid.value, source: parsed.ok ? parsed.value : undefined, deps };
  const issues = (valid.details ?? []) as StrategyIssue[];
  if (jsonOut) ctx.io.stdout.write(json({ valid: false, file, issues }));
  for (const i of issues) ctx.io.stderr.write(`${file}:${i.line ?? 1}: ${i.path}: ${i.message} (${i.code})\n`);
  ctx.io.stderr.write(`${file}: ${issues.length} problem(s); nothing was ${'published'}\n`);
  ctx.setExit(EXIT.invalid);
  return null;
}

export function registerStrategyCommands(program: Command, ctx: CommandContext): void {
  const { io, withRuntime, today } = ctx;
  const strategy = program.command('strategy').description('Collection strategies: validate, publish, list, diff, explain a decision, champion/challenger report');

  strategy.command('validate').description('Validate a strategy file (shape, semantics, cross-policy) without publishing it')
    .argument('<file>', 'strategy document (JSON or YAML)').option('--json', 'print JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      await withRuntime(async (rt) => {
        const read = await readStrategyFile(ctx, file, rt, Boolean(o.json));
        if (!read) return;
        if (o.json) io.stdout.write(json({ valid: true, file, id: read.doc.id, version: read.doc.version }));
        else io.stdout.write(`${file}: valid (${read.doc.id} version ${read.doc.version}, ${read.doc.segments.length} segments, ${read.doc.ladders.length} ladders, ${read.doc.variants.length} variants)\n`);
      });
    });

  strategy.command('publish').description('Validate and publish a strategy file as a new version (immutable)')
    .argument('<file>', 'strategy document (JSON or YAML)').option('--by <user>', 'who publishes (default: the OS user)').option('--json', 'print JSON')
    .action(async (file: string, o: { by?: string; json?: boolean }) => {
      await withRuntime(async (rt) => {
        const read = await readStrategyFile(ctx, file, rt, Boolean(o.json));
        if (!read) return;
        const published = failOn(await publishStrategy(rt.pool, read.doc, read.deps.strategyContext, o.by ?? operator(ctx), read.source));
        if (o.json) io.stdout.write(json(published));
        else io.stdout.write(`${published.replayed ? 'already published' : 'published'}: ${published.strategyId} version ${published.version} (digest ${published.digest.slice(0, 12)})\n`);
      });
    });

  strategy.command('list').description('Published strategy versions, and which one is in effect today').option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      await withRuntime(async (rt) => {
        const versions = await listStrategies(rt.pool);
        const deps = await depsOf(rt);
        const active = await strategyInEffect(rt.pool, formatPlainDate(today(rt)), deps.strategyContext);
        const inEffect = active.ok ? { id: active.value.strategy.id, version: active.value.strategy.version, source: active.value.source } : null;
        if (o.json) return void io.stdout.write(json({ inEffect, versions }));
        io.stdout.write(`in effect today: ${inEffect ? `${inEffect.id} v${inEffect.version} (${inEffect.source})` : active.ok ? '' : active.message}\n`);
        for (const v of versions) io.stdout.write(`  ${v.strategyId} v${v.version}  effective ${v.effectiveFrom}  published ${v.publishedAt.toISOString()} by ${v.publishedBy}  ${v.digest.slice(0, 12)}\n`);
        if (versions.length === 0) io.stdout.write('  (no published versions: the shipped policies/strategy/default.json is used)\n');
      });
    });

  strategy.command('show').description('Print a published strategy document').argument('<id>', 'strategy id')
    .option('--version <n>', 'version (default: latest)', wholeNumber(1, 1_000_000)).option('--json', 'print the stored record as JSON (default: the document)')
    .action(async (id: string, o: { version?: number; json?: boolean }) => {
      const found = failOn(await withRuntime((rt) => getStrategy(rt.pool, id, o.version ?? null)));
      io.stdout.write(json(o.json ? found : found.document));
    });

  strategy.command('diff').description('What a strategy file changes against the published version of its id')
    .argument('<file>', 'strategy document (JSON or YAML)').option('--against <n>', 'published version to compare with (default: latest)', wholeNumber(1, 1_000_000)).option('--json', 'print JSON')
    .action(async (file: string, o: { against?: number; json?: boolean }) => {
      await withRuntime(async (rt) => {
        const read = await readStrategyFile(ctx, file, rt, Boolean(o.json));
        if (!read) return;
        const d = failOn(await diffStrategy(rt.pool, read.doc, o.against ?? null));
        if (o.json) return void io.stdout.write(json(d));
        io.stdout.write(`${file} against ${d.from ? `${d.from.id} v${d.from.version}` : 'nothing published'}: ${d.changes.length} change(s)\n`);
        const show = (v: unknown) => JSON.stringify(v)?.slice(0, 120);
        for (const c of d.changes) {
          io.stdout.write(c.kind === 'changed' ? `~ ${c.path}: ${show(c.from)} → ${show(c.to)}\n` : c.kind === 'added' ? `+ ${c.path}: ${show(c.to)}\n` : c.kind === 'removed' ? `- ${c.path}\n` : `↕ ${c.path}: position ${c.from} → ${c.to}\n`);
        }
      });
    });

  strategy.command('explain').description("Explain the strategy's decision for an account on a date: facts, conditions with observed values, stage, treatments, compliance verdicts")
    .argument('<account>', 'account id').option('--as-of <date>', 'business date (default: today)', plainDate('--as-of')).option('--json', 'print JSON')
    .action(async (accountId: string, o: { asOf?: EpochDay; json?: boolean }) => {
      const explained = failOn(await withRuntime(async (rt) => explainAccount(await depsOf(rt), accountId, o.asOf ?? today(rt))));
      if (o.json) return void io.stdout.write(json(explained));
      io.stdout.write(formatExplanation(explained));
    });

  strategy.command('report').description('Champion/challenger: per variant, cure rate, amount collected, contacts and cost, complaints, compliance blocks')
    .requiredOption('--from <date>', 'first day', plainDate('--from')).requiredOption('--to <date>', 'last day', plainDate('--to')).option('--json', 'print JSON')
    .action(async (o: { from: EpochDay; to: EpochDay; json?: boolean }) => {
      if (o.from > o.to) throw new CliFailure('--from is after --to', EXIT.invalid);
      const report = await withRuntime(async (rt) => {
        const active = failOn(await strategyInEffect(rt.pool, formatPlainDate(o.to), (await depsOf(rt)).strategyContext));
        return strategyReport(rt.pool, active.strategy, o.from, o.to);
      });
      if (o.json) return void io.stdout.write(json(report));
      io.stdout.write(`${report.strategy.id} v${report.strategy.version}, ${report.from} to ${report.to}\n`);
      io.stdout.write(`  ${'variant'.padEnd(16)} ${'share'.padStart(5)} ${'accounts'.padStart(9)} ${'cured'.padStart(7)} ${'rate'.padStart(7)} ${'contacts'.padStart(9)} ${`cost ${report.costCurrency ?? ''}`.padStart(12)} ${'complaints'.padStart(10)} ${'blocks'.padStart(7)}  collected\n`);
      for (const v of report.variants) {
        io.stdout.write(`  ${v.variant.padEnd(16)} ${`${v.percent ?? '-'}%`.padStart(5)} ${String(v.accounts).padStart(9)} ${String(v.cured).padStart(7)} ${`${(v.cureRate * 100).toFixed(1)}%`.padStart(7)} ${String(v.contactsTotal).padStart(9)} ${String(v.contactCost ?? '-').padStart(12)} ${String(v.complaints).padStart(10)} ${String(v.complianceBlocks).padStart(7)}  ${Object.entries(v.collected).map(([c, a]) => `${a} ${c}`).join(', ') || '0'}\n`);
      }
    });

  strategy.command('mark').description('Record what a collector learnt about an account: delinquency reason, suspected evasion, risk score')
    .argument('<account>', 'account id')
    .option('--reason <reason>', `delinquency reason: ${DELINQUENCY_REASONS.join(', ')} (or "none")`)
    .option('--suspected-evasion', 'mark deliberate evasion').option('--no-suspected-evasion', 'clear the evasion mark')
    .option('--risk-score <n>', "the bank's risk score (a number, or \"none\")").option('--note <text>', 'why').option('--by <user>', 'who records it')
    .option('--json', 'print JSON')
    .action(async (accountId: string, o: { reason?: string; suspectedEvasion?: boolean; riskScore?: string; note?: string; by?: string; json?: boolean }, cmd: Command) => {
      const change: MarkerChange = {};
      if (o.reason !== undefined) {
        if (o.reason !== 'none' && !(DELINQUENCY_REASONS as readonly string[]).includes(o.reason)) throw new CliFailure(`--reason must be one of ${DELINQUENCY_REASONS.join(', ')} or none`, EXIT.invalid);
        change.delinquencyReason = o.reason === 'none' ? null : o.reason;
      }
      if (cmd.getOptionValueSource('suspectedEvasion') === 'cli') change.suspectedEvasion = Boolean(o.suspectedEvasion);
      if (o.riskScore !== undefined) {
        const n = Number(o.riskScore);
        if (o.riskScore !== 'none' && (!Number.isFinite(n) || Math.abs(n) >= 1e6)) throw new CliFailure('--risk-score must be a number below 1,000,000 or none', EXIT.invalid);
        change.riskScore = o.riskScore === 'none' ? null : n;
      }
      if (Object.keys(change).length === 0) throw new CliFailure('nothing to record: give --reason, --suspected-evasion / --no-suspected-evasion or --risk-score', EXIT.invalid);
      failOn(await withRuntime((rt) => markAccount(rt.pool, accountId, change, o.by ?? operator(ctx), o.note ?? null)));
      io.stdout.write(o.json ? json({ accountId, ...change }) : `${accountId}: recorded ${Object.entries(change).map(([k, v]) => `${k} = ${v}`).join(', ')}\n`);
    });

  strategy.command('recommendations').description('Placement proposals (agency, legal) and account-action requests (freeze, restrict) awaiting approval')
    .option('--status <s>', 'proposed, approved, rejected or withdrawn (default: proposed)', 'proposed').option('--account <id>', 'one account')
    .option('--limit <n>', 'at most this many', wholeNumber(1, 10_000), 1000).option('--json', 'print JSON')
    .action(async (o: { status: string; account?: string; limit: number; json?: boolean }) => {
      const list = await withRuntime((rt) => listRecommendations(rt.pool, { status: o.status, ...(o.account ? { accountId: o.account } : {}), limit: o.limit }));
      if (o.json) return void io.stdout.write(json({ recommendations: list }));
      for (const r of list) io.stdout.write(`${r.proposedOn}  ${r.kind === 'placement' ? 'placement' : 'account  '} #${r.id}  ${r.accountId}  ${r.what.padEnd(18)} ${r.status}  ${r.strategy.id ?? ''} v${r.strategy.version ?? ''} ${r.strategy.variant ?? ''} ${r.stage ?? ''}\n`);
      if (list.length === 0) io.stdout.write(`no ${o.status} recommendations\n`);
    });

  registerCycle(program, ctx);
  registerArrangements(program, ctx);
}

function registerCycle(program: Command, ctx: CommandContext): void {
  const { io, withRuntime, today, setExit } = ctx;
  program.command('cycle').description('The daily collection cycle: age → promises and plans → segment → decide → compliance gate → outbox, work items, proposals')
    .option('--as-of <date>', 'business date (default: today in RECOURSE_TIME_ZONE)', plainDate('--as-of'))
    .option('--shard <i/N>', 'only the accounts of shard i of N (by hash of the customer id)', shardOf)
    .option('--workers <n>', 'run N shard processes in parallel and merge their summaries', wholeNumber(1, 64))
    .option('--batch-size <n>', `accounts per batch (default ${CYCLE_BATCH_DEFAULT}, at most ${CYCLE_BATCH_MAX})`, wholeNumber(1, CYCLE_BATCH_MAX))
    .option('--json', 'print the summary as JSON')
    .action(async (o: { asOf?: EpochDay; shard?: { index: number; count: number }; workers?: number; batchSize?: number; json?: boolean }) => {
      if (o.shard && o.workers) throw new CliFailure('--shard and --workers exclude each other', EXIT.invalid);
      const summary = await withRuntime(async (rt) => {
        const deps = await depsOf(rt);
        const asOf = o.asOf ?? today(rt);
        if (o.workers && o.workers > 1) {
          // Shared steps once, here; then each child decides its shard (it finds the date prepared).
          failOn(await prepareCycleDay(deps, asOf));
          return failOn(await runWorkers(ctx, rt, asOf, o.workers, o.batchSize));
        }
        let bar: cliProgress.SingleBar | null = null;
        if (io.stderr.isTTY) {
          bar = new cliProgress.SingleBar({ format: 'cycle |{bar}| {value}/{total} accounts', stream: io.stderr as unknown as NodeJS.WritableStream }, cliProgress.Presets.shades_classic);
          const { rows } = await rt.pool.query<{ n: string }>('select count(*) as n from account_delinquency where days_past_due > 0');
          bar.start(Number(rows[0]!.n), 0);
        }
        try {
          const r = await runDailyCycle(deps, { asOf, ...(o.shard ? { shard: o.shard } : {}), ...(o.batchSize ? { batchSize: o.batchSize } : {}), ...(bar ? { onProgress: (n: number) => bar!.update(n) } : {}) });
          return failOn(r);
        } finally {
          bar?.stop();
        }
      });
      io.stdout.write(o.json ? json(summary) : formatCycleSummary(summary));
      setExit(EXIT.ok);
    });
}

/** Runs `recourse cycle --shard i/N --json` as N child processes on the same database and merges their summaries. */
async function runWorkers(ctx: CommandContext, rt: Runtime, asOf: EpochDay, workers: number, batchSize: number | undefined) {
  const url = rt.pool.options.connectionString;
  if (!url) throw new CliFailure('--workers needs a database URL to hand to the workers', EXIT.internal);
  const runs = Array.from({ length: workers }, (_, i) => new Promise<{ code: number; out: string; err: string }>((resolve, reject) => {
    // The young generation the cycle is measured with (bench/, `npm start`): batches live across a few scavenges.
    const args = ['--max-semi-space-size=128', BIN, 'cycle', '--as-of', formatPlainDate(asOf), '--shard', `${i}/${workers}`, '--json', ...(batchSize ? ['--batch-size', String(batchSize)] : [])];
    const child = spawn(process.execPath, args, { env: { ...process.env, ...ctx.io.env, DATABASE_URL: url }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? 1, out, err }));
  }));
  const results = await Promise.all(runs);
  const failed = results.map((r, i) => ({ ...r, i })).filter((r) => r.code !== 0);
  if (failed.length) return { ok: false as const, code: 'worker_failed', message: failed.map((f) => `worker ${f.i}/${workers} exited ${f.code}: ${f.err.trim().slice(0, 500)}`).join('\n') };
  return { ok: true as const, value: mergeCycleSummaries(results.map((r) => JSON.parse(r.out) as CycleSummary)) };
}

function formatExplanation(e: Explanation): string {
  const lines: string[] = [];
  const show = (v: unknown) => (v === null ? 'null' : typeof v === 'string' ? v : JSON.stringify(v));
  lines.push(`${e.accountId} as of ${e.asOf}: strategy ${e.strategy.id} v${e.strategy.version} (${e.strategy.source}), variant ${e.variant.id} (point ${e.variant.point})`);
  lines.push(`  status ${e.status}${e.exit ? ` (${e.exit})` : ''}, segment ${e.segment ?? '-'}, ladder ${e.ladder ?? '-'}, stage ${e.stage ?? '-'}`);
  lines.push('  facts:');
  for (const [k, v] of Object.entries(e.facts)) lines.push(`    ${k.padEnd(24)} ${show(v)}`);
  const tree = (node: import('../modules/strategy/index.ts').Explained, depth: number): void => {
    const pad = '    '.repeat(depth);
    const mark = node.held ? '✓' : '✗';
    if (node.kind === 'leaf') lines.push(`${pad}${mark} ${node.fact} ${node.op} ${show(node.expected)}  (observed ${show(node.observed)})`);
    else if (node.kind === 'not') {
      lines.push(`${pad}${mark} not`);
      tree(node.child, depth + 1);
    } else {
      lines.push(`${pad}${mark} ${node.kind}`);
      for (const c of node.children) tree(c, depth + 1);
    }
  };
  lines.push('  segments (in priority order):');
  for (const s of e.segments) {
    lines.push(`    ${s.matched ? '→' : ' '} ${s.segment} (priority ${s.priority ?? '-'}) ${s.matched ? 'matched' : 'did not match'}${s.condition ? '' : ' (no conditions)'}`);
    if (s.condition) tree(s.condition, 3);
  }
  if (e.stages.length) lines.push('  stage entries checked:');
  for (const s of e.stages) {
    lines.push(`    ${s.held ? '→' : ' '} ${s.stage} ${s.held ? 'entered' : 'not entered'} (stage left: ${s.factsOfStage.stageDays} days, ${s.factsOfStage.stageTreatments} treatments, paid ${s.factsOfStage.paidInStage})`);
    if (s.entry) tree(s.entry, 3);
  }
  if (e.treatments.length) lines.push('  treatments of the stage:');
  for (const t of e.treatments) {
    lines.push(`    ${t.due ? '●' : '○'} ${t.treatment} ${t.due ? 'due' : 'not due'}: ${t.checks.map((c) => `${c.check} ${c.held ? '✓' : '✗'} (${show(c.observed)} / ${show(c.expected)})`).join(', ')}`);
    if (t.when) tree(t.when, 3);
  }
  lines.push(e.actions.length ? '  actions:' : '  actions: none today');
  for (const a of e.actions) {
    const v = a.verdict;
    lines.push(`    ${a.treatment} (${a.channel}${a.templateId ? `, ${a.templateId}` : ''}${a.destinationRef ? ` to ${a.destinationRef}` : ''}${a.plannedAt ? ` at ${a.plannedAt}` : ''}): ${a.outcome}`);
    if (v) lines.push(`      compliance ${v.decision}${v.until ? ` until ${v.until}` : ''} (${v.auditRef ?? 'not recorded'})${v.rules.length ? ': ' + v.rules.map((r) => `${r.ruleId} ${r.code}`).join(', ') : ''}`);
  }
  return lines.join('\n') + '\n';
}

function registerArrangements(program: Command, ctx: CommandContext): void {
  const { io, withRuntime, today } = ctx;
  const validated = <S extends { safeParse(v: unknown): { success: true; data: unknown } | { success: false; error: import('zod').ZodError } }>(schema: S, value: unknown, what: string) => {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    throw new CliFailure(`${what}: ` + issuePaths(parsed.error).map((p) => `${p.field.replace(/^\$\.?/, '') || 'input'}: ${p.message}`).join('; '), EXIT.invalid);
  };
  const promise = program.command('promise').description('Promises to pay');
  promise.command('record').description('Record a promise to pay (idempotent with --idempotency-key)')
    .requiredOption('--account <id>', 'account id').requiredOption('--amount <decimal>', 'amount promised, e.g. 1500.00').requiredOption('--promised-on <date>', 'the date promised')
    .option('--on <date>', 'the business date the promise was made (default: today)').option('--channel <channel>', 'how: voice_agent, voice_robot, field_visit, sms, email, letter, app_push, portal, branch')
    .option('--note <text>', 'note').option('--by <user>', 'who records it').option('--idempotency-key <key>', 'same key and input → the original promise').option('--json', 'print JSON')
    .action(async (o: { account: string; amount: string; promisedOn: string; on?: string; channel?: string; note?: string; by?: string; idempotencyKey?: string; json?: boolean }) => {
      const cmd = validated(recordPromiseSchema, {
        accountId: o.account, amount: o.amount, promisedOn: o.promisedOn, createdOn: o.on, channel: o.channel, note: o.note, recordedBy: o.by ?? operator(ctx), idempotencyKey: o.idempotencyKey,
      }, 'promise record') as Parameters<typeof recordPromise>[2];
      const r = failOn(await withRuntime(async (rt) => recordPromise(rt.pool, await loadDefaultArrangementSettings(), cmd, today(rt))));
      io.stdout.write(o.json ? json(r) : `promise #${r.promiseId} ${r.replayed ? 'already recorded' : 'recorded'}: ${o.amount} on ${o.account} by ${o.promisedOn}\n`);
    });
  const plan = program.command('plan').description('Repayment plans');
  plan.command('record').description('Record an instalment plan: the total in equal instalments (the remainder on the last), every N months')
    .requiredOption('--account <id>', 'account id').requiredOption('--total <decimal>', 'total the plan repays').requiredOption('--instalments <n>', 'number of instalments', wholeNumber(1, 600))
    .requiredOption('--first-due <date>', 'due date of the first instalment').option('--every-months <n>', 'months between instalments (default 1)', wholeNumber(1, 12))
    .option('--on <date>', 'the business date the plan starts (default: today)').option('--interest-reduction <percent>', 'interest reduction granted, in percent')
    .option('--note <text>', 'note').option('--by <user>', 'who records it').option('--idempotency-key <key>', 'same key and input → the original plan').option('--json', 'print JSON')
    .action(async (o: { account: string; total: string; instalments: number; firstDue: string; everyMonths?: number; on?: string; interestReduction?: string; note?: string; by?: string; idempotencyKey?: string; json?: boolean }) => {
      const reduction = o.interestReduction === undefined ? undefined : Number(o.interestReduction);
      const cmd = validated(recordPlanSchema, {
        accountId: o.account, total: o.total, instalments: o.instalments, firstDueOn: o.firstDue, everyMonths: o.everyMonths, startsOn: o.on,
        interestReductionPercent: reduction, note: o.note, recordedBy: o.by ?? operator(ctx), idempotencyKey: o.idempotencyKey,
      }, 'plan record') as Parameters<typeof recordPlan>[2];
      const r = failOn(await withRuntime(async (rt) => recordPlan(rt.pool, await loadDefaultArrangementSettings(), cmd, today(rt))));
      if (o.json) return void io.stdout.write(json(r));
      io.stdout.write(`plan #${r.planId} ${r.replayed ? 'already recorded' : 'recorded'} on ${o.account}: ${r.instalments.length} instalments\n`);
      for (const i of r.instalments) io.stdout.write(`  ${i.seq}. ${i.dueOn}  ${i.amount} ${r.currency}\n`);
    });
  program.command('arrangements').description("An account's promises to pay and repayment plans").command('show').argument('<account>', 'account id').option('--json', 'print JSON')
    .action(async (accountId: string, o: { json?: boolean }) => {
      const listing = await withRuntime((rt) => accountArrangements(rt.pool, accountId));
      if (o.json) return void io.stdout.write(json(listing));
      for (const p of listing.promises) io.stdout.write(`promise #${p.promiseId}: ${formatAmount(p.amountMinor, p.currency)} ${p.currency} by ${p.promisedOn} (made ${p.createdOn}) ${p.status}${p.resolvedOn ? ` on ${p.resolvedOn}` : ''}\n`);
      for (const p of listing.plans) {
        io.stdout.write(`plan #${p.planId}: ${formatAmount(p.totalMinor, p.currency)} ${p.currency} from ${p.startsOn} ${p.status}${p.interestReductionPercent ? `, interest −${p.interestReductionPercent}%` : ''}\n`);
        for (const i of p.instalments) io.stdout.write(`  ${i.seq}. ${i.dueOn} ${formatAmount(i.amountMinor, p.currency)} ${i.status}\n`);
      }
      if (!listing.promises.length && !listing.plans.length) io.stdout.write(`${accountId}: no promises or plans\n`);
    });
}

export type { CycleSummary, StrategyIssue };
export { issueText };
