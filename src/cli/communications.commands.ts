/**
 * Commands of the communications area: `template list|show|preview|lint|publish`, `outbox
 * enqueue|list|show|dispatch|bounce|promises`, and `letters render|batch`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import type { Runtime } from '../runtime.ts';
import {
  OUTBOX_STATUSES, TEMPLATE_CHANNELS, TEMPLATE_LANGUAGES, TONES, enqueueCommandSchema, enqueueMessage, getMessage, hasErrors, lintTemplateDocument, listMessages,
  listPromiseCaptures, loadTemplateSet, parseTemplateDocument, previewTemplate, publishTemplate, recordBounce, renderLetterProof, renderPrintBatch, statusCounts,
  type OutboxStatus, type TemplateFinding, type TemplateLanguage, type Tone,
} from '../modules/communications/index.ts';
import { openCommunications, type CommunicationsRuntime } from '../workflows/communications-runtime.workflow.ts';
import { formatPlainDate } from '../kernel/dates.ts';
import { cliOperator } from './identity.commands.ts';
import { CliFailure, EXIT, json, wholeNumber, type CommandContext } from './support.ts';

const choice = (allowed: readonly string[], flag: string) => (text: string) => {
  if (!allowed.includes(text)) throw new InvalidArgumentError(`${flag} must be one of ${allowed.join(', ')}`);
  return text;
};

function failOn<T>(r: { ok: true; value: T } | { ok: false; code: string; message: string }): T {
  if (!r.ok) throw new CliFailure(r.message, r.code.endsWith('_not_found') ? EXIT.notFound : EXIT.invalid);
  return r.value;
}

async function withCommunications<T>(ctx: CommandContext, work: (rt: Runtime, comms: CommunicationsRuntime) => Promise<T>, options: { start?: boolean } = {}): Promise<T> {
  return ctx.withRuntime(async (rt) => {
    const comms = await openCommunications(rt, { consoleOut: ctx.io.stderr, log: { info: () => {}, warn: (m) => void ctx.io.stderr.write(`${m}\n`) } });
    try {
      if (options.start) await comms.start();
      return await work(rt, comms);
    } finally {
      await comms.close();
    }
  });
}

async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new CliFailure(`cannot read ${file}: no such file`, EXIT.invalid);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CliFailure(`${file}: not JSON (${(e as Error).message})`, EXIT.invalid);
  }
}

const findingLine = (file: string, f: TemplateFinding) => `${file}: ${f.path}: ${f.severity}: ${f.code}${f.ruleId ? ` (${f.ruleId})` : ''}: ${f.message.en} / ${f.message.zh}\n`;

export function registerCommunicationsCommands(program: Command, ctx: CommandContext): void {
  registerTemplate(program, ctx);
  registerOutbox(program, ctx);
  registerLetters(program, ctx);
}

function registerTemplate(program: Command, ctx: CommandContext): void {
  const { io } = ctx;
  const template = program.command('template').description('Message templates: catalog, preview with real data, lint, publish');
  template
    .command('list')
    .description('Every template (shipped and published), latest version')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const catalog = await ctx.withRuntime(async (rt) => (await loadTemplateSet(rt.pool)).catalog());
      if (o.json) io.stdout.write(json(catalog));
      else for (const t of catalog) io.stdout.write(`${t.id.padEnd(28)} v${t.version}  ${t.channel.padEnd(11)} ${t.language.padEnd(5)} ${t.tone.padEnd(7)} ${t.purpose}${t.party !== 'debtor' ? ` (${t.party})` : ''}\n`);
    });
  template
    .command('show')
    .description('A template document (latest version, or --version)')
    .argument('<id>', 'template id')
    .option('--version <n>', 'a version', wholeNumber(1, 1_000_000))
    .action(async (id: string, o: { version?: number }) => {
      const doc = await ctx.withRuntime(async (rt) => failOn((await loadTemplateSet(rt.pool)).get(id, ctx.today(rt), o.version)));
      io.stdout.write(json(doc));
    });
  template
    .command('preview')
    .description('Render a template with an account\'s real data (its counterpart in --lang / --tone)')
    .argument('<id>', 'template id')
    .requiredOption('--account <id>', 'the card account')
    .option('--lang <language>', `${TEMPLATE_LANGUAGES.join(' or ')} (default: the customer's)`, choice(TEMPLATE_LANGUAGES, '--lang'))
    .option('--tone <tone>', TONES.join(', '), choice(TONES, '--tone'))
    .option('--json', 'print JSON (rendered parts and compliance findings)')
    .action(async (id: string, o: { account: string; lang?: TemplateLanguage; tone?: Tone; json?: boolean }) => {
      const preview = await withCommunications(ctx, async (rt, comms) => failOn(await previewTemplate(
        { pool: rt.pool, packs: comms.packs, packId: comms.packId, data: comms.data, bank: comms.bankFacts }, id, o.account,
        { ...(o.lang ? { language: o.lang } : {}), ...(o.tone ? { tone: o.tone } : {}) }, ctx.today(rt), rt.clock.now().getTime())));
      if (o.json) {
        io.stdout.write(json(preview));
        return;
      }
      const r = preview.rendered;
      io.stdout.write(`${preview.template.id} v${preview.template.version} (${r.channel}, ${r.language}, ${preview.template.tone}) for ${preview.accountId}\n\n`);
      if (r.subject) io.stdout.write(`Subject: ${r.subject}\n\n`);
      if (r.title) io.stdout.write(`${r.title}\n\n`);
      io.stdout.write(`${r.text}\n`);
      for (const s of r.sections) io.stdout.write(`\n${s.heading ? `${s.heading}\n` : ''}${s.text}\n`);
      if (r.closing) io.stdout.write(`\n${r.closing}\n`);
      if (r.slots.seal) io.stdout.write(`\n${r.slots.seal}\n`);
      if (Object.keys(r.keys).length) io.stdout.write(`\nkeys: ${Object.entries(r.keys).map(([k, a]) => `${k}=${a}`).join(', ')}\n`);
      for (const f of preview.findings) io.stdout.write(`compliance: ${f.code} (${f.ruleId}): ${f.message.en}\n`);
    });
  template
    .command('lint')
    .description('Lint a template file (shape, variables, sender identity, verification, the compliance pack\'s content rules)')
    .argument('<file>', 'template JSON')
    .option('--json', 'print the findings as JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      const doc = parseTemplateDocument(await readJsonFile(file));
      if (!doc.ok) {
        for (const i of doc.issues) io.stderr.write(`${file}: ${i.field}: ${i.message}\n`);
        throw new CliFailure(`${file}: not a template document`, EXIT.invalid);
      }
      const findings = await withCommunications(ctx, async (rt, comms) => lintTemplateDocument(doc.value, comms.packs, comms.packId, rt.clock.now().getTime()));
      if (o.json) io.stdout.write(json({ ok: !hasErrors(findings), findings }));
      else {
        for (const f of findings) io.stdout.write(findingLine(file, f));
        io.stdout.write(hasErrors(findings) ? `${file}: not publishable\n` : `${file}: publishable${findings.length ? ' (with warnings)' : ''}\n`);
      }
      if (hasErrors(findings)) ctx.setExit(EXIT.invalid);
    });
  template
    .command('publish')
    .description('Publish a new template version (refused while the lint finds an error)')
    .argument('<file>', 'template JSON')
    .option('--json', 'print JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      const input = await readJsonFile(file);
      const by = cliOperator(io).name;
      const r = await withCommunications(ctx, async (rt, comms) => publishTemplate({ pool: rt.pool, packs: comms.packs, packId: comms.packId }, input, by, rt.clock.now().getTime()));
      if (!r.ok) {
        const findings = (r.details as { findings?: TemplateFinding[] } | undefined)?.findings ?? [];
        for (const f of findings) io.stderr.write(findingLine(file, f));
        throw new CliFailure(`${file}: ${r.message}`, EXIT.invalid);
      }
      io.stdout.write(o.json ? json({ id: r.value.template.id, version: r.value.template.version, findings: r.value.findings }) : `published ${r.value.template.id} v${r.value.template.version}${r.value.findings.length ? ` (${r.value.findings.length} warning(s))` : ''}\n`);
    });
}

function registerOutbox(program: Command, ctx: CommandContext): void {
  const { io } = ctx;
  const outbox = program.command('outbox').description('The outbox: enqueue, list, dispatch');
  outbox
    .command('enqueue')
    .description('Enqueue a message for an account (the dispatcher sends it, re-checking compliance)')
    .requiredOption('--account <id>', 'the card account')
    .requiredOption('--template <id>', 'template id')
    .requiredOption('--key <key>', 'idempotency key (same key, same message)')
    .option('--channel <channel>', 'the template\'s channel (default: read from the template)')
    .option('--lang <language>', TEMPLATE_LANGUAGES.join(' or '))
    .option('--tone <tone>', TONES.join(', '))
    .option('--to <ref>', 'a contact point such as phone:1 (default: the best at send time)')
    .option('--party <party>', 'debtor, guarantor or contact')
    .option('--not-before <instant>', 'ISO instant')
    .option('--deadline <text>', 'the deadline the message states')
    .option('--collector <name>', 'collector or agency name')
    .option('--json', 'print JSON')
    .action(async (o: { account: string; template: string; key: string; channel?: string; lang?: string; tone?: string; to?: string; party?: string; notBefore?: string; deadline?: string; collector?: string; json?: boolean }) => {
      const r = await withCommunications(ctx, async (rt, comms) => {
        const templates = await comms.templates();
        const channel = o.channel ?? (templates.versions(o.template)[0]?.channel ?? 'sms');
        const parsed = enqueueCommandSchema.safeParse({
          idempotencyKey: o.key, accountId: o.account, channel, templateId: o.template, language: o.lang, tone: o.tone, partyRole: o.party, destinationRef: o.to, notBefore: o.notBefore,
          variables: o.deadline || o.collector ? { ...(o.deadline ? { deadline: o.deadline } : {}), ...(o.collector ? { collectorName: o.collector } : {}) } : undefined,
        });
        if (!parsed.success) throw new CliFailure(`outbox enqueue: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, EXIT.invalid);
        return failOn(await enqueueMessage({ pool: rt.pool, data: comms.data, templates }, parsed.data, { origin: 'cli', requestedBy: cliOperator(io).name }, rt.clock.now().getTime(), ctx.today(rt)));
      });
      io.stdout.write(o.json ? json(r) : `${r.replayed ? 'already enqueued' : 'enqueued'}: message ${r.messageId}\n`);
    });
  outbox
    .command('list')
    .description('Messages, newest first')
    .option('--status <status>', OUTBOX_STATUSES.join(', '), choice(OUTBOX_STATUSES, '--status'))
    .option('--channel <channel>', TEMPLATE_CHANNELS.join(', '), choice(TEMPLATE_CHANNELS, '--channel'))
    .option('--account <id>', 'one account')
    .option('--limit <n>', 'at most this many (default 50)', wholeNumber(1, 1_000), 50)
    .option('--json', 'print JSON')
    .action(async (o: { status?: OutboxStatus; channel?: string; account?: string; limit: number; json?: boolean }) => {
      const { rows, counts } = await ctx.withRuntime(async (rt) => ({
        rows: await listMessages(rt.pool, { ...(o.status ? { status: o.status } : {}), ...(o.channel ? { channel: o.channel } : {}), ...(o.account ? { accountId: o.account } : {}), limit: o.limit }),
        counts: await statusCounts(rt.pool),
      }));
      if (o.json) {
        io.stdout.write(json({ counts, messages: rows.map(({ rendered: _r, ...m }) => m) }));
        return;
      }
      for (const m of rows) {
        io.stdout.write(`${String(m.messageId).padStart(8)}  ${m.status.padEnd(11)} ${m.channel.padEnd(11)} ${m.templateId.padEnd(26)} ${(m.accountId ?? '-').padEnd(18)} ${(m.destinationMasked ?? '').padEnd(14)} ${m.attempts}  ${m.lastError ?? ''}\n`);
      }
      io.stdout.write(`${Object.entries(counts).map(([s, n]) => `${s} ${n}`).join(', ') || 'the outbox is empty'}\n`);
    });
  outbox
    .command('show')
    .description('One message, with what was rendered and the compliance verdict')
    .argument('<id>', 'message id', wholeNumber(1, Number.MAX_SAFE_INTEGER))
    .action(async (id: number) => {
      const m = await ctx.withRuntime((rt) => getMessage(rt.pool, id));
      if (!m) throw new CliFailure(`no message ${id}`, EXIT.notFound);
      io.stdout.write(json(m));
    });
  outbox
    .command('dispatch')
    .description('Send due messages through the configured providers (until none is due, or one round with --once)')
    .option('--once', 'one round (one batch) only')
    .option('--max-rounds <n>', 'stop after this many rounds', wholeNumber(1, 1_000_000), 10_000)
    .option('--json', 'print the summary as JSON')
    .action(async (o: { once?: boolean; maxRounds: number; json?: boolean }) => {
      const summary = await withCommunications(ctx, async (_rt, comms) => {
        const s = o.once ? await comms.dispatcher.dispatchOnce() : await comms.dispatcher.drain(o.maxRounds);
        // Let providers deliver what they report back (receipts, call outcomes) before closing.
        return s;
      }, { start: true });
      io.stdout.write(o.json ? json(summary) : `claimed ${summary.claimed}: sent ${summary.sent}, deferred ${summary.deferred}, blocked ${summary.blocked}, retrying ${summary.retrying}, dead ${summary.dead}, in doubt ${summary.inDoubt}, cancelled ${summary.cancelled}${summary.recovered ? `; recovered ${summary.recovered} from a stopped dispatcher` : ''}\n`);
    });
  outbox
    .command('bounce')
    .description('Record a bounce reported after the relay accepted an e-mail (a DSN to the VERP address)')
    .argument('<id>', 'message id', wholeNumber(1, Number.MAX_SAFE_INTEGER))
    .option('--reason <text>', 'the DSN status or diagnostic')
    .action(async (id: number, o: { reason?: string }) => {
      await withCommunications(ctx, async (_rt, comms) => failOn(await recordBounce(comms.inbound, { messageId: id, reason: o.reason ?? null })));
      io.stdout.write(`bounce recorded for message ${id}\n`);
    });
  outbox
    .command('promises')
    .description('Promises to pay captured by robot calls (key 1), for the arrangements module')
    .option('--status <status>', 'new, taken or all', choice(['new', 'taken', 'all'], '--status'), 'new')
    .option('--json', 'print JSON')
    .action(async (o: { status: 'new' | 'taken' | 'all'; json?: boolean }) => {
      const rows = await ctx.withRuntime((rt) => listPromiseCaptures(rt.pool, o.status));
      if (o.json) io.stdout.write(json(rows));
      else for (const c of rows) io.stdout.write(`${c.captureId}  ${c.status.padEnd(6)} message ${c.messageId}  ${c.customerId}  ${c.accountId ?? '-'}  key ${c.keyPressed}  ${c.capturedAt}\n`);
    });
}

function registerLetters(program: Command, ctx: CommandContext): void {
  const { io } = ctx;
  const letters = program.command('letters').description('Letters as PDF: a proof for one account, the daily print file');
  letters
    .command('render')
    .description('Render one account\'s letter as a PDF proof (not sent, not recorded)')
    .requiredOption('--account <id>', 'the card account')
    .requiredOption('--template <id>', 'a letter template, e.g. cn-collection-letter')
    .requiredOption('--out <file>', 'the PDF to write')
    .option('--lang <language>', TEMPLATE_LANGUAGES.join(' or '), choice(TEMPLATE_LANGUAGES, '--lang'))
    .action(async (o: { account: string; template: string; out: string; lang?: TemplateLanguage }) => {
      const r = await withCommunications(ctx, async (rt, comms) => failOn(await renderLetterProof(
        { pool: rt.pool, packs: comms.packs, packId: comms.packId, data: comms.data, bank: comms.bankFacts }, o.template, o.account, o.lang ? { language: o.lang } : {}, ctx.today(rt), rt.clock.now().getTime())));
      await writeFile(o.out, r.pdf);
      io.stdout.write(`wrote ${o.out} (${r.pdf.length} bytes, ${r.rendered.templateId} v${r.rendered.version}, ${r.rendered.language})\n`);
    });
  letters
    .command('batch')
    .description('Render the letters the dispatcher put into a day\'s print batch into one print file')
    .option('--date <date>', 'the batch date YYYY-MM-DD (default: today)')
    .requiredOption('--out <file>', 'the PDF to write')
    .option('--json', 'print JSON')
    .action(async (o: { date?: string; out: string; json?: boolean }) => {
      const by = cliOperator(io).name;
      const r = await withCommunications(ctx, async (rt, comms) => failOn(await renderPrintBatch(rt.pool, comms.bankFacts, o.date ?? formatPlainDate(ctx.today(rt)), by, rt.clock.now().getTime())));
      await writeFile(o.out, r.pdf);
      io.stdout.write(o.json ? json({ file: o.out, letters: r.letters, sha256: r.sha256, bytes: r.pdf.length }) : `wrote ${o.out}: ${r.letters} letter(s), sha256 ${r.sha256}\n`);
    });
}
