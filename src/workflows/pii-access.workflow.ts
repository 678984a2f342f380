/**
 * Seeing PII in clear, and bulk exports: across portfolio (the sealed values), delinquency (the list)
 * and identity (scope, permission, audit). Each unmask or export is written to the access audit with
 * who, what and why before anything is returned; masked is the default everywhere.
 */
import type pg from 'pg';
import { err, ok, type Result } from '../kernel/result.ts';
import type { Clock } from '../kernel/clock.ts';
import { formatAmount } from '../kernel/money.ts';
import { findAccount, findCustomerPii, maskIdentifier, type PiiCipher } from '../modules/portfolio/index.ts';
import { loadDefaultAgingPolicy } from '../modules/delinquency/index.ts';
import { auditReason, can, recordAccess, scopeCondition, type Principal } from '../modules/identity/index.ts';
import { accountVisible } from './account-view.workflow.ts';

export interface PiiDeps { pool: pg.Pool; cipher: PiiCipher; clock: Clock }

export interface UnmaskedAccount {
  accountId: string; customerId: string; nationalId: string | null; phones: { position: number; number: string; role: string }[]; auditId: string;
}

/** The clear national id and phones of one account's customer, for a caller holding pii:unmask, audited. */
export async function unmaskAccount(deps: PiiDeps, actor: Principal, accountId: string, reasonText: string, ip: string | null): Promise<Result<UnmaskedAccount, 'forbidden' | 'reason_required' | 'account_not_found'>> {
  if (!can(actor, 'pii:unmask')) return err('forbidden', 'this needs the pii:unmask permission');
  const reason = auditReason(reasonText);
  if (!reason.ok) return reason;
  const account = await findAccount(deps.pool, accountId);
  if (!account || !(await accountVisible(deps.pool, accountId, actor.scope))) return err('account_not_found', `no account ${JSON.stringify(accountId)}`);
  const pii = await findCustomerPii(deps.pool, account.customer_id, deps.cipher);
  if (!pii) return err('account_not_found', `no account ${JSON.stringify(accountId)}`);
  const auditId = await recordAccess(deps.pool, actor, deps.clock.now(), {
    action: 'pii_unmasked', subjectKind: 'account', subjectId: accountId, reason: reason.value, ip,
    details: { customerId: account.customer_id, fields: ['nationalId', 'phones'], phones: pii.phones.length },
  });
  return ok({ accountId, customerId: account.customer_id, nationalId: pii.nationalId, phones: pii.phones, auditId });
}

export interface ExportRequest { reason: string; unmask: boolean; bucket?: string | undefined }

const EXPORT_COLUMNS = ['accountId', 'customerId', 'name', 'nationalId', 'phones', 'bucket', 'daysPastDue', 'balance', 'overdue', 'currency', 'agedAsOf'] as const;
const PAGE_ROWS = 1_000;

function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  // Quote, and defuse spreadsheet formulas (=, +, -, @ at the start of a cell).
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) || safe !== text ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * A CSV of every account in the caller's scope (optionally one bucket), PII masked unless `unmask`
 * (which needs pii:unmask as well as accounts:export). The audit row (with the row count) is written
 * before the first byte; the rows then stream page by page.
 */
export async function exportAccounts(deps: PiiDeps, actor: Principal, request: ExportRequest, ip: string | null): Promise<Result<{ rows: number; auditId: string; csv: AsyncGenerator<string> }, 'forbidden' | 'reason_required' | 'invalid_request'>> {
  if (!can(actor, 'accounts:export')) return err('forbidden', 'this needs the accounts:export permission');
  if (request.unmask && !can(actor, 'pii:unmask')) return err('forbidden', 'an unmasked export needs the pii:unmask permission');
  const reason = auditReason(request.reason);
  if (!reason.ok) return reason;
  if (request.bucket !== undefined) {
    const names = (await loadDefaultAgingPolicy()).buckets.map((b) => b.name);
    if (!names.includes(request.bucket)) return err('invalid_request', `bucket ${JSON.stringify(request.bucket)} is not one of ${names.join(', ')}`, { field: 'bucket' });
  }
  const where = (params: unknown[]) => {
    params.push(request.bucket ?? null);
    const bucketParam = params.length;
    return `($${bucketParam}::text is null or d.bucket = $${bucketParam}) and ${scopeCondition(actor.scope, 'a.account_id', params)}`;
  };
  const countParams: unknown[] = [];
  const countSql = `select count(*) as n from card_accounts a left join account_delinquency d on d.account_id = a.account_id where ${where(countParams)}`;
  const rows = Number((await deps.pool.query<{ n: string }>(countSql, countParams)).rows[0]!.n);
  const auditId = await recordAccess(deps.pool, actor, deps.clock.now(), {
    action: 'accounts_exported', subjectKind: 'accounts', subjectId: request.bucket ?? 'all', reason: reason.value, ip,
    details: { rows, unmasked: request.unmask, bucket: request.bucket ?? null, scope: actor.scope as unknown as Record<string, unknown>, format: 'csv' },
  });
  return ok({ rows, auditId, csv: exportRows(deps, request, where) });
}

async function* exportRows(deps: PiiDeps, request: ExportRequest, where: (params: unknown[]) => string): AsyncGenerator<string> {
  yield EXPORT_COLUMNS.join(',') + '\n';
  let after = '';
  for (let page = 0; page < 100_000; page++) {
    const params: unknown[] = [after, request.unmask];
    const filter = where(params);
    const { rows } = await deps.pool.query<{
      account_id: string; customer_id: string; currency: string; name: string; national_id_last4: string | null; national_id_encrypted: Buffer | null;
      bucket: string | null; days_past_due: number | null; balance_minor: bigint | null; overdue_minor: bigint | null; as_of: string | null;
      phones_masked: string[]; phones_sealed: Buffer[] | null;
    }>(
      `select a.account_id, a.customer_id, a.currency, c.name, c.national_id_last4, case when $2::boolean then c.national_id_encrypted end as national_id_encrypted,
         d.bucket, d.days_past_due, d.balance_minor, d.overdue_minor, d.as_of,
         (select coalesce(array_agg(p.value_masked order by p.position), '{}') from contact_points p where p.customer_id = a.customer_id and p.kind = 'phone') as phones_masked,
         case when $2::boolean then (select coalesce(array_agg(p.value_encrypted order by p.position), '{}') from contact_points p
                                      where p.customer_id = a.customer_id and p.kind = 'phone') end as phones_sealed
       from card_accounts a join customers c on c.customer_id = a.customer_id left join account_delinquency d on d.account_id = a.account_id
       where a.account_id > $1 and ${filter}
       order by a.account_id limit ${PAGE_ROWS}`, params);
    if (rows.length === 0) return;
    let chunk = '';
    for (const r of rows) {
      const nationalId = request.unmask && r.national_id_encrypted ? deps.cipher.decrypt(r.national_id_encrypted) : maskIdentifier(r.national_id_last4);
      const phones = request.unmask ? (r.phones_sealed ?? []).map((e) => deps.cipher.decrypt(e)) : r.phones_masked;
      const money = (m: bigint | null) => (m === null ? null : formatAmount(m, r.currency));
      chunk += [r.account_id, r.customer_id, r.name, nationalId, phones.join(';'), r.bucket, r.days_past_due, money(r.balance_minor), money(r.overdue_minor), r.currency, r.as_of]
        .map(csvField).join(',') + '\n';
    }
    yield chunk;
    after = rows.at(-1)!.account_id;
    if (rows.length < PAGE_ROWS) return;
  }
}
