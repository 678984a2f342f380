/**
 * The facts the communications module renders with, read from the portfolio in bulk and aged by the
 * delinquency module as of the send date: amounts past due, balance, minimum due, due date, days past
 * due; customers' names and languages; contact points with phones still sealed.
 */
import type pg from 'pg';
import { messagingAccounts, messagingCustomers, sendingContactPoints } from '../modules/portfolio/index.ts';
import { ageAccount, compileAgingPolicy, loadDefaultAgingPolicy, type AgingPolicy, type AgingPolicyDocument } from '../modules/delinquency/index.ts';
import type { AccountFacts, ContactPointFacts, CustomerFacts, MessageDataSource } from '../modules/communications/index.ts';
import { formatPlainDate } from '../kernel/dates.ts';

export function messageDataSource(pool: pg.Pool, policyDoc?: AgingPolicyDocument): MessageDataSource {
  let doc: Promise<AgingPolicyDocument> | null = policyDoc ? Promise.resolve(policyDoc) : null;
  const compiled = new Map<string, AgingPolicy>();
  const policyFor = async (currency: string) => {
    doc ??= loadDefaultAgingPolicy();
    let p = compiled.get(currency);
    if (!p) compiled.set(currency, (p = compileAgingPolicy(await doc, currency)));
    return p;
  };
  return {
    async accounts(accountIds, asOfDay) {
      const rows = await messagingAccounts(pool, accountIds, formatPlainDate(asOfDay));
      const out = new Map<string, AccountFacts>();
      for (const a of rows.values()) {
        const aging = ageAccount(a.aging.statements, a.aging.payments, asOfDay, await policyFor(a.currency));
        const latest = a.aging.statements.at(-1);
        out.set(a.accountId, {
          accountId: a.accountId, customerId: a.customerId, customerName: a.customerName, language: a.language, timeZone: a.timeZone, currency: a.currency,
          overdueMinor: aging.overdueMinor, balanceMinor: aging.balanceMinor, minimumDueMinor: latest?.minimumDueMinor ?? null,
          dueDate: aging.oldestUnpaidDueOn ?? latest?.dueDate ?? null, daysPastDue: aging.daysPastDue,
        });
      }
      return out;
    },
    async customers(customerIds) {
      const rows = await messagingCustomers(pool, customerIds);
      return new Map<string, CustomerFacts>([...rows].map(([id, c]) => [id, { customerId: c.customerId, name: c.name, language: c.language, timeZone: c.timeZone }]));
    },
    async contactPoints(customerIds) {
      return (await sendingContactPoints(pool, customerIds)) as Map<string, ContactPointFacts[]>;
    },
  };
}
