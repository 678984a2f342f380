/**
 * Fixtures for the collector workflow's tests: a clock the test moves, a small portfolio imported
 * through the real feed importer (customers with sealed phones and national ids, accounts, statements
 * with principal / interest / fees), team assignments and work items.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Clock } from '../../src/kernel/clock.ts';
import type { Runtime } from '../../src/runtime.ts';
import { createWorkItems, type WorkItemInput } from '../../src/modules/worklist/index.ts';
import { runCli } from './cli.ts';

/** A clock the test sets and advances. */
export class TestClock implements Clock {
  #at: number;
  constructor(iso: string) {
    this.#at = Date.parse(iso);
  }
  now(): Date {
    return new Date(this.#at);
  }
  set(iso: string): void {
    this.#at = Date.parse(iso);
  }
  advanceMinutes(minutes: number): void {
    this.#at += minutes * 60_000;
  }
}

export interface FixtureCustomer { id: string; name: string; nationalId: string; phones: { number: string; role?: 'debtor' | 'guarantor' | 'contact'; verified?: boolean }[]; language?: 'zh-CN' | 'en'; region?: string }
export interface FixtureAccount {
  id: string; customerId: string; team?: string; currency?: string;
  statements?: { statementDate: string; dueDate: string; minimumDue: string; closingBalance: string; principal?: string; interest?: string; fees?: string }[];
}

/** Imports customers and accounts through `recourse import` and assigns the accounts to teams. */
export async function seedPortfolio(rt: Runtime, customers: readonly FixtureCustomer[], accounts: readonly FixtureAccount[]): Promise<void> {
  const lines: unknown[] = [];
  for (const c of customers) {
    lines.push({
      type: 'customer', id: c.id, name: c.name, nationalId: c.nationalId, language: c.language ?? 'zh-CN', timeZone: 'Asia/Shanghai',
      phones: c.phones.map((p) => ({ number: p.number, role: p.role ?? 'debtor', verified: p.verified ?? true, source: 'application_form' })),
      ...(c.region ? { addresses: [{ line: '某路 1 号', region: c.region, role: 'debtor', verified: true, source: 'application_form' }] } : {}),
    });
  }
  for (const a of accounts) {
    lines.push({ type: 'account', id: a.id, customerId: a.customerId, currency: a.currency ?? 'CNY', creditLimit: '50000.00', openedOn: '2024-01-01' });
    for (const s of a.statements ?? []) lines.push({ type: 'statement', accountId: a.id, ...s });
  }
  const dir = mkdtempSync(join(tmpdir(), 'recourse-collector-'));
  const file = join(dir, 'feed.ndjson');
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const r = await runCli(rt, ['import', file]);
  expect(r.code, r.stderr).toBe(0);
  for (const a of accounts) {
    if (a.team) await rt.pool.query('insert into account_assignments (account_id, customer_id, team_id) values ($1, $2, $3) on conflict (account_id) do update set team_id = excluded.team_id', [a.id, a.customerId, a.team]);
  }
}

/** Agent-call work items for these accounts (as the daily cycle would create them). */
export async function seedWorkItems(rt: Runtime, items: readonly (Partial<WorkItemInput> & { accountId: string; customerId: string })[], notBefore: Date): Promise<void> {
  const all: WorkItemInput[] = items.map((i, n) => ({ idempotencyKey: `test:${i.accountId}:${n}:${Math.random()}`, kind: 'agent_call', priority: 50, notBefore, origin: 'cycle', ...i }));
  for (let i = 0; i < all.length; i += 5000) await createWorkItems(rt.pool, all.slice(i, i + 5000));
}
