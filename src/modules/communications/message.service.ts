/**
 * Messages enqueued by a person or an API client (not the daily cycle): checked up front (the account
 * exists, the template exists for the channel), idempotent by key per caller (same key and input: the
 * original message; same key, other input: `idempotency_key_reused`).
 */
import type pg from 'pg';
import { err, ok, type Result } from '../../kernel/result.ts';
import { canonicalJson } from '../compliance/index.ts';
import { getMessageByKey } from './dispatch.repository.ts';
import type { MessageDataSource } from './dispatcher.service.ts';
import { enqueueMessages, type RequestOrigin } from './outbox.repository.ts';
import type { TemplateSet } from './template-catalog.service.ts';
import type { EnqueueCommand } from './template.schema.ts';

export type EnqueueError = 'account_not_found' | 'template_not_found' | 'template_channel_mismatch' | 'idempotency_key_reused';

export async function enqueueMessage(
  deps: { pool: pg.Pool; data: MessageDataSource; templates: TemplateSet },
  cmd: EnqueueCommand,
  who: { origin: Exclude<RequestOrigin, 'cycle'>; requestedBy: string },
  now: number,
  today: number,
): Promise<Result<{ messageId: number; replayed: boolean }, EnqueueError>> {
  const key = `${who.origin}:${who.requestedBy}:${cmd.idempotencyKey}`;
  const input = canonicalJson({ ...cmd, idempotencyKey: undefined, notBefore: cmd.notBefore ?? null });
  const prior = await getMessageByKey(deps.pool, key);
  if (prior) {
    const { rows } = await deps.pool.query<{ decision: { input?: string } | null }>('select decision from outbox_messages where message_id = $1', [prior.messageId]);
    if (rows[0]?.decision?.input !== input) return err('idempotency_key_reused', `idempotency key ${JSON.stringify(cmd.idempotencyKey)} was used for a different message (#${prior.messageId})`);
    return ok({ messageId: prior.messageId, replayed: true });
  }
  const account = (await deps.data.accounts([cmd.accountId], today)).get(cmd.accountId);
  if (!account) return err('account_not_found', `no account ${JSON.stringify(cmd.accountId)}`);
  const template = deps.templates.get(cmd.templateId, today);
  if (!template.ok) return err('template_not_found', template.message);
  if (template.value.channel !== cmd.channel) return err('template_channel_mismatch', `template ${cmd.templateId} is a ${template.value.channel} template, not ${cmd.channel}`);
  await enqueueMessages(deps.pool, [{
    idempotencyKey: key, customerId: account.customerId, accountId: account.accountId, channel: cmd.channel, partyRole: cmd.partyRole ?? template.value.party,
    destinationRef: cmd.destinationRef ?? null, templateId: cmd.templateId, language: cmd.language ?? null, tone: cmd.tone ?? null, variables: cmd.variables ?? {},
    notBefore: cmd.notBefore ? new Date(cmd.notBefore) : new Date(now), expiresAt: cmd.expiresAt ? new Date(cmd.expiresAt) : null,
    origin: who.origin, requestedBy: who.requestedBy, decision: { manual: true, input },
  }]);
  const stored = await getMessageByKey(deps.pool, key);
  return ok({ messageId: stored!.messageId, replayed: false });
}
