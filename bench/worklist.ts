/**
 * Collector workflow benchmarks, each against a baseline measured in the same run:
 *   next    — `nextCase` (candidates with team, skills and scope; ranking by the contact window; claim
 *             with SKIP LOCKED; an audited compliance verdict per case handed out) by 20 collectors at
 *             once, against the bare queue claim (`update … where id = (select … for update skip locked
 *             limit 1)`) by 20 connections at once, on the same queue;
 *   allocate — the payment waterfall over many accounts' statements and payments, against one plain
 *             pass summing the same payments.
 */
import pg from 'pg';
import type { Runtime } from '../src/runtime.ts';
import { createPool } from '../src/db/index.ts';
import { maskPhone } from '../src/modules/portfolio/index.ts';
import { loadPackSet } from '../src/modules/compliance/index.ts';
import { userPrincipal } from '../src/modules/identity/index.ts';
import { loadWorklistSettings } from '../src/modules/worklist/index.ts';
import { allocatePayments, type PaymentInput, type StatementInput } from '../src/modules/payments/index.ts';
import { nextCase } from '../src/workflows/collector-desk.workflow.ts';

const seconds = (ms: number) => (ms / 1000).toFixed(2) + ' s';
const perSecond = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString('en') + '/s';
const COLLECTORS = 20;

async function seed(url: string, rt: Runtime, customers: number, items: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`insert into customers (customer_id, name) select 'c' || i, '客户' || i from generate_series(1, $1) i`, [customers]);
  await client.query(`insert into card_accounts (account_id, customer_id, currency, credit_limit_minor, opened_on) select 'a' || i, 'c' || i, 'CNY', 5000000, date '2024-01-01' from generate_series(1, $1) i`, [customers]);
  await client.query(`insert into account_assignments (account_id, customer_id, team_id) select 'a' || i, 'c' || i, 'team-a' from generate_series(1, $1) i`, [customers]);
  for (let from = 1; from <= customers; from += 5_000) {
    const ids: string[] = []; const sealed: Buffer[] = []; const hmacs: Buffer[] = []; const masked: string[] = [];
    for (let i = from; i < Math.min(customers + 1, from + 5_000); i++) {
      const phone = `139${String(i).padStart(8, '0')}`;
      ids.push(`c${i}`); sealed.push(rt.cipher.encrypt(phone)); hmacs.push(rt.cipher.hmac(phone)); masked.push(maskPhone(phone));
    }
    await client.query(
      `insert into contact_points (customer_id, kind, position, value_encrypted, value_hmac, value_masked, party_role, verified, source)
       select id, 'phone', 0, e, h, m, 'debtor', true, 'application_form' from unnest($1::text[], $2::bytea[], $3::bytea[], $4::text[]) as t (id, e, h, m)`,
      [ids, sealed, hmacs, masked]);
  }
  await client.query(
    `insert into work_items (idempotency_key, customer_id, account_id, kind, priority, not_before, origin)
     select 'bench:' || i, 'c' || (1 + i % $2), 'a' || (1 + i % $2), 'agent_call', i % 100, timestamptz '2026-06-30T00:00:00Z', 'cycle' from generate_series(1, $1) i`,
    [items, customers]);
  await client.query('analyze');
  await client.end();
}

async function crowd(claims: number, claimOne: (collector: number) => Promise<boolean>): Promise<number> {
  let done = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: COLLECTORS }, async (_, c) => {
    while (done < claims) {
      if (!(await claimOne(c))) return;
      done++;
    }
  }));
  return performance.now() - start;
}

export async function benchWorklist(url: string, rt: Runtime, options: { items: number; claims: number }): Promise<void> {
  const customers = Math.max(1_000, Math.floor(options.items / 10));
  await seed(url, rt, customers, options.items);
  const packs = await loadPackSet();
  if (!packs.ok) throw new Error(packs.message);
  const pool = createPool(url, COLLECTORS + 4);
  try {
    // Baseline: the bare queue claim on the same table, the same concurrency.
    const base = await crowd(options.claims, async (c) => {
      const { rowCount } = await pool.query(
        `update work_items set status = 'in_progress', locked_by = $1, locked_until = now() + interval '15 minutes'
         where work_item_id = (select work_item_id from work_items where status = 'open' order by priority desc, not_before limit 1 for update skip locked)`,
        [`base-${c}`]);
      return (rowCount ?? 0) > 0;
    });
    await pool.query(`update work_items set status = 'open', locked_by = null, locked_until = null`);
    const settings = await loadWorklistSettings();
    const deps = { pool, cipher: rt.cipher, clock: rt.clock, packs: packs.value, packId: 'cn', settings };
    const collectors = Array.from({ length: COLLECTORS }, (_, i) => userPrincipal({ userId: String(i), username: `bench-${i}`, role: 'collector', teamId: 'team-a', agencyId: null, mustChangePassword: false }, { kind: 'team', teamId: 'team-a' }));
    const ours = await crowd(options.claims, async (c) => (await nextCase(deps, collectors[c]!)) !== null);
    const distinct = (await pool.query<{ n: number; held: number }>(`select count(distinct work_item_id)::int as n, count(*)::int as held from work_items where status = 'in_progress'`)).rows[0]!;
    console.log(`next: ${options.claims.toLocaleString('en')} cases by ${COLLECTORS} collectors from a queue of ${options.items.toLocaleString('en')}: ${seconds(ours)} (${perSecond(options.claims, ours)}), ` +
      `bare SKIP LOCKED claim ${seconds(base)} (${perSecond(options.claims, base)}); ratio ${(ours / base).toFixed(1)}× (each case also ranked by its window and allowed by an audited gate verdict); ${distinct.held} held, ${distinct.n} distinct`);
  } finally {
    await pool.end();
  }

  // Allocation: 200,000 accounts × 6 statements and 6 payments.
  const accounts = 200_000;
  const histories: { s: StatementInput[]; p: PaymentInput[] }[] = [];
  for (let a = 0; a < accounts; a++) {
    const s: StatementInput[] = []; const p: PaymentInput[] = [];
    let principal = 100_000n + BigInt(a % 1000) * 100n;
    for (let k = 0; k < 6; k++) {
      principal += 10_000n;
      s.push({ statementDate: 20_000 + k * 30, closingBalanceMinor: principal + 2_000n + 500n, principalMinor: principal, interestMinor: 2_000n, feesMinor: 500n });
      p.push({ paymentId: `p${a}-${k}`, postedOn: 20_010 + k * 30, amountMinor: 5_000n + BigInt(k * 100), reverses: null });
    }
    histories.push({ s, p });
  }
  let check = 0n;
  const t0 = performance.now();
  for (const h of histories) for (const x of h.p) check += x.amountMinor;
  const plain = performance.now() - t0;
  let allocated = 0n;
  const t1 = performance.now();
  for (const h of histories) for (const a of allocatePayments(h.s, h.p).payments) for (const l of a.lines) allocated += l.amountMinor;
  const alloc = performance.now() - t1;
  if (allocated !== check) throw new Error('allocation lost money');
  console.log(`allocate: ${accounts.toLocaleString('en')} accounts (${(accounts * 6).toLocaleString('en')} payments over ${(accounts * 6).toLocaleString('en')} statements): ${seconds(alloc)} (${perSecond(accounts * 6, alloc)} payments), ` +
    `plain sum ${seconds(plain)}; every payment allocated exactly (sum in = sum allocated)`);
}
