/**
 * Compliance benchmarks, each against a baseline measured in the same run:
 *  1. the pure decision over in-memory snapshots on one core (target ≥ 100,000 checks/s), against a
 *     pass that only walks the same snapshots' histories (the least a daily counter must do);
 *  2. a batch of proposed contacts checked against the stored state — ledger reads, decide, every
 *     verdict appended to the audit chain — (target: 1,000,000 within 30 s), against raw COPY of the
 *     same ledger rows out and of the same number of audit rows in.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { Runtime } from '../src/runtime.ts';
import { seededRng } from '../src/kernel/rng.ts';
import {
  complianceStore, check, checkProposedContacts, parseActor, shippedPackSet, verifyAuditLog,
  type DebtorSnapshot, type GateProposal, type HistoryEntry, type ProposedContact, type Outcome,
} from '../src/modules/compliance/index.ts';

const seconds = (ms: number) => (ms / 1000).toFixed(2) + ' s';
const perSecond = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString('en') + '/s';
const DAY = 86_400_000;
const NOW = Date.parse('2026-06-30T04:00:00Z'); // 12:00 in Shanghai
const OUTCOMES: Outcome[] = ['no_answer', 'busy', 'voicemail', 'connected_right_party', 'rejected', 'powered_off', 'delivered'];

function snapshots(n: number): { snapshot: DebtorSnapshot; contact: ProposedContact }[] {
  const rng = seededRng(11);
  const out: { snapshot: DebtorSnapshot; contact: ProposedContact }[] = [];
  for (let i = 0; i < n; i++) {
    const phone = `138${String(i).padStart(8, '0')}`;
    const history: HistoryEntry[] = Array.from({ length: rng.int(0, 12) }, () => ({
      at: NOW - rng.int(0, 9 * 24 * 60) * 60_000, channel: rng.chance(0.8) ? 'voice_agent' : 'voice_robot', destination: phone, party: 'debtor',
      actor: rng.pick(['bank', 'agency', 'robot'] as const), outcome: rng.pick(OUTCOMES), accountId: null,
    }));
    out.push({
      snapshot: {
        customerId: `c${i}`, timeZones: rng.chance(0.05) ? ['Asia/Shanghai', 'Europe/London'] : ['Asia/Shanghai'],
        destinations: [{ value: phone, role: 'debtor', verified: rng.chance(0.95), source: 'application_form' }],
        flags: rng.chance(0.03) ? [{ kind: 'disputed', since: null, until: null, extended: false, responded: false, accountId: null }] : [],
        optOuts: [], consents: [], history,
      },
      contact: {
        id: `p${i}`, at: NOW + rng.int(-6, 10) * 3_600_000, channel: rng.chance(0.7) ? 'voice_agent' : 'voice_robot', actor: parseActor('bank')!,
        party: 'debtor', destination: phone, accountId: null, content: null,
      },
    });
  }
  return out;
}

export async function benchComplianceDecision(checks: number): Promise<void> {
  const packs = await shippedPackSet();
  const pack = packs.select('cn', NOW)!;
  const items = snapshots(20_000);
  // Warm the JIT and the zone-offset cache, as a long-running gate would be.
  for (let i = 0; i < 50_000; i++) check(pack, items[i % items.length]!.contact, items[i % items.length]!.snapshot, NOW);
  let allowed = 0;
  const start = performance.now();
  for (let i = 0; i < checks; i++) {
    const it = items[i % items.length]!;
    if (check(pack, it.contact, it.snapshot, NOW).decision === 'allow') allowed++;
  }
  const ms = performance.now() - start;
  let touched = 0;
  const baseStart = performance.now();
  for (let i = 0; i < checks; i++) {
    const it = items[i % items.length]!;
    const today = Math.floor((it.contact.at + 8 * 3_600_000) / DAY);
    for (const h of it.snapshot.history) if (Math.floor((h.at + 8 * 3_600_000) / DAY) === today && h.destination === it.contact.destination) touched++;
  }
  const baseMs = performance.now() - baseStart;
  console.log(`\ncompliance: pure decision, ${checks.toLocaleString('en')} checks over 20,000 in-memory snapshots (0–12 attempts each), pack cn, one core`);
  console.log(`  check()                          ${seconds(ms)}  ${perSecond(checks, ms)}  (${Math.round((allowed / checks) * 100)}% allowed; target ≥ 100,000/s)`);
  console.log(`  baseline: walk the same history  ${seconds(baseMs)}  ${perSecond(checks, baseMs)}  (fixed-offset day count only; ${touched} hits)`);
  console.log(`  ratio check / baseline           ${(ms / baseMs).toFixed(1)}×`);
}

/** customers × (1 phone, `attemptsPerCustomer` ledger rows in the last 8 days), set-based. */
async function seedLedger(client: pg.ClientBase, customers: number, attemptsPerCustomer: number): Promise<void> {
  await client.query(`insert into customers (customer_id, name) select 'c' || i, 'Customer ' || i from generate_series(1, $1) i`, [customers]);
  await client.query(`insert into contact_points (customer_id, kind, position, value, party_role, verified, source)
    select 'c' || i, 'phone', 0, '138' || lpad(i::text, 8, '0'), 'debtor', i % 20 <> 0, 'application_form' from generate_series(1, $1) i`, [customers]);
  await client.query(`insert into contact_attempts (customer_id, attempted_at, channel, actor, actor_kind, party, destination, outcome)
    select 'c' || i, timestamptz '2026-06-30 04:00:00+00' - ((i * 7 + k * 131) % (8 * 24 * 60)) * interval '1 minute',
           case when k % 3 = 0 then 'voice_robot' else 'voice_agent' end, case when k % 3 = 0 then 'robot' else 'bank' end, case when k % 3 = 0 then 'robot' else 'bank' end,
           'debtor', '138' || lpad(i::text, 8, '0'),
           (array['no_answer','busy','voicemail','connected_right_party','rejected','powered_off'])[1 + (i + k) % 6]
    from generate_series(1, $1) i, generate_series(1, $2) k`, [customers, attemptsPerCustomer]);
  await client.query(`insert into compliance_flag_events (customer_id, kind, action) select 'c' || i, 'disputed', 'set' from generate_series(1, $1, 37) i`, [customers]);
  await client.query('analyze');
}

export async function benchComplianceBatch(url: string, rt: Runtime, dataDir: string, contacts: number): Promise<void> {
  const perCustomer = 4;
  const customers = Math.ceil(contacts / perCustomer);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const seedStart = performance.now();
  await seedLedger(client, customers, perCustomer);
  const seedMs = performance.now() - seedStart;
  const packs = await shippedPackSet();
  const bank = parseActor('bank')!;
  const robot = parseActor('robot')!;
  const proposals = (from: number, to: number): GateProposal[] => {
    const list: GateProposal[] = [];
    for (let i = from; i <= to; i++) {
      for (let k = 0; k < perCustomer && list.length < (to - from + 1) * perCustomer; k++) {
        list.push({ id: `p${i}-${k}`, customerId: `c${i}`, accountId: null, at: NOW + (k === 3 ? 11 : k) * 3_600_000, channel: k % 2 ? 'voice_robot' : 'voice_agent', actor: k % 2 ? robot : bank, party: 'debtor', destination: '138' + String(i).padStart(8, '0'), content: null });
      }
    }
    return list;
  };
  const tally = { allow: 0, block: 0, defer: 0 };
  const chunkCustomers = 25_000;
  let ms = 0;
  for (let from = 1; from <= customers; from += chunkCustomers) {
    const input = proposals(from, Math.min(customers, from + chunkCustomers - 1)); // as a dialer or the daily cycle would hand them over
    const start = performance.now();
    const verdicts = await checkProposedContacts({ ...complianceStore(rt.pool, rt.cipher), packs }, 'cn', input, NOW);
    ms += performance.now() - start;
    for (const v of verdicts) tally[v.verdict.decision]++;
  }
  const checked = tally.allow + tally.block + tally.defer;
  const [verifyMs, verification] = await (async () => { const s = performance.now(); const r = await verifyAuditLog(rt.pool); return [performance.now() - s, r] as const; })();

  // Baseline: the same ledger rows COPYed out, and as many audit rows COPYed out and back into a plain table.
  const ledgerFile = join(dataDir, 'ledger.copy');
  const auditFile = join(dataDir, 'audit.copy');
  const baseStart = performance.now();
  await pipeline(client.query(copyStreams.to('copy (select * from contact_attempts) to stdout')), createWriteStream(ledgerFile));
  const outMs = performance.now() - baseStart;
  await pipeline(client.query(copyStreams.to('copy audit_log to stdout')), createWriteStream(auditFile));
  await client.query('create table baseline_audit (like audit_log)');
  const inStart = performance.now();
  await pipeline(createReadStream(auditFile), client.query(copyStreams.from('copy baseline_audit from stdin')));
  const inMs = performance.now() - inStart;
  await client.end();
  const baseMs = outMs + inMs;
  console.log(`\ncompliance: batch of ${checked.toLocaleString('en')} proposed contacts against the stored state (${customers.toLocaleString('en')} debtors, ${(customers * perCustomer).toLocaleString('en')} ledger rows; seeded in ${seconds(seedMs)})`);
  console.log(`  load state + check + audit       ${seconds(ms)}  ${perSecond(checked, ms)}  (allow ${tally.allow.toLocaleString('en')}, defer ${tally.defer.toLocaleString('en')}, block ${tally.block.toLocaleString('en')}; target ≤ 30 s for 1,000,000)`);
  console.log(`  audit verify                     ${seconds(verifyMs)}  ${perSecond(verification.rows, verifyMs)}  (${verification.rows.toLocaleString('en')} rows, ${verification.ok ? 'intact' : 'BROKEN'})`);
  console.log(`  baseline: COPY ledger out        ${seconds(outMs)}`);
  console.log(`  baseline: COPY audit rows in     ${seconds(inMs)}  (${checked.toLocaleString('en')} rows into an unindexed table)`);
  console.log(`  ratio batch / baselines          ${(ms / baseMs).toFixed(2)}×`);
}
