/**
 * Commands of the portfolio and delinquency areas: import, age, report, account, demo.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { Option, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { formatPlainDate, type EpochDay } from '../kernel/dates.ts';
import { FEED_FORMATS, formatFromName, importFeed, type FeedFormat, type ImportOutcome } from '../modules/portfolio/index.ts';
import { loadDefaultAgingPolicy } from '../modules/delinquency/index.ts';
import { ageAllAccounts, bucketReport, rollRateReport } from '../workflows/aging.workflow.ts';
import { listAccounts, showAccount } from '../workflows/account-view.workflow.ts';
import { loadDemoPortfolio } from '../workflows/demo.workflow.ts';
import { writeRejects } from '../workflows/rejects.ts';
import { limits } from '../kernel/limits.ts';
import { CliFailure, EXIT, json, plainDate, wholeNumber, type CliIo, type CommandContext } from './support.ts';

export function registerPortfolioCommands(program: Command, ctx: CommandContext): void {
  const { io, withRuntime, today, setExit } = ctx;
  program
    .command('import')
    .description('Import a bank feed (NDJSON, CSV or the UCI dataset): all or nothing, unless --skip-invalid')
    .argument('<file>', 'feed file')
    .addOption(new Option('--format <format>', 'feed format (default: csv for *.csv, else ndjson)').choices(FEED_FORMATS))
    .option('--skip-invalid', 'import the valid lines and reject the rest')
    .option('--rejects <file>', 'with --skip-invalid: write rejected lines here as NDJSON')
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, opts: { format?: FeedFormat; skipInvalid?: boolean; rejects?: string; json?: boolean }) => {
      if (opts.rejects && !opts.skipInvalid) throw new CliFailure('--rejects needs --skip-invalid', EXIT.invalid);
      const format = opts.format ?? formatFromName(file);
      const size = await stat(file).then((s) => (s.isFile() ? s.size : null), () => null);
      if (size === null) throw new CliFailure(`cannot read ${file}: no such file`, EXIT.invalid);
      const outcome = await withRuntime((rt) =>
        importFeed(rt.pool, withProgress(createReadStream(file), size, io), {
          format, source: file, skipInvalid: Boolean(opts.skipInvalid), cipher: rt.cipher, now: () => rt.clock.now(),
        }),
      );
      if (!outcome.ok) {
        printProblems(io, file, outcome);
        return setExit(EXIT.invalid);
      }
      if (opts.rejects) await writeRejects(file, format, outcome.rejects, opts.rejects);
      const { summary } = outcome;
      if (opts.json) return void io.stdout.write(json(summary));
      io.stdout.write(`imported ${file} (${format}): ${summary.lines} lines, ${summary.records} records, ${summary.rejectedLines} rejected lines in ${summary.durationMs} ms\n`);
      for (const [type, c] of Object.entries(summary.counts)) {
        io.stdout.write(`  ${type.padEnd(12)} ${c.inserted} inserted, ${c.updated} updated, ${c.unchanged} unchanged\n`);
      }
    });

  program
    .command('age')
    .description('Age every account as of a date in one bulk pass and record bucket moves as account events')
    .option('--as-of <date>', 'business date (default: today in RECOURSE_TIME_ZONE)', plainDate('--as-of'))
    .option('--json', 'print the run summary as JSON')
    .action(async (opts: { asOf?: EpochDay; json?: boolean }) => {
      const result = await withRuntime(async (rt) =>
        ageAllAccounts(rt.pool, formatPlainDate(opts.asOf ?? today(rt)), await loadDefaultAgingPolicy(), rt.clock.now()),
      );
      if (!result.ok) throw new CliFailure(result.message, EXIT.invalid);
      const s = result.value;
      if (opts.json) return void io.stdout.write(json(s));
      io.stdout.write(`aged ${s.accounts} accounts as of ${s.asOf}: ${s.changed} changed; ${s.bucketMoves.rollForward} rolled forward, ${s.bucketMoves.rollBack} rolled back, ${s.bucketMoves.cure} cured\n`);
    });

  const report = program.command('report').description('Portfolio reports');
  report
    .command('buckets')
    .description('Accounts and balance per delinquency bucket as of a date')
    .requiredOption('--as-of <date>', 'business date', plainDate('--as-of'))
    .option('--json', 'print JSON')
    .action(async (opts: { asOf: EpochDay; json?: boolean }) => {
      const r = await withRuntime(async (rt) => bucketReport(rt.pool, opts.asOf, await loadDefaultAgingPolicy()));
      if (opts.json) return void io.stdout.write(json(r));
      io.stdout.write(`buckets as of ${r.asOf}: ${r.accounts} accounts (${r.fromHostSnapshots} from host snapshots)\n`);
      for (const b of r.buckets) io.stdout.write(`  ${b.bucket.padEnd(4)} ${String(b.accounts).padStart(9)}  ${Object.entries(b.balance).map(([c, a]) => `${a} ${c}`).join(', ')}\n`);
    });
  report
    .command('roll-rates')
    .description('Matrix of accounts (and balance) moving from each bucket at --from to each bucket at --to')
    .requiredOption('--from <date>', 'first date', plainDate('--from'))
    .requiredOption('--to <date>', 'second date', plainDate('--to'))
    .option('--json', 'print JSON')
    .action(async (opts: { from: EpochDay; to: EpochDay; json?: boolean }) => {
      if (opts.to < opts.from) throw new CliFailure('--to must not be before --from', EXIT.invalid);
      const r = await withRuntime(async (rt) => rollRateReport(rt.pool, opts.from, opts.to, await loadDefaultAgingPolicy()));
      if (opts.json) return void io.stdout.write(json(r));
      io.stdout.write(`roll rates ${r.from} → ${r.to} (${r.accounts} accounts; rows: from, columns: to)\n`);
      io.stdout.write(`  ${'from'.padEnd(5)}${'n'.padStart(8)}  ${r.buckets.map((b) => b.padStart(7)).join('')}\n`);
      for (const row of r.rows) {
        io.stdout.write(`  ${row.from.padEnd(5)}${String(row.accounts).padStart(8)}  ${row.cells.map((c) => (c.rate * 100).toFixed(1).padStart(6) + '%').join('')}\n`);
      }
    });

  const account = program.command('account').description('Card accounts');
  account
    .command('list')
    .description('Account ids with bucket and balance from the last aging run, in id order')
    .option('--bucket <bucket>', 'only this bucket (e.g. M2)')
    .option('--dpd-min <days>', 'only days past due ≥ this', wholeNumber(0, 100_000))
    .option('--dpd-max <days>', 'only days past due ≤ this', wholeNumber(0, 100_000))
    .option('--limit <n>', `page size (at most ${limits.pageSizeMax})`, wholeNumber(1, limits.pageSizeMax), limits.pageSizeDefault)
    .option('--cursor <cursor>', 'continue after the page that returned this nextCursor')
    .option('--json', 'print JSON')
    .action(async (opts: { bucket?: string; dpdMin?: number; dpdMax?: number; limit: number; cursor?: string; json?: boolean }) => {
      const r = await withRuntime((rt) =>
        listAccounts(rt.pool, { bucket: opts.bucket, daysPastDueMin: opts.dpdMin, daysPastDueMax: opts.dpdMax, limit: opts.limit, cursor: opts.cursor }),
      );
      if (!r.ok) throw new CliFailure(r.message, EXIT.invalid);
      if (opts.json) return void io.stdout.write(json(r.value));
      for (const a of r.value.accounts) io.stdout.write(`${a.id}\t${a.bucket ?? '-'}\t${a.daysPastDue ?? '-'}\t${a.balance ?? '-'} ${a.currency}\n`);
      if (r.value.nextCursor) io.stdout.write(`(more: --cursor ${r.value.nextCursor})\n`);
    });
  account
    .command('show')
    .description('One account with its customer (PII masked), balances and aging as of a date')
    .argument('<id>', 'account id')
    .option('--as-of <date>', 'business date (default: today)', plainDate('--as-of'))
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { asOf?: EpochDay; json?: boolean }) => {
      const r = await withRuntime(async (rt) => showAccount(rt.pool, id, opts.asOf ?? today(rt), await loadDefaultAgingPolicy()));
      if (!r.ok) throw new CliFailure(r.message, EXIT.notFound);
      const v = r.value as { asOf: string; customer: { name: string }; bucket: string; daysPastDue: number; balances: { balance: string; overdue: string } };
      if (opts.json) return void io.stdout.write(json(r.value));
      io.stdout.write(`${id} (${v.customer.name}) as of ${v.asOf}: ${v.bucket}, ${v.daysPastDue} days past due, balance ${v.balances.balance}, overdue ${v.balances.overdue}\n`);
    });

  program
    .command('demo')
    .description('Load a synthetic portfolio (identical for the same seed and as-of date), then age it')
    .requiredOption('--accounts <n>', 'number of accounts', wholeNumber(1, 10_000_000))
    .option('--seed <s>', 'random seed', wholeNumber(0, 2 ** 31 - 1), 1)
    .option('--as-of <date>', 'the portfolio is generated up to this date (default: today)', plainDate('--as-of'))
    .option('--json', 'print the summary as JSON')
    .action(async (opts: { accounts: number; seed: number; asOf?: EpochDay; json?: boolean }) => {
      const r = await withRuntime((rt) => loadDemoPortfolio(rt, { accounts: opts.accounts, seed: opts.seed, asOf: opts.asOf ?? today(rt) }));
      if (opts.json) return void io.stdout.write(json(r));
      io.stdout.write(`demo portfolio: ${opts.accounts} accounts (seed ${opts.seed}, as of ${r.asOf}): ${r.import.records} records imported${r.aging ? `; aged, ${r.aging.changed} changed` : ''}\n`);
    });

}

function withProgress(input: Readable, size: number, io: CliIo): Readable {
  if (!io.stderr.isTTY || size < 1_000_000) return input;
  const bar = new cliProgress.SingleBar({ stream: io.stderr as NodeJS.WritableStream, format: 'importing [{bar}] {percentage}% | {value}/{total} MB', hideCursor: true }, cliProgress.Presets.shades_classic);
  bar.start(Math.ceil(size / 1e6), 0);
  let read = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      read += chunk.length;
      bar.update(Math.floor(read / 1e6));
      done(null, chunk);
    },
    flush(done) {
      bar.update(Math.ceil(size / 1e6));
      bar.stop();
      done();
    },
  });
  return input.pipe(counter);
}

function printProblems(io: CliIo, file: string, outcome: Extract<ImportOutcome, { ok: false }>): void {
  const shown = outcome.problems.slice(0, limits.importErrorsReportedMax);
  for (const p of shown) io.stderr.write(`${file}:${p.line}: ${p.field}: ${p.message}\n`);
  const more = outcome.problems.length - shown.length;
  if (more > 0) io.stderr.write(`… and ${more} more errors\n`);
  io.stderr.write(`${file}: ${outcome.problems.length} errors; nothing was imported\n`);
}

