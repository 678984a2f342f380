/** The compliance gate on a real database: ledger, state, gate verdicts recorded in the audit chain, CLI and HTTP. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRuntime } from '../support/database.ts';
import { runCli } from '../support/cli.ts';
import { buildServer } from '../../src/server.ts';
import { fixedClock } from '../../src/kernel/clock.ts';
import { complianceStore, appendAudited, checkProposedContacts, shippedPackSet, verifyAuditLog, parseActor, type GateProposal } from '../../src/modules/compliance/index.ts';
import { baseLine } from '../../src/modules/compliance/test-kit.ts';
import { maskPhone } from '../../src/modules/portfolio/index.ts';
import { injectAs, sessionFor } from '../support/auth.ts';

type Rt = Awaited<ReturnType<typeof createTestRuntime>>;
let rt: Rt;
const dir = mkdtempSync(join(tmpdir(), 'recourse-compliance-'));
const NOW = '2026-06-30T04:00:00.000Z'; // 12:00 in Shanghai

beforeAll(async () => {
  rt = await createTestRuntime({ clock: fixedClock(new Date(NOW)) });
  await rt.pool.query(`insert into customers (customer_id, name, time_zone) values ('C1', '张伟', 'Asia/Shanghai'), ('C2', 'Li Na', 'Europe/London')`);
  await rt.pool.query(`insert into card_accounts (account_id, customer_id, currency, credit_limit_minor, opened_on) values ('A1', 'C1', 'CNY', 5000000, '2024-01-01'), ('A2', 'C2', 'CNY', 100000, '2024-01-01')`);
  // Phones are sealed at rest: stored as ciphertext, blind index and masked form, as the importer does.
  const phones: [string, number, string, string, boolean][] = [
    ['C1', 0, '13800138000', 'debtor', true], ['C1', 1, '13900139002', 'debtor', false], ['C1', 2, '13700137003', 'contact', true],
    ['C2', 0, '+447700900123', 'debtor', true],
  ];
  for (const [customer, position, number, role, verified] of phones) {
    await rt.pool.query(
      `insert into contact_points (customer_id, kind, position, value_encrypted, value_hmac, value_masked, party_role, verified, source)
       values ($1, 'phone', $2, $3, $4, $5, $6, $7, 'application_form')`,
      [customer, position, rt.cipher.encrypt(number), rt.cipher.hmac(number), maskPhone(number), role, verified],
    );
  }
});
afterAll(async () => {
  await rt.close();
});

const file = (name: string, lines: unknown[]) => {
  const path = join(dir, name);
  writeFileSync(path, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return path;
};
const gate = (o: Record<string, unknown> = {}) => ({ id: 'g1', customerId: 'C1', channel: 'voice_agent', actor: 'bank', party: 'debtor', destination: '13800138000', ...o });
const check = async (lines: unknown[]) => {
  const r = await runCli(rt, ['compliance', 'check', '--input', file(`in-${Math.random()}.ndjson`, lines)]);
  return { ...r, out: r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
};

describe('contact ledger', () => {
  it('is append-only', async () => {
    const r = await runCli(rt, ['contact', 'record', '--customer', 'C2', '--channel', 'sms', '--actor', 'bank', '--party', 'debtor', '--destination', '+447700900123', '--outcome', 'delivered', '--json']);
    expect(r.code).toBe(0);
    const id = r.json().attemptId;
    await expect(rt.pool.query('update contact_attempts set outcome = $2 where attempt_id = $1', [id, 'failed'])).rejects.toThrow(/append-only/);
    await expect(rt.pool.query('delete from contact_attempts where attempt_id = $1', [id])).rejects.toThrow(/append-only/);
  });

  it('rejects bad input naming the field, unknown customers, and a reused idempotency key', async () => {
    const bad = await runCli(rt, ['contact', 'record', '--customer', 'C1', '--channel', 'fax', '--actor', 'agency', '--party', 'debtor', '--destination', '1', '--outcome', 'no_answer']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/channel: .*actor: must be/s);
    const unknown = await runCli(rt, ['contact', 'record', '--customer', 'C9', '--channel', 'sms', '--actor', 'bank', '--party', 'debtor', '--destination', '1', '--outcome', 'delivered']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('customer not found');
    const args = ['contact', 'record', '--customer', 'C2', '--channel', 'sms', '--actor', 'bank', '--party', 'debtor', '--destination', '+447700900123', '--outcome', 'delivered', '--at', '2026-06-29T10:00:00Z', '--idempotency-key', 'k1', '--json'];
    const first = (await runCli(rt, args)).json();
    expect((await runCli(rt, args)).json()).toEqual({ attemptId: first.attemptId, replayed: true });
    const other = await runCli(rt, [...args.slice(0, -3), '--outcome', 'failed', '--idempotency-key', 'k1']);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('was used for a different contact attempt');
  });
});

describe('the gate over the stored state', () => {
  it('counts the ledger (CN-02), honours corrections, and records every verdict in the audit chain', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await runCli(rt, ['contact', 'record', '--customer', 'C1', '--account', 'A1', '--channel', i % 2 ? 'voice_robot' : 'voice_agent', '--actor', i % 2 ? 'robot' : 'agency:A',
        '--party', 'debtor', '--destination', '138 0013 8000', '--outcome', 'no_answer', '--at', `2026-06-30T0${i}:10:00Z`, '--json']);
      expect(r.code, r.stderr).toBe(0);
      ids.push(r.json().attemptId);
    }
    const seventh = await check([gate()]);
    expect(seventh.out).toEqual([{ id: 'g1', decision: 'defer', until: '2026-07-01T00:00:00.000Z', rules: ['CN-02'] }]);
    // The last attempt was in fact answered: a correction row replaces it for counting.
    const fix = await runCli(rt, ['contact', 'record', '--customer', 'C1', '--channel', 'voice_robot', '--actor', 'robot', '--party', 'debtor', '--destination', '13800138000',
      '--outcome', 'connected_right_party', '--at', '2026-06-30T05:10:00Z', '--corrects', String(ids[5]), '--json']);
    expect(fix.code, fix.stderr).toBe(0);
    expect((await check([gate()])).out[0]).toMatchObject({ decision: 'allow' });
    const { rows } = await rt.pool.query(`select seq, kind, subject, payload from audit_log where chain = 'compliance' order by seq`);
    expect(rows.length).toBe(2);
    // The audit names the number by its blind index, never in clear.
    expect(JSON.parse(rows[0].payload)).toMatchObject({ id: 'g1', decision: 'defer', pack: 'cn@2', contact: { channel: 'voice_agent', actor: 'bank', destination: `tel:${rt.cipher.hmac('13800138000').toString('hex')}` }, rules: [{ rule: 'CN-02', code: 'daily_unanswered_attempts_reached', effect: 'defer' }] });
    expect(rows.map((r) => r.payload).join('\n')).not.toContain('13800138000');
    const ledger = await rt.pool.query(`select destination, destination_masked from contact_attempts where customer_id = 'C1' order by attempt_id limit 1`);
    expect(ledger.rows[0]).toEqual({ destination: `tel:${rt.cipher.hmac('13800138000').toString('hex')}`, destination_masked: '138****8000' });
    expect(rows[1].subject).toBe('C1');
    const json = await runCli(rt, ['compliance', 'check', '--json', '--input', file('one.ndjson', [gate({ id: 'g2' })])]);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: 'g2', decision: 'allow', auditRef: 'compliance:3', pack: { id: 'cn' } });
  });

  it('uses contact points from the portfolio: an unverified number is not used (CN-17); an unknown customer fails closed', async () => {
    const r = await check([gate({ id: 'u', destination: '13900139002' }), gate({ id: 'x', customerId: 'C404' })]);
    expect(r.out).toEqual([
      { id: 'u', decision: 'block', rules: ['CN-17'] },
      { id: 'x', decision: 'block', rules: ['X-01'] },
    ]);
  });

  it('flags set and cleared on the CLI hold and release collection (each documented flag)', async () => {
    for (const kind of ['disputed', 'complaint_open', 'hardship', 'capacity_concern', 'deceased', 'bankrupt', 'attorney', 'cease']) {
      expect((await runCli(rt, ['compliance', 'flag', 'set', 'C2', kind, '--note', 'test'])).code).toBe(0);
      const held = await check([gate({ id: kind, customerId: 'C2', destination: '+447700900123', at: '2026-06-30T10:00:00Z' })]);
      expect(held.out[0], kind).toMatchObject({ decision: 'block' });
      expect((await runCli(rt, ['compliance', 'flag', 'clear', 'C2', kind])).code).toBe(0);
      expect((await check([gate({ id: kind, customerId: 'C2', destination: '+447700900123', at: '2026-06-30T10:00:00Z' })])).out[0], kind).toMatchObject({ decision: 'allow' });
    }
    expect((await runCli(rt, ['compliance', 'flag', 'set', 'C2', 'sleepy'])).stderr).toContain('kind');
  });

  it('UK pack over stored flags: debt advice pauses 30 days, extended 60 (UK-02)', async () => {
    await runCli(rt, ['compliance', 'flag', 'set', 'C2', 'debt_advice', '--since', '2026-06-20T09:00:00Z']);
    const r = await runCli(rt, ['compliance', 'check', '--pack', 'uk-conc', '--input', file('uk.ndjson', [gate({ customerId: 'C2', destination: '+447700900123', at: '2026-06-30T10:00:00Z' })])]);
    expect(JSON.parse(r.stdout)).toEqual({ id: 'g1', decision: 'defer', until: '2026-07-20T09:00:00.000Z', rules: ['UK-02'] });
    await runCli(rt, ['compliance', 'flag', 'clear', 'C2', 'debt_advice']);
  });

  it('an inbound TD reply opts the sender out of SMS; voice is still allowed', async () => {
    const reply = await runCli(rt, ['compliance', 'reply', 'C1', '--from', '13800138000', '--text', 'ＴＤ', '--json']);
    expect(reply.json()).toMatchObject({ optOut: true, keyword: 'td' });
    expect((await runCli(rt, ['compliance', 'reply', 'C1', '--from', '13800138000', '--text', '好的，明天还'])).stdout).toContain('not an opt-out');
    const r = await check([gate({ id: 's', channel: 'sms', content: '请致电95555。回复TD退订' }), gate({ id: 'v' })]);
    expect(r.out.map((o) => [o.id, o.decision, o.rules])).toEqual([['s', 'block', ['CN-12']], ['v', 'allow', []]]);
    await runCli(rt, ['compliance', 'opt-out', 'remove', 'C1', '--channel', 'sms', '--destination', '13800138000']);
    expect((await check([gate({ id: 's', channel: 'sms', content: '请致电95555。回复TD退订' })])).out[0].decision).toBe('allow');
  });

  it('a recorded consent widens the window; revoking it narrows it again', async () => {
    const late = gate({ at: '2026-06-30T14:30:00Z' });
    expect((await check([late])).out[0].decision).toBe('defer');
    const c = await runCli(rt, ['compliance', 'consent', 'add', 'C1', '--kind', 'contact_time', '--channel', 'voice', '--valid-until', '2026-07-07T00:00:00Z', '--window', '22:00-23:00', '--recording-id', 'rec-9', '--json']);
    expect(c.code, c.stderr).toBe(0);
    expect((await check([late])).out[0].decision).toBe('allow');
    expect((await runCli(rt, ['compliance', 'consent', 'revoke', c.json().consentId])).code).toBe(0);
    expect((await check([late])).out[0].decision).toBe('defer');
  });

  it('extra plausible time zones must all pass', async () => {
    expect((await runCli(rt, ['compliance', 'zones', 'C1', 'America/Los_Angeles', '--source', 'address'])).code).toBe(0);
    expect((await check([gate({ at: '2026-06-30T04:00:00Z' })])).out[0]).toMatchObject({ decision: 'allow' }); // 12:00 Shanghai, 21:00 in LA
    expect((await check([gate({ at: '2026-06-30T05:30:00Z' })])).out[0]).toMatchObject({ decision: 'defer', rules: ['CN-01'] }); // 13:30 Shanghai, 22:30 in LA
    await runCli(rt, ['compliance', 'zones', 'C1']);
  });

  it('fails closed when the state cannot be read', async () => {
    const packs = await shippedPackSet();
    const p: GateProposal = { id: 'f', customerId: 'C1', accountId: null, at: Date.parse(NOW), channel: 'voice_agent', actor: parseActor('bank')!, party: 'debtor', destination: '13800138000', content: null };
    const [v] = await checkProposedContacts({ ...complianceStore(rt.pool, rt.cipher), packs }, 'cn', [p], Date.parse(NOW), { loadState: async () => { throw new Error('connection reset'); } });
    expect(v!.verdict).toMatchObject({ decision: 'block', rules: [{ ruleId: 'X-01', code: 'compliance_state_unavailable' }] });
    expect(v!.auditRef).toMatch(/^compliance:\d+$/); // the refusal itself is audited
  });
});

describe('what-if NDJSON', () => {
  it('prints one line per input line; bad lines are named by file:line:field and exit 2', async () => {
    const path = file('whatif.ndjson', [baseLine({ id: 'a', at: '2026-06-30T13:59:59Z' }), baseLine({ id: 'b', at: '2026-06-30T14:00:00Z' }), '{"id": "c"}', 'not json']);
    const r = await runCli(rt, ['compliance', 'check', '--pack', 'cn', '--input', path]);
    expect(r.code).toBe(2);
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { id: 'a', decision: 'allow', rules: [] },
      { id: 'b', decision: 'defer', until: '2026-07-01T00:00:00.000Z', rules: ['CN-01'] },
    ]);
    expect(r.stderr).toContain(`${path}:3: at: `);
    expect(r.stderr).toContain(`${path}:3: debtor: `);
    expect(r.stderr).toContain(`${path}:4: line: not JSON`);
  });

  it('a bank override that widens a pack is refused naming the field', async () => {
    const o = file('override.json', [{ id: 'acme', version: 1, pack: 'cn', effectiveFrom: '2026-01-01', changes: { timeWindows: { channels: { sms: { default: { start: '07:00', end: '22:00' } } } } } }]);
    const r = await runCli(rt, ['compliance', 'check', '--override', o, '--input', file('w.ndjson', [baseLine()])]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('$.changes.timeWindows.channels.sms.default.start: 07:00 is earlier than 08:00');
    expect((await runCli(rt, ['compliance', 'check', '--pack', 'xx', '--input', file('w2.ndjson', [baseLine()])])).stderr).toContain('--pack xx: no such pack');
  });
});

describe('audit chain', () => {
  it('serialises concurrent appends to one chain', async () => {
    const batch = (n: number) => Array.from({ length: 40 }, (_, i) => ({ kind: 'test.event', occurredAt: Date.parse(NOW), subject: `s${n}`, inputDigest: null, payload: { n, i } }));
    const results = await Promise.all(Array.from({ length: 8 }, (_, n) => appendAudited(rt.pool, 'test-chain', batch(n))));
    const ranges = results.map((r) => [r.firstSeq, r.lastSeq]).sort((a, b) => a[0]! - b[0]!);
    ranges.forEach(([first, last], i) => expect([first, last]).toEqual([i * 40 + 1, i * 40 + 40]));
    const big = await appendAudited(rt.pool, 'test-chain', Array.from({ length: 1000 }, (_, i) => ({ kind: 'bulk', occurredAt: Date.parse(NOW) + i, subject: null, inputDigest: 'd', payload: { text: 'tab\tnew\nline\\', i } })));
    expect(big.lastSeq).toBe(1320);
    expect((await verifyAuditLog(rt.pool)).ok).toBe(true);
  });

  it('names an altered, an inserted and a deleted row; exit 1 until repaired', async () => {
    const verify = () => runCli(rt, ['audit', 'verify', '--json']);
    expect((await verify()).code).toBe(0);
    const raw = async (sql: string, values: unknown[] = []) => {
      const c = await rt.pool.connect();
      try {
        await c.query('set session_replication_role = replica'); // bypass the append-only triggers, as an attacker with superuser would
        return await c.query(sql, values);
      } finally {
        await c.query('set session_replication_role = origin');
        c.release();
      }
    };
    const brokenAt = async () => {
      const r = await verify();
      expect(r.code).toBe(1);
      return r.json().chains.find((c: { break: unknown }) => c.break).break;
    };
    const original = (await rt.pool.query(`select * from audit_log where chain = 'test-chain' and seq = 7`)).rows[0];

    await raw(`update audit_log set payload = '{"i":999}' where chain = 'test-chain' and seq = 7`);
    expect(await brokenAt()).toMatchObject({ chain: 'test-chain', seq: 7, kind: 'altered' });
    const text = await runCli(rt, ['audit', 'verify']);
    expect(text.code).toBe(1);
    expect(text.stderr).toContain('audit chain test-chain broken at row #7 (altered)');
    await raw(`update audit_log set payload = $1 where chain = 'test-chain' and seq = 7`, [original.payload]);
    expect((await verify()).code).toBe(0);

    await raw(`delete from audit_log where chain = 'test-chain' and seq = 9`);
    expect(await brokenAt()).toMatchObject({ seq: 9, kind: 'deleted' });
    // A forged row in the gap: it does not link to row #8.
    await raw(`insert into audit_log (chain, seq, kind, occurred_at, subject, input_digest, payload, prev_hash, hash) values ('test-chain', 9, 'forged', now(), null, null, '{}', 'x', 'y')`);
    expect(await brokenAt()).toMatchObject({ seq: 9, kind: 'altered' });
  });

  it('names a row appended behind the chain head and a trailing deletion', async () => {
    const db = await createTestRuntime({ clock: fixedClock(new Date(NOW)) });
    try {
      await appendAudited(db.pool, 'c', [1, 2, 3].map((i) => ({ kind: 'k', occurredAt: i, subject: null, inputDigest: null, payload: { i } })));
      const row3 = (await db.pool.query(`select * from audit_log where chain = 'c' and seq = 3`)).rows[0];
      const { rowHash } = await import('../../src/modules/compliance/domain/audit-chain.ts');
      const forged = { chain: 'c', seq: 4, kind: 'k', occurredAt: 4, subject: null, inputDigest: null, payload: '{"i":4}', prevHash: row3.hash };
      await db.pool.query(`insert into audit_log (chain, seq, kind, occurred_at, subject, input_digest, payload, prev_hash, hash) values ('c', 4, 'k', to_timestamp(0.004), null, null, '{"i":4}', $1, $2)`, [row3.hash, rowHash(forged)]);
      let r = await runCli(db, ['audit', 'verify', '--json']);
      expect(r.code).toBe(1);
      expect(r.json().chains[0].break).toMatchObject({ seq: 4, kind: 'inserted' });
      const c = await db.pool.connect();
      await c.query('set session_replication_role = replica');
      await c.query(`delete from audit_log where chain = 'c' and seq >= 3`);
      c.release();
      r = await runCli(db, ['audit', 'verify', '--json']);
      expect(r.json().chains[0].break).toMatchObject({ seq: 3, kind: 'deleted' });
    } finally {
      await db.close();
    }
  });
});

describe('HTTP', () => {
  it('POST /compliance/check: one, a batch, and invalid input as problem+json', async () => {
    const server = await buildServer(rt);
    const app = { inject: injectAs(server, await sessionFor(server, rt, { role: 'compliance_officer' })), close: () => server.close() };
    try {
      const one = await app.inject({ method: 'POST', url: '/compliance/check', payload: baseLine({ at: '2026-06-30T14:00:00Z' }) });
      expect(one.statusCode, one.body).toBe(200);
      expect(one.json().verdicts[0]).toMatchObject({ decision: 'defer', until: '2026-07-01T00:00:00.000Z', auditRef: null, rules: [{ ruleId: 'CN-01', message: { zh: expect.any(String), en: expect.any(String) } }] });
      const batch = await app.inject({ method: 'POST', url: '/compliance/check?pack=cn', payload: { contacts: [baseLine({ id: 'w' }), gate({ id: 'g' })] } });
      expect(batch.statusCode, batch.body).toBe(200);
      expect(batch.json().verdicts.map((v: { id: string; decision: string; auditRef: string | null }) => [v.id, v.decision, v.auditRef?.startsWith('compliance:') ?? null])).toEqual([['w', 'allow', null], ['g', 'allow', true]]);
      const bad = await app.inject({ method: 'POST', url: '/compliance/check', payload: { id: 'x', channel: 'fax' } });
      expect(bad.statusCode).toBe(400);
      expect(bad.headers['content-type']).toContain('application/problem+json');
      const unknownPack = await app.inject({ method: 'POST', url: '/compliance/check?pack=zz', payload: baseLine() });
      expect(unknownPack.statusCode).toBe(400);
      const flag = await app.inject({ method: 'POST', url: '/compliance/flags', payload: { customerId: 'C404', kind: 'disputed' } });
      expect(flag.statusCode).toBe(404);
      const attempt = await app.inject({ method: 'POST', url: '/compliance/contact-attempts', payload: { customerId: 'C2', at: NOW, channel: 'email', actor: 'bank', party: 'debtor', destination: 'x@example.com', outcome: 'bounced' } });
      expect(attempt.statusCode, attempt.body).toBe(201);
      const verify = await app.inject({ method: 'GET', url: '/audit/verify' });
      expect(verify.statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('keeps callers to their data scope and their own name', async () => {
    const app = await buildServer(rt);
    try {
      // A collector of a team that C1's accounts are not assigned to: C1 is "not found", like an unknown customer.
      const collector = injectAs(app, await sessionFor(app, rt, { role: 'collector', teamId: 'team-x' }));
      const flag = await collector({ method: 'POST', url: '/compliance/flags', payload: { customerId: 'C1', kind: 'disputed' } });
      expect(flag.statusCode, flag.body).toBe(404);
      const gated = await collector({ method: 'POST', url: '/compliance/check', payload: gate({ id: 'g-scope' }) });
      expect(gated.statusCode).toBe(404);
      // A collector may not lift a protection.
      const clear = await collector({ method: 'POST', url: '/compliance/flags/clear', payload: { customerId: 'C1', kind: 'disputed' } });
      expect(clear.statusCode).toBe(403);
      // An agency records its own contacts only.
      await rt.pool.query(`insert into account_assignments (account_id, customer_id, agency_id) values ('A2', 'C2', 'agency-b') on conflict (account_id) do update set agency_id = 'agency-b'`);
      const agency = injectAs(app, await sessionFor(app, rt, { role: 'agency_user', agencyId: 'agency-b' }));
      const asBank = await agency({ method: 'POST', url: '/compliance/contact-attempts', payload: { customerId: 'C2', at: NOW, channel: 'voice_agent', actor: 'bank', party: 'debtor', destination: '+447700900123', outcome: 'no_answer' } });
      expect(asBank.statusCode).toBe(403);
      const own = await agency({ method: 'POST', url: '/compliance/contact-attempts', payload: { customerId: 'C2', at: NOW, channel: 'voice_agent', actor: 'agency:agency-b:007', party: 'debtor', destination: '+447700900123', outcome: 'no_answer' } });
      expect(own.statusCode, own.body).toBe(201);
      const otherCustomer = await agency({ method: 'POST', url: '/compliance/contact-attempts', payload: { customerId: 'C1', at: NOW, channel: 'voice_agent', actor: 'agency:agency-b', party: 'debtor', destination: '13800138000', outcome: 'no_answer' } });
      expect(otherCustomer.statusCode).toBe(404);
      // recordedBy is the caller, whatever the body claims.
      const supervisor = await sessionFor(app, rt, { role: 'supervisor' });
      const set = await injectAs(app, supervisor)({ method: 'POST', url: '/compliance/flags', payload: { customerId: 'C2', kind: 'hardship', recordedBy: 'someone-else' } });
      expect(set.statusCode, set.body).toBe(201);
      const { rows } = await rt.pool.query('select recorded_by from compliance_flag_events where event_id = $1', [set.json().id]);
      expect(rows[0].recorded_by).toBe(supervisor.user.username);
    } finally {
      await app.close();
    }
  });
});
