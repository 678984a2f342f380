/** The portfolio-wide dashboards' API: GET /reports/bucket-history, run-roll-rates, recovery-curves, promises, contacts, collections, compliance-blocks, leaderboard (reports:read). */
import { api } from '../../api/client.ts';
import type { RollRateReport } from '../dashboard/api.ts';

type Money = Record<string, string>;
export interface Period { from: string; to: string }

export interface BucketHistory { buckets: string[]; runs: { asOf: string; accounts: number; buckets: { bucket: string; accounts: number; balance: Money }[] }[]; nextBefore: string | null }
export type RunRollRates = Omit<RollRateReport, 'from' | 'to'> & { from: string | null; to: string | null };
export interface RecoveryCurves { currency: string; months: number; vintages: { vintage: string; accounts: number; balanceAtEntry: string; points: { month: number; recovered: string; rate: number }[] }[] }
export interface PromiseReport {
  from: string; to: string; made: number; kept: number; broken: number; active: number; cancelled: number; keptRate: number; promised: Money; paid: Money;
  weeks: { week: string; made: number; kept: number; broken: number; keptRate: number }[];
}
interface Rates { attempts: number; connected: number; rightParty: number; contactRate: number; rightPartyRate: number }
export interface ContactReport { from: string; to: string; channels: (Rates & { channel: string })[]; total: Rates }
export interface CollectionsReport {
  collected: { channel: string; payments: number; amount: Money }[]; collectedTotal: Money; costCurrency: string | null; strategy: { id: string; version: number } | null;
  contacts: { channel: string; contacts: number; unitCost: string | null; cost: string | null }[]; costTotal: string | null;
}
export interface ComplianceBlocks {
  cycleDrops: { rule: string; code: string; reason: string; count: number }[];
  gateVerdicts: { rule: string; code: string; decision: string; count: number }[];
  totals: { cycleDrops: number; gateVerdicts: number };
}
export interface LeaderboardEntry {
  rank: number; id: string; score: number; attempts: number; rightParty: number; rightPartyRate: number; promisesJudged: number; promisesKept: number;
  keptRate: number; recovered: string; recoveryIndex: number; complaints: number; complianceBlocks: number; incidentRate: number;
}
export interface Leaderboard { kind: 'collector' | 'agency'; currency: string; entries: LeaderboardEntry[]; total: number; offset: number; limit: number }

export const analyticsApi = {
  bucketHistory: (before?: string) => api.get<BucketHistory>('/reports/bucket-history', { before, limit: 24 }),
  runRollRates: () => api.get<RunRollRates>('/reports/run-roll-rates'),
  recoveryCurves: (p: Period) => api.get<RecoveryCurves>('/reports/recovery-curves', { ...p, months: 12 }),
  promises: (p: Period) => api.get<PromiseReport>('/reports/promises', { ...p }),
  contacts: (p: Period) => api.get<ContactReport>('/reports/contacts', { ...p }),
  collections: (p: Period) => api.get<CollectionsReport>('/reports/collections', { ...p }),
  complianceBlocks: (p: Period) => api.get<ComplianceBlocks>('/reports/compliance-blocks', { ...p }),
  leaderboard: (p: Period & { kind: 'collector' | 'agency'; offset: number; limit: number }) => api.get<Leaderboard>('/reports/leaderboard', { ...p }),
};

export const analyticsKeys = {
  all: ['analytics'] as const,
  report: (name: string, ...args: unknown[]) => ['analytics', name, ...args] as const,
};
