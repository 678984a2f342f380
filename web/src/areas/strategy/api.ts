/** Strategy admin's API: GET /strategies, GET /strategies/:id, POST /strategies/validate, POST /strategies, GET /strategies/report, GET /accounts/:id/strategy-explanation. */
import { api } from '../../api/client.ts';

export interface StrategyVersion { strategyId: string; version: number; effectiveFrom: string; digest: string; publishedAt: string; publishedBy: string }
export interface StrategyList { inEffect: { id: string; version: number; source: 'published' | 'shipped' } | null; versions: StrategyVersion[] }
export interface ValidationIssue { field: string; code: string; message: string; line: number | null }
export interface ValidationResult { valid: boolean; id: string | null; version: number | null; errors: ValidationIssue[] }
export interface VariantReport {
  variant: string; percent: number | null; accounts: number; cured: number; cureRate: number; collected: Record<string, string>;
  contacts: Record<string, number>; contactsTotal: number; contactCost: string | null; complaints: number; complianceBlocks: number;
  blocksByRule: { rule: string; code: string; count: number }[];
}
export interface StrategyReport { strategy: { id: string; version: number }; from: string; to: string; costCurrency: string | null; variants: VariantReport[] }
export interface Explanation {
  accountId: string; asOf: string;
  strategy: { id: string; version: number; source: string; compliancePack: string };
  variant: { id: string; point: number };
  status: string; segment: string | null; ladder: string | null; stage: string | null; exit: string | null;
  facts: Record<string, unknown>;
  segments: { segment: string; priority: number | null; matched: boolean }[];
  stages: { stage: string; held: boolean }[];
  treatments: { treatment?: string; id?: string; due?: boolean; reason?: string }[];
  actions: { treatment: string; stage: string; handover: string; channel: string; plannedAt: string | null; templateId: string | null; outcome: string;
    verdict: { decision: string; rules: { ruleId: string; code: string; effect: string; message?: { zh: string; en: string } }[] } | null }[];
}

export const strategyApi = {
  list: () => api.get<StrategyList>('/strategies'),
  get: (id: string, version?: number) => api.get<StrategyVersion & { document: unknown }>(`/strategies/${encodeURIComponent(id)}`, { version }),
  validate: (text: string) => api.post<ValidationResult>('/strategies/validate', { text }),
  publish: (document: unknown) => api.post<{ strategyId: string; version: number; digest: string; replayed: boolean }>('/strategies', { document }),
  report: (from: string, to: string) => api.get<StrategyReport>('/strategies/report', { from, to }),
  explain: (accountId: string, asOf?: string) => api.get<Explanation>(`/accounts/${encodeURIComponent(accountId)}/strategy-explanation`, { asOf }),
};

export const strategyKeys = {
  list: ['strategies'] as const,
  version: (id: string, version?: number) => ['strategies', id, version ?? 'latest'] as const,
  report: (from: string, to: string) => ['strategies', 'report', from, to] as const,
  explain: (id: string, asOf?: string) => ['strategies', 'explain', id, asOf ?? 'today'] as const,
};
