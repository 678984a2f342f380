/** The report API: GET /reports/buckets and GET /reports/roll-rates (server-side aggregates over the caller's data scope), GET /reports/run-roll-rates (portfolio-wide, stored). */
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.ts';

export interface BucketReport {
  asOf: string | null;
  /** "aging_run": the stored results of the last aging run; "computed": aged for asOf on the fly. */
  source: 'aging_run' | 'computed';
  accounts: number;
  buckets: { bucket: string; accounts: number; balance: Record<string, string> }[];
}

export interface RollRateReport {
  from: string; to: string; accounts: number; buckets: string[];
  rows: { from: string; accounts: number; balance: Record<string, string>; cells: { to: string; accounts: number; balance: Record<string, string>; rate: number }[] }[];
}

export const reportsApi = {
  buckets: (asOf?: string) => api.get<BucketReport>('/reports/buckets', { asOf }),
  rollRates: (from: string, to: string) => api.get<RollRateReport>('/reports/roll-rates', { from, to }),
  /** The moves the last aging run stored against the run before it (reports:read; from/to null before a second run). */
  runRollRates: () => api.get<Omit<RollRateReport, 'from' | 'to'> & { from: string | null; to: string | null }>('/reports/run-roll-rates'),
};

export const reportKeys = {
  buckets: (asOf?: string) => ['reports', 'buckets', asOf ?? 'latest'] as const,
  rollRates: (from: string, to: string) => ['reports', 'roll-rates', from, to] as const,
  runRollRates: () => ['reports', 'run-roll-rates'] as const,
};

/** The latest bucket report (cheap: one aggregate over the stored aging results). */
export function useLatestBuckets() {
  return useQuery({ queryKey: reportKeys.buckets(), queryFn: () => reportsApi.buckets(), staleTime: 60_000 });
}
