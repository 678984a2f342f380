/** The portfolio API: GET /accounts (cursor-paged), GET /accounts/:id, POST /accounts/:id/unmask. Shapes as in docs/http-api.md. */
import { api } from '../../api/client.ts';

export interface AccountListItem {
  id: string; customerId: string; bucket: string | null; daysPastDue: number | null;
  balance: string | null; overdue: string | null; currency: string; agedAsOf: string | null;
}
export interface AccountPage { accounts: AccountListItem[]; nextCursor: string | null }
export interface AccountFilters { bucket?: string; dpdMin?: number; dpdMax?: number }

interface Party { role: string; verified: boolean; source: string | null }
export interface AccountView {
  asOf: string;
  customer: {
    id: string; name: string; nationalId: string | null;
    phones: ({ number: string } & Party)[];
    emails: ({ address: string } & Party)[];
    addresses: ({ line: string; city?: string; region?: string; postalCode?: string; country?: string } & Party)[];
    timeZone: string; language: string;
  };
  account: { id: string; currency: string; creditLimit: string | null; openedOn: string; status: string };
  balances: { balance: string | null; overdue: string | null; lastStatementDate: string | null; minimumDue: string | null; dueDate: string | null; lastPaymentOn: string | null };
  daysPastDue: number;
  bucket: string;
  lateCountCumulative: number;
  lateCountConsecutive: number;
  oldestUnpaidDueOn: string | null;
  hostSnapshot: { cyclesDelinquent: number; bucket: string; amountDue: string | null; balance: string | null } | null;
  statements: { statementDate: string; dueDate: string; minimumDue: string | null; closingBalance: string | null; principal: string | null; interest: string | null; fees: string | null }[];
  payments: { id: string; postedOn: string; amount: string | null; channel: string | null }[];
}
export interface UnmaskedPii {
  accountId: string; customerId: string; nationalId: string | null;
  phones: { position: number; number: string; role: string }[]; auditId: string;
}

/** The audit reason's limits (src/modules/identity/domain/audit-reason.ts), counted after trimming and collapsing spaces. */
export const REASON_LENGTH = { min: 10, max: 500 } as const;

export const portfolioApi = {
  accounts: (filters: AccountFilters & { limit: number; cursor?: string | undefined }, signal?: AbortSignal) =>
    api.get<AccountPage>('/accounts', { ...filters }, signal),
  account: (id: string, signal?: AbortSignal) => api.get<AccountView>(`/accounts/${encodeURIComponent(id)}`, undefined, signal),
  unmask: (id: string, reason: string) => api.post<UnmaskedPii>(`/accounts/${encodeURIComponent(id)}/unmask`, { reason }),
};

export const portfolioKeys = {
  accounts: (q: object) => ['portfolio', 'accounts', q] as const,
  account: (id: string) => ['portfolio', 'account', id] as const,
};
