/**
 * `importFeed`: one bank feed, all or nothing (or, with skipInvalid, every valid line).
 * Lines are parsed and validated one at a time and streamed with COPY into a staging table; checks
 * across lines and against stored data run set-based; the merge writes only what changed; all in one
 * transaction, so a bad feed leaves nothing behind.
 */
import type { Readable } from 'node:stream';
import type pg from 'pg';
import { copyBytea, copyField } from '../../db/copy.ts';
import { validateFeedRecord, type FieldError, type ValidRecord } from './domain/feed-validation.ts';
import { readFeed, type FeedFormat } from './feed-reader.ts';
import { refreshAccountHistories } from './portfolio.repository.ts';
import { maskPhone, type PiiCipher } from './pii-cipher.ts';
import {
  STAGE_COLUMNS, createStage, findStageProblems, indexStage, mergeStage, recordImport, type MergeCounts,
} from './feed-import.repository.ts';

export interface ImportProblem { line: number; field: string; message: string }

export interface ImportSummary {
  importId: number;
  source: string;
  format: FeedFormat;
  lines: number;
  records: number;
  rejectedLines: number;
  counts: Record<string, MergeCounts>;
  durationMs: number;
}

export type ImportOutcome =
  | { ok: true; summary: ImportSummary; rejects: Map<number, FieldError[]> }
  | { ok: false; code: 'invalid_feed'; problems: ImportProblem[] };

export interface ImportOptions {
  format: FeedFormat;
  source: string;
  skipInvalid: boolean;
  cipher: PiiCipher;
  now: () => Date;
}

export async function importFeed(pool: pg.Pool, input: Readable, options: ImportOptions): Promise<ImportOutcome> {
  const startedAt = options.now();
  const client = await pool.connect();
  try {
    await client.query('begin');
    const outcome = await importInTransaction(client, input, options, startedAt);
    if (outcome.ok) await refreshAccountHistories(client); // each changed account's history rewritten once
    await client.query(outcome.ok ? 'commit' : 'rollback');
    return outcome;
  } catch (e) {
    await client.query('rollback').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

async function importInTransaction(client: pg.PoolClient, input: Readable, options: ImportOptions, startedAt: Date): Promise<ImportOutcome> {
  const copy = await createStage(client);
  const rejects = new Map<number, FieldError[]>();
  let lines = 0;
  let records = 0;
  try {
    for await (const feedLine of readFeed(input, options.format)) {
      lines = feedLine.line;
      if (feedLine.fatal) {
        // Even --skip-invalid cannot help: nothing after this line can be read. Earlier errors are reported too.
        await copy.end();
        rejects.set(feedLine.line, [...(rejects.get(feedLine.line) ?? []), ...feedLine.errors]);
        return { ok: false, code: 'invalid_feed', problems: problemsOf(rejects) };
      }
      const staged = stageLine(feedLine.line, feedLine.records, feedLine.forcedType, feedLine.errors, options.cipher);
      if (staged.errors.length) {
        rejects.set(feedLine.line, staged.errors);
        continue;
      }
      for (const row of staged.rows) await copy.write(row);
      records += staged.rows.length;
    }
  } catch (e) {
    await copy.end().catch(() => {});
    throw e;
  }
  await copy.end();
  await indexStage(client);
  for (const p of await findStageProblems(client, options.skipInvalid)) {
    const list = rejects.get(p.line) ?? [];
    list.push({ field: p.field, message: p.message });
    rejects.set(p.line, list);
  }
  if (rejects.size > 0 && !options.skipInvalid) return { ok: false, code: 'invalid_feed', problems: problemsOf(rejects) };
  const counts = await mergeStage(client);
  const summary = { source: options.source, format: options.format, lines, records, rejectedLines: rejects.size, counts };
  const importId = await recordImport(client, { ...summary, startedAt, rejected: rejects.size });
  return { ok: true, summary: { importId, ...summary, durationMs: options.now().getTime() - startedAt.getTime() }, rejects };
}

function problemsOf(rejects: Map<number, FieldError[]>): ImportProblem[] {
  return [...rejects.entries()]
    .sort(([a], [b]) => a - b)
    .flatMap(([line, errors]) => errors.map((e) => ({ line, ...e })));
}

/** Validates every record of one line; a line is staged whole or not at all. */
function stageLine(line: number, values: unknown[], forcedType: ValidRecord['type'] | undefined, parseErrors: FieldError[], cipher: PiiCipher) {
  const errors: FieldError[] = [...parseErrors];
  const rows: string[][] = [];
  for (const value of values) {
    const outcome = validateFeedRecord(value, forcedType);
    if (!outcome.ok) {
      const prefix = values.length > 1 && outcome.type ? `${outcome.type}.` : '';
      errors.push(...outcome.errors.map((e) => ({ field: prefix + e.field, message: e.message })));
    } else rows.push(stageRow(line, outcome.record, cipher));
  }
  return { errors, rows: errors.length ? [] : rows };
}

type StageValues = Partial<Record<string, string>>;

function stageRow(line: number, r: ValidRecord, cipher: PiiCipher): string[] {
  const v: StageValues = { line: String(line), type: r.type };
  switch (r.type) {
    case 'customer': {
      const positions = { phone: 0, email: 0, address: 0 };
      // Phones never reach the database in clear, not even the staging table: sealed, blind-indexed, masked.
      const contacts = r.contacts.map((c) => ({
        kind: c.kind, position: positions[c.kind]++, details: c.details, party_role: c.partyRole, verified: c.verified, source: c.source,
        ...(c.kind === 'phone'
          ? { value: null, value_encrypted: cipher.encrypt(c.value).toString('hex'), value_hmac: cipher.hmac(c.value).toString('hex'), value_masked: maskPhone(c.value) }
          : { value: c.value, value_encrypted: null, value_hmac: null, value_masked: null }),
      }));
      Object.assign(v, {
        record_key: r.id, id: r.id, name: r.name, time_zone: r.timeZone, language: r.language, contacts: JSON.stringify(contacts),
        national_id_encrypted: r.nationalId === null ? null : copyBytea(cipher.encrypt(r.nationalId)),
        national_id_hmac: r.nationalId === null ? null : copyBytea(cipher.hmac(r.nationalId)),
        national_id_last4: r.nationalId?.slice(-4) ?? null,
      });
      break;
    }
    case 'account':
      Object.assign(v, {
        record_key: r.id, id: r.id, customer_id: r.customerId, currency: r.currency,
        credit_limit_minor: String(r.creditLimitMinor), opened_on: r.openedOn, status: r.status,
      });
      break;
    case 'statement':
      Object.assign(v, {
        record_key: `${r.accountId} on ${r.statementDate}`, account_id: r.accountId, statement_date: r.statementDate,
        due_date: r.dueDate, minimum_due: r.minimumDue, closing_balance: r.closingBalance,
        principal: r.principal, interest: r.interest, fees: r.fees,
      });
      break;
    case 'payment':
      Object.assign(v, { record_key: r.id, id: r.id, account_id: r.accountId, posted_on: r.postedOn, amount: r.amount, channel: r.channel });
      break;
    case 'delinquency':
      Object.assign(v, {
        record_key: `${r.accountId} as of ${r.asOf}`, account_id: r.accountId, as_of: r.asOf,
        cycles_delinquent: String(r.cyclesDelinquent), amount_due: r.amountDue, balance: r.balance,
      });
      break;
  }
  return STAGE_ORDER.map((column) => {
    const value = v[column];
    if (value === undefined || value === null) return '\\N';
    return column.startsWith('national_id_e') || column === 'national_id_hmac' ? value : copyField(value);
  });
}

const STAGE_ORDER: readonly string[] = STAGE_COLUMNS;
