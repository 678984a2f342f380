/**
 * Commands of the compliance area: `compliance check` (NDJSON what-if, or against the stored state),
 * `contact record`, `compliance flag|opt-out|consent|zones|reply`, and `audit verify`.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { InvalidArgumentError, type Command } from 'commander';
import type { z } from 'zod';
import type { Runtime } from '../runtime.ts';
import {
  complianceStore, CHANNEL_SELECTORS, CHANNELS, FLAGS, checkLine, checkProposedContacts, clearFlag, consentSchema, gateLineSchema, handleInboundReply, issuePaths, loadPackSet,
  optOutSchema, parseCheckLine, recordAttemptSchema, recordConsent, recordContactAttempt, recordOptOut, revokeConsent, setFlag, setFlagSchema, setTimeZones,
  toGateProposal, verdictJson, verdictLine, verifyAuditLog, type GateProposal, type PackSet, type Verdict,
} from '../modules/compliance/index.ts';
import { CliFailure, EXIT, json, wholeNumber, type CommandContext } from './support.ts';

async function packsFor(overrideFiles: readonly string[]): Promise<PackSet> {
  const r = await loadPackSet({ overrideFiles });
  if (!r.ok) throw new CliFailure(`compliance packs: ${r.message}`, EXIT.invalid);
  return r.value;
}

function validated<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new CliFailure(`${what}: ` + issuePaths(parsed.error).map((p) => `${p.field.replace(/^\$\.?/, '') || 'input'}: ${p.message}`).join('; '), EXIT.invalid);
}

function resultOrFail<T>(r: { ok: true; value: T } | { ok: false; code: string; message: string }): T {
  if (!r.ok) throw new CliFailure(r.message, r.code.endsWith('_not_found') ? EXIT.notFound : EXIT.invalid);
  return r.value;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];
const nowIso = (rt: Runtime) => rt.clock.now().toISOString();
const choice = (allowed: readonly string[], flag: string) => (text: string) => {
  if (!allowed.includes(text)) throw new InvalidArgumentError(`${flag} must be one of ${allowed.join(', ')}`);
  return text;
};

export function registerComplianceCommands(program: Command, ctx: CommandContext): void {
  const compliance = program.command('compliance').description('The compliance gate: checks, flags and holds, opt-outs, consents');
  registerCheck(compliance, ctx);
  registerState(compliance, ctx);
  registerContact(program, ctx);
  registerAudit(program, ctx);
}

type LineOutcome = { verdict: Verdict; auditRef?: string | null } | { gate: GateProposal; line: number; auditRef?: string | null };

function registerCheck(compliance: Command, ctx: CommandContext): void {
  const { io, withRuntime, setExit } = ctx;
  compliance
    .command('check')
    .description('Check proposed contacts (NDJSON): self-contained lines are what-if; lines with customerId use and record the stored state')
    .option('--pack <id>', 'compliance pack (default: RECOURSE_COMPLIANCE_PACK or cn)')
    .requiredOption('--input <file>', 'NDJSON file, one proposed contact per line')
    .option('--override <file>', 'bank override file (repeatable)', collect)
    .option('--json', 'print each full verdict (rules with messages, context) instead of the compact line')
    .action(async (opts: { pack?: string; input: string; override?: string[]; json?: boolean }) => {
      const size = await stat(opts.input).then((s) => (s.isFile() ? s.size : null), () => null);
      if (size === null) throw new CliFailure(`cannot read ${opts.input}: no such file`, EXIT.invalid);
      const outcomes: (LineOutcome | null)[] = [];
      let invalid = 0;
      let n = 0;
      const needDb: { gate: GateProposal; index: number }[] = [];
      let packs: PackSet | undefined;
      let packId = opts.pack;
      await withRuntime(async (rt) => {
        packs = await packsFor([...rt.config.complianceOverrides, ...(opts.override ?? [])]);
        packId ??= rt.config.compliancePack;
        if (!packs.ids().includes(packId)) throw new CliFailure(`--pack ${packId}: no such pack (have ${packs.ids().join(', ')})`, EXIT.invalid);
        const now = rt.clock.now().getTime();
        // Opened only now: readline starts reading at once, and lines emitted before iteration are lost.
        const lines = createInterface({ input: createReadStream(opts.input, 'utf8'), crlfDelay: Infinity });
        for await (const text of lines) {
          n++;
          if (text.trim() === '') { outcomes.push(null); continue; }
          let value: unknown;
          try {
            value = JSON.parse(text);
          } catch (e) {
            io.stderr.write(`${opts.input}:${n}: line: not JSON (${(e as Error).message})\n`);
            invalid++;
            outcomes.push(null);
            continue;
          }
          const isGate = typeof value === 'object' && value !== null && 'customerId' in value && !('debtor' in value);
          if (isGate) {
            const g = gateLineSchema.safeParse(value);
            if (!g.success) {
              for (const p of issuePaths(g.error)) io.stderr.write(`${opts.input}:${n}: ${p.field.replace(/^\$\.?/, '') || 'line'}: ${p.message}\n`);
              invalid++;
              outcomes.push(null);
              continue;
            }
            needDb.push({ gate: toGateProposal(g.data, now), index: outcomes.length });
            outcomes.push({ gate: toGateProposal(g.data, now), line: n });
            continue;
          }
          const parsed = parseCheckLine(value);
          if (!parsed.ok) {
            for (const p of parsed.details as { field: string; message: string }[]) io.stderr.write(`${opts.input}:${n}: ${p.field.replace(/^\$\.?/, '') || 'line'}: ${p.message}\n`);
            invalid++;
            outcomes.push(null);
            continue;
          }
          outcomes.push({ verdict: checkLine(packs, packId, parsed.value) });
        }
        if (needDb.length) {
          const verdicts = await checkProposedContacts({ ...complianceStore(rt.pool, rt.cipher), packs }, packId, needDb.map((x) => x.gate), now);
          needDb.forEach((x, i) => (outcomes[x.index] = { verdict: verdicts[i]!.verdict, auditRef: verdicts[i]!.auditRef }));
        }
      });
      for (const o of outcomes) {
        if (!o || !('verdict' in o)) continue;
        const out = opts.json ? { ...verdictJson(o.verdict), ...(o.auditRef !== undefined ? { auditRef: o.auditRef } : {}) } : verdictLine(o.verdict);
        io.stdout.write(JSON.stringify(out) + '\n');
      }
      if (invalid) {
        io.stderr.write(`${opts.input}: ${invalid} invalid line(s) of ${n}; the other lines were checked\n`);
        setExit(EXIT.invalid);
      }
    });
}

function registerState(compliance: Command, ctx: CommandContext): void {
  const { io, withRuntime } = ctx;
  const flag = compliance.command('flag').description('Flags and holds on a debtor (append-only events)');
  flag
    .command('set')
    .description(`Set a flag: ${FLAGS.join(', ')}`)
    .argument('<customer>', 'customer id')
    .argument('<kind>', 'flag kind')
    .option('--account <id>', 'only this account (default: every account of the customer)')
    .option('--since <instant>', 'ISO instant the flag starts (debt advice, attorney: the clock starts here)')
    .option('--until <instant>', 'ISO instant the flag ends by itself')
    .option('--extended', 'debt advice: the 30-day pause is extended by 30 days')
    .option('--responded', 'attorney: the attorney responds (direct contact does not reopen)')
    .option('--note <text>', 'why')
    .option('--by <user>', 'who records it')
    .option('--json', 'print JSON')
    .action(async (customerId: string, kind: string, o: { account?: string; since?: string; until?: string; extended?: boolean; responded?: boolean; note?: string; by?: string; json?: boolean }) => {
      const cmd = validated(setFlagSchema, { customerId, kind, accountId: o.account, since: o.since, until: o.until, extended: o.extended, responded: o.responded, note: o.note, recordedBy: o.by }, 'flag set');
      const eventId = resultOrFail(await withRuntime((rt) => setFlag(complianceStore(rt.pool, rt.cipher), cmd)));
      io.stdout.write(o.json ? json({ eventId, customerId, kind, action: 'set' }) : `flag ${kind} set on ${customerId} (event ${eventId})\n`);
    });
  flag
    .command('clear')
    .description('Clear a flag')
    .argument('<customer>', 'customer id')
    .argument('<kind>', 'flag kind')
    .option('--account <id>', 'the account the flag was set on')
    .option('--note <text>', 'why')
    .option('--by <user>', 'who records it')
    .option('--json', 'print JSON')
    .action(async (customerId: string, kind: string, o: { account?: string; note?: string; by?: string; json?: boolean }) => {
      const cmd = validated(setFlagSchema.pick({ customerId: true, kind: true, accountId: true, note: true, recordedBy: true }), { customerId, kind, accountId: o.account, note: o.note, recordedBy: o.by }, 'flag clear');
      const eventId = resultOrFail(await withRuntime((rt) => clearFlag(complianceStore(rt.pool, rt.cipher), cmd)));
      io.stdout.write(o.json ? json({ eventId, customerId, kind, action: 'clear' }) : `flag ${kind} cleared on ${customerId} (event ${eventId})\n`);
    });

  const optOut = compliance.command('opt-out').description('Opt-outs per channel (and destination)');
  for (const action of ['add', 'remove'] as const) {
    optOut
      .command(action)
      .description(action === 'add' ? 'Record an opt-out (a third party\'s objection: --channel all --destination D)' : 'Lift an opt-out')
      .argument('<customer>', 'customer id')
      .requiredOption('--channel <channel>', `one of ${CHANNEL_SELECTORS.join(', ')}`)
      .option('--destination <value>', 'only this number / address')
      .option('--source <source>', 'where the request came from', 'agent')
      .option('--text <text>', 'the words of the request')
      .option('--by <user>', 'who records it')
      .option('--json', 'print JSON')
      .action(async (customerId: string, o: { channel: string; destination?: string; source: string; text?: string; by?: string; json?: boolean }) => {
        const cmd = validated(optOutSchema, { customerId, channel: o.channel, destination: o.destination, source: o.source, text: o.text, recordedBy: o.by }, `opt-out ${action}`);
        const eventId = resultOrFail(await withRuntime((rt) => recordOptOut(complianceStore(rt.pool, rt.cipher), cmd, action === 'add' ? 'set' : 'clear')));
        io.stdout.write(o.json ? json({ eventId, customerId, channel: o.channel, action }) : `opt-out ${action === 'add' ? 'recorded' : 'lifted'} for ${customerId} on ${o.channel} (event ${eventId})\n`);
      });
  }
  compliance
    .command('reply')
    .description('An inbound reply (SMS, e-mail): 退订 / TD / STOP … becomes an opt-out of that channel from that sender')
    .argument('<customer>', 'customer id')
    .requiredOption('--from <destination>', 'the sender number or address')
    .requiredOption('--text <text>', 'the reply')
    .option('--channel <channel>', 'sms, email or app_push', choice(['sms', 'email', 'app_push'], '--channel'), 'sms')
    .option('--json', 'print JSON')
    .action(async (customerId: string, o: { from: string; text: string; channel: 'sms' | 'email' | 'app_push'; json?: boolean }) => {
      const r = resultOrFail(await withRuntime((rt) => handleInboundReply(complianceStore(rt.pool, rt.cipher), { customerId, channel: o.channel, from: o.from, text: o.text })));
      io.stdout.write(o.json ? json(r) : r.optOut ? `opt-out recorded (${r.keyword}) for ${customerId} on ${o.channel}\n` : 'not an opt-out reply\n');
    });

  const consent = compliance.command('consent').description('Consents that may widen a window or exempt a call (where the pack allows)');
  consent
    .command('add')
    .description('Record a consent: contact_time (window), call_request, artificial_voice')
    .argument('<customer>', 'customer id')
    .requiredOption('--kind <kind>', 'contact_time, call_request or artificial_voice')
    .requiredOption('--channel <channel>', `one of ${CHANNEL_SELECTORS.join(', ')}`)
    .requiredOption('--valid-until <instant>', 'ISO instant the consent expires')
    .option('--valid-from <instant>', 'ISO instant the consent starts')
    .option('--window <HH:MM-HH:MM>', 'contact_time: the agreed local window (default: the whole day)')
    .option('--destination <value>', 'only this number / address')
    .option('--recording-id <id>', 'the call recording where it was given')
    .option('--by <user>', 'who records it')
    .option('--json', 'print JSON')
    .action(async (customerId: string, o: { kind: string; channel: string; validUntil: string; validFrom?: string; window?: string; destination?: string; recordingId?: string; by?: string; json?: boolean }) => {
      const window = o.window === undefined ? undefined : ((m) => (m ? { start: m[1], end: m[2] } : { start: o.window, end: '' }))(/^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(o.window));
      const cmd = validated(consentSchema, { customerId, kind: o.kind, channel: o.channel, validUntil: o.validUntil, validFrom: o.validFrom, window, destination: o.destination, recordingId: o.recordingId, recordedBy: o.by }, 'consent add');
      const consentId = resultOrFail(await withRuntime((rt) => recordConsent(complianceStore(rt.pool, rt.cipher), cmd)));
      io.stdout.write(o.json ? json({ consentId: `consent:${consentId}`, customerId }) : `consent consent:${consentId} recorded for ${customerId}\n`);
    });
  consent
    .command('revoke')
    .description('Revoke a consent')
    .argument('<id>', 'consent id (consent:N or N)')
    .action(async (id: string) => {
      const n = Number(id.replace(/^consent:/, ''));
      if (!Number.isSafeInteger(n) || n < 1) throw new CliFailure(`${id} is not a consent id`, EXIT.invalid);
      resultOrFail(await withRuntime((rt) => revokeConsent(rt.pool, n, rt.clock.now().getTime())));
      io.stdout.write(`consent:${n} revoked\n`);
    });

  compliance
    .command('zones')
    .description('Set the extra plausible time zones of a debtor (beyond the customer\'s own); none clears them')
    .argument('<customer>', 'customer id')
    .argument('[zones...]', 'IANA time zones, e.g. America/Los_Angeles')
    .option('--source <source>', 'why these zones (address, area_code, location)', 'agent')
    .action(async (customerId: string, zones: string[], o: { source: string }) => {
      for (const z of zones) {
        try {
          new Intl.DateTimeFormat('en', { timeZone: z });
        } catch {
          throw new CliFailure(`${z}: not an IANA time zone`, EXIT.invalid);
        }
      }
      resultOrFail(await withRuntime((rt) => setTimeZones(rt.pool, customerId, zones, o.source)));
      io.stdout.write(`time zones of ${customerId}: ${zones.length ? zones.join(', ') : '(customer zone only)'}\n`);
    });
}

function registerContact(program: Command, ctx: CommandContext): void {
  const { io, withRuntime } = ctx;
  const contact = program.command('contact').description('The contact ledger (append-only)');
  contact
    .command('record')
    .description('Record a contact attempt and its outcome (every channel, actor and party)')
    .requiredOption('--customer <id>', 'customer id')
    .requiredOption('--channel <channel>', `one of ${CHANNELS.join(', ')}`)
    .requiredOption('--actor <actor>', 'bank, bank:AGENT, agency:ID, agency:ID:AGENT, robot or robot:ID')
    .requiredOption('--party <party>', 'debtor, guarantor or contact')
    .requiredOption('--destination <value>', 'number, address or e-mail')
    .requiredOption('--outcome <outcome>', 'connected_right_party, connected_third_party, no_answer, busy, rejected, powered_off, voicemail, wrong_number, delivered, failed, bounced')
    .option('--at <instant>', 'ISO instant of the attempt (default: now)')
    .option('--account <id>', 'the debt (card account) it was about')
    .option('--content-ref <ref>', 'template id or script id')
    .option('--verdict-ref <ref>', 'the audit reference of the verdict that allowed it (compliance:N)')
    .option('--corrects <attemptId>', 'this row corrects an earlier attempt', wholeNumber(1, Number.MAX_SAFE_INTEGER))
    .option('--idempotency-key <key>', 'same key and input → the original attempt; same key, other input → error')
    .option('--json', 'print JSON')
    .action(async (o: { customer: string; channel: string; actor: string; party: string; destination: string; outcome: string; at?: string; account?: string; contentRef?: string; verdictRef?: string; corrects?: number; idempotencyKey?: string; json?: boolean }) => {
      const r = await withRuntime(async (rt) => {
        const cmd = validated(recordAttemptSchema, {
          customerId: o.customer, accountId: o.account, at: o.at ?? nowIso(rt), channel: o.channel, actor: o.actor, party: o.party, destination: o.destination,
          outcome: o.outcome, contentRef: o.contentRef, verdictRef: o.verdictRef, corrects: o.corrects, idempotencyKey: o.idempotencyKey,
        }, 'contact record');
        return recordContactAttempt(complianceStore(rt.pool, rt.cipher), cmd);
      });
      const v = resultOrFail(r);
      io.stdout.write(o.json ? json(v) : `contact attempt ${v.attemptId} ${v.replayed ? 'already recorded (same idempotency key)' : 'recorded'}\n`);
    });
}

function registerAudit(program: Command, ctx: CommandContext): void {
  const { io, withRuntime, setExit } = ctx;
  const audit = program.command('audit').description('The hash-chained audit log');
  audit
    .command('verify')
    .description('Verify every chain of the audit log; exit 1 and name the first altered, inserted or deleted row when broken')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await withRuntime((rt) => verifyAuditLog(rt.pool));
      if (o.json) io.stdout.write(json(r));
      else {
        for (const c of r.chains) io.stdout.write(`${c.chain}: ${c.rows} rows${c.break ? ` — BROKEN at #${c.break.seq} (${c.break.kind}): ${c.break.message}` : ', intact'}\n`);
        io.stdout.write(r.ok ? `audit log intact: ${r.rows} rows in ${r.chains.length} chain(s)\n` : 'audit log BROKEN\n');
      }
      if (!r.ok) {
        for (const c of r.chains) if (c.break) io.stderr.write(`recourse: audit chain ${c.chain} broken at row #${c.break.seq} (${c.break.kind}): ${c.break.message}\n`);
        setExit(EXIT.internal);
      }
    });
}
