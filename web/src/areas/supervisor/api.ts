/**
 * The supervisor's API: teams and their queues (GET /worklist/teams, /worklist/items), reassignment,
 * the approval inbox and its four-eyes decisions (GET /approvals, POST /approvals/:kind/:id/decision),
 * and the live KPIs: contact activity (GET /worklist/reports/contacts) and promises with their kept
 * rate (GET /reports/promise-kept-rate), per collector.
 */
import { api } from '../../api/client.ts';

export interface Team { teamId: string; name: string | null; members: number; openItems: number; inProgress: number }
export interface WorkItem {
  id: number; kind: string; status: string; customerId: string; accountId: string | null; priority: number; teamId: string | null; assignedTo: string | null;
  lockedBy: string | null; lockedUntil: string | null; notBefore: string; heldUntil: string | null; reason: string | null; stage: string | null; destinationRef: string | null;
}
export type Tier = 'collector' | 'supervisor' | 'manager';
export interface InboxItem {
  kind: 'arrangement' | 'placement' | 'account_action'; id: number; accountId: string; what: string; requiredTier: Tier; mayDecide: boolean;
  proposedBy: string | null; proposedOn: string; origin: string; detail: unknown;
}
export interface ActivityRow { key: string; contacts: number; connected: number; rightPartyContacts: number; promiseDispositions: number }
export interface KeptRateRow { key: string; made: number; kept: number; broken: number; open: number; keptRate: number | null }

/** Work items per page of the queue view (the API returns the newest first, up to `limit`). */
export const ITEMS_PAGE = 20;

/** Inbox items per page (the server pages; "show more" asks for the next). */
export const INBOX_PAGE = 20;

export const supervisorApi = {
  teams: () => api.get<{ teams: Team[] }>('/worklist/teams'),
  items: (q: { team?: string; status?: string; assignedTo?: string; limit: number; before?: number }) => api.get<{ items: WorkItem[]; nextBefore: number | null }>('/worklist/items', q),
  reassign: (id: number, to: string) => api.post<WorkItem>(`/worklist/items/${id}/reassign`, { to }),
  inbox: (offset: number) => api.get<{ tier: Tier | null; items: InboxItem[]; nextOffset: number | null }>('/approvals', { limit: INBOX_PAGE, offset }),
  decide: (item: Pick<InboxItem, 'kind' | 'id'>, decision: 'approve' | 'reject', note?: string) =>
    api.post<{ kind: string; id: number; status: string }>(`/approvals/${item.kind}/${item.id}/decision`, { decision, ...(note ? { note } : {}) }),
  activity: () => api.get<{ from: string; to: string; rows: ActivityRow[] }>('/worklist/reports/contacts', { by: 'collector' }),
  keptRate: (from: string, to: string) => api.get<{ rows: KeptRateRow[] }>('/reports/promise-kept-rate', { from, to, by: 'collector' }),
};

export const supervisorKeys = {
  teams: ['supervisor', 'teams'] as const,
  items: (q: object) => ['supervisor', 'items', q] as const,
  inbox: ['supervisor', 'inbox'] as const,
  kpis: ['supervisor', 'kpis'] as const,
};
