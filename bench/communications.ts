/**
 * Communications benchmark: SMS from the outbox through the dispatcher to an SMPP server on loopback
 * (the `smpp` package's server side, in this process) — claim, read account data, render, re-check
 * compliance with every verdict audited, decrypt the number, submit_sm per part, record the contact
 * ledger and the outcome — against a baseline measured in the same run: the same number of submit_sm
 * PDUs (same texts, same window) sent by the `smpp` client alone, nothing else. Target ≥ 2,000 SMS/s.
 */
import pg from 'pg';
import type { Runtime } from '../src/runtime.ts';
import smpp from 'smpp';
import { maskPhone } from '../src/modules/portfolio/index.ts';
import { enqueueMessages, segmentSms, SMPP_DEFAULTS, SmppProvider, type OutboxMessageInput } from '../src/modules/communications/index.ts';
import { openCommunications } from '../src/workflows/communications-runtime.workflow.ts';
import { TestSmsc } from '../test/support/smsc.ts';

const seconds = (ms: number) => (ms / 1000).toFixed(2) + ' s';
const perSecond = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString('en') + '/s';
const WINDOW = 500;

async function seed(url: string, rt: Runtime, n: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`insert into customers (customer_id, name) select 'c' || i, '客户' || i from generate_series(1, $1) i`, [n]);
  await client.query(`insert into card_accounts (account_id, customer_id, currency, credit_limit_minor, opened_on)
    select '62220200' || lpad(i::text, 8, '0'), 'c' || i, 'CNY', 5000000, date '2024-01-01' from generate_series(1, $1) i`, [n]);
  await client.query(`insert into statements (account_id, statement_date, customer_id, due_date, minimum_due_minor, closing_balance_minor)
    select '62220200' || lpad(i::text, 8, '0'), date '2026-05-05', 'c' || i, date '2026-05-25', 50000 + (i % 97) * 100, 500000 + (i % 997) * 1000 from generate_series(1, $1) i`, [n]);
  for (let from = 1; from <= n; from += 5_000) {
    const ids: string[] = [];
    const sealed: Buffer[] = [];
    const hmacs: Buffer[] = [];
    const masked: string[] = [];
    for (let i = from; i < Math.min(n + 1, from + 5_000); i++) {
      const phone = `139${String(i).padStart(8, '0')}`;
      ids.push(`c${i}`);
      sealed.push(rt.cipher.encrypt(phone));
      hmacs.push(rt.cipher.hmac(phone));
      masked.push(maskPhone(phone));
    }
    await client.query(
      `insert into contact_points (customer_id, kind, position, value_encrypted, value_hmac, value_masked, party_role, verified, source)
       select c, 'phone', 0, e, h, m, 'debtor', true, 'application_form' from unnest($1::text[], $2::bytea[], $3::bytea[], $4::text[]) as x (c, e, h, m)`,
      [ids, sealed, hmacs, masked],
    );
  }
  await client.query('select refresh_account_histories()');
  await client.query('analyze');
  await client.end();
}

/** The baseline: the smpp client alone submits these payloads with the same window, and waits for every response. */
async function rawSubmits(port: number, pdus: { to: string; dataCoding: number; esmClass: number; payload: Buffer }[]): Promise<number> {
  const session = smpp.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    session.on('connect', () => session.bind_transceiver({ system_id: 'baseline', password: 'secret' }, (pdu) => (pdu.command_status === 0 ? resolve() : reject(new Error('bind refused')))));
    session.on('error', reject);
  });
  const start = performance.now();
  let inFlight = 0;
  let next = 0;
  let done = 0;
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (inFlight < WINDOW && next < pdus.length) {
        const p = pdus[next++]!;
        inFlight++;
        session.send(new smpp.PDU('submit_sm', { source_addr: '95500', dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: p.to, esm_class: p.esmClass, data_coding: p.dataCoding, registered_delivery: 1, short_message: p.payload }), () => {
          inFlight--;
          if (++done === pdus.length) resolve();
          else pump();
        });
      }
    };
    pump();
  });
  const ms = performance.now() - start;
  session.close();
  return ms;
}

export async function benchCommunications(url: string, rt: Runtime, messages: number): Promise<void> {
  const [, seedMs] = await timed(() => seed(url, rt, messages));
  const smsc = await TestSmsc.start({ record: false });
  const now = rt.clock.now();
  const rows: OutboxMessageInput[] = Array.from({ length: messages }, (_, k) => ({
    idempotencyKey: `bench:${k + 1}`, customerId: `c${k + 1}`, accountId: `62220200${String(k + 1).padStart(8, '0')}`, channel: 'sms',
    templateId: 'cn-sms-reminder-neutral', destinationRef: 'phone:0', notBefore: now, origin: 'cycle',
  }));
  for (let i = 0; i < rows.length; i += 10_000) await enqueueMessages(rt.pool, rows.slice(i, i + 10_000));
  let provider!: SmppProvider;
  const comms = await openCommunications(rt, {
    providers: (sink) => [provider = new SmppProvider({ ...SMPP_DEFAULTS, host: '127.0.0.1', port: smsc.port, systemId: 'recourse', password: 'secret', window: WINDOW }, sink)],
    dispatcher: { id: 'bench', batchSize: 1_000, lanes: 1 },
  });
  await comms.start();
  const [summary, dispatchMs] = await timed(() => comms.dispatcher.drain());
  const submits = smsc.submitCount;
  const stages = Object.entries(comms.dispatcher.stageMs).map(([k, v]) => `${k} ${seconds(v)}`).join(', ');
  await comms.close();
  if (summary.sent !== messages) throw new Error(`bench: ${summary.sent} of ${messages} sent (${JSON.stringify(summary)})`);
  void provider;

  // The same PDUs again, from the bare client: what the SMPP link itself costs on this machine now.
  const { rows: rendered } = await rt.pool.query<{ text: string; id: string }>(`select rendered->>'text' as text, message_id::text as id from outbox_messages order by message_id`);
  const pdus = rendered.flatMap((r) => {
    const s = segmentSms(r.text, Number(r.id) % 256);
    return s.parts.map((payload) => ({ to: '8613900000000', dataCoding: s.dataCoding, esmClass: s.esmClass, payload }));
  });
  const rawMs = await rawSubmits(smsc.port, pdus);
  await smsc.stop();
  const partsPerMessage = submits / messages;
  console.log(`\ncommunications: ${messages.toLocaleString('en')} SMS (${partsPerMessage.toFixed(1)} UCS2 parts each) outbox → dispatcher (batches of 1,000, one pipeline) → SMPP server on loopback (seeded in ${seconds(seedMs)})`);
  console.log(`  dispatcher (claim, render, gate + audit, submit, ledger)  ${seconds(dispatchMs)}  ${perSecond(messages, dispatchMs)} messages, ${perSecond(submits, dispatchMs)} submit_sm`);
  console.log(`    where the time went: ${stages}`);
  console.log(`  baseline: smpp client alone, same ${submits.toLocaleString('en')} PDUs, window ${WINDOW}   ${seconds(rawMs)}  ${perSecond(pdus.length / partsPerMessage, rawMs)} messages, ${perSecond(pdus.length, rawMs)} submit_sm`);
  console.log(`  ratio dispatcher / baseline  ${(dispatchMs / rawMs).toFixed(2)}×   (target ≥ 2,000 SMS/s: ${messages / (dispatchMs / 1000) >= 2_000 ? 'met' : 'NOT met'})`);
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await work();
  return [result, performance.now() - start];
}
