/** A proposed contact checked against the stored state (a dialer, the daily cycle): no snapshot in the request. */
import { z } from 'zod';
import { limits } from '../../kernel/limits.ts';
import { CHANNELS, PARTIES, parseActor } from './domain/vocabulary.ts';
import { normalizeDestination } from './domain/snapshot.ts';
import { contentInputSchema } from './compliance.schema.ts';
import { toContent } from './check-input.schema.ts';
import type { GateProposal } from './compliance.service.ts';

const id = z.string().min(1).max(limits.idLengthMax);
export const gateLineSchema = z.strictObject({
  id,
  customerId: id,
  accountId: id.optional(),
  at: z.string().refine((s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)) && /(Z|[+-]\d{2}:\d{2})$/.test(s), 'must be an ISO instant with an offset').optional(),
  channel: z.enum(CHANNELS),
  actor: z.string().refine((s) => parseActor(s) !== null, 'must be "bank", "bank:ID", "agency:ID", "agency:ID:AGENT", "robot" or "robot:ID"'),
  party: z.enum(PARTIES),
  destination: z.string().min(1).max(320),
  content: contentInputSchema.optional(),
});
export type GateLine = z.infer<typeof gateLineSchema>;

export function toGateProposal(line: GateLine, now: number): GateProposal {
  return {
    id: line.id, customerId: line.customerId, accountId: line.accountId ?? null, at: line.at ? Date.parse(line.at) : now, channel: line.channel,
    actor: parseActor(line.actor)!, party: line.party, destination: normalizeDestination(line.destination), content: toContent(line.content),
  };
}
