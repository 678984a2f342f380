/**
 * Errors over HTTP are RFC 9457 problem details (application/problem+json). Result codes map to a
 * status in one table; internals (stack traces, SQL) never reach the client.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { redactPii } from '../modules/identity/index.ts';

const STATUS_BY_CODE: Record<string, number> = {
  invalid_request: 400,
  invalid_user: 400,
  reason_required: 400,
  invalid_token_request: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  totp_required: 401,
  forbidden: 403,
  csrf_token_invalid: 403,
  password_change_required: 403,
  user_not_found: 404,
  token_not_found: 404,
  username_taken: 409,
  cannot_disable_self: 409,
  totp_already_enabled: 409,
  totp_not_enrolled: 409,
  weak_password: 422,
  invalid_totp: 422,
  account_locked: 423,
  rate_limited: 429,
  invalid_cursor: 400,
  invalid_date: 400,
  account_not_found: 404,
  customer_not_found: 404,
  correction_target_not_found: 404,
  consent_not_found: 404,
  idempotency_key_reused: 409,
  not_found: 404,
  invalid_feed: 422,
  invalid_strategy: 422,
  strategy_not_found: 404,
  version_not_newer: 409,
  version_exists_with_different_content: 409,
  no_strategy_in_effect: 409,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  invalid_template: 400,
  template_not_found: 404,
  template_not_effective: 404,
  message_not_found: 404,
  unsubscribe_link_invalid: 404,
  template_version_not_newer: 409,
  message_not_sent_yet: 409,
  template_lint_failed: 422,
  template_channel_mismatch: 422,
  template_variable_missing: 422,
  not_a_letter_template: 422,
  no_postal_address: 422,
  internal_error: 500,
  service_unavailable: 503,
  // Collector workflow (worklist, payments).
  work_item_not_found: 404,
  work_item_not_held: 409,
  collector_not_found: 404,
  collector_out_of_scope: 409,
  destination_not_found: 404,
  contact_not_allowed: 409,
  callback_outside_contact_window: 409,
  callback_time_invalid: 400,
  contact_not_found: 404,
  contact_closed: 409,
  right_party_check_locked: 423,
  right_party_check_not_applicable: 409,
  right_party_not_verified: 409,
  right_party_check_required: 403,
  note_language_prohibited: 422,
  outcome_invalid: 422,
  outcome_already_recorded: 409,
  invalid_payment: 422,
  payment_id_conflict: 409,
  payment_not_found: 404,
  payment_already_reversed: 409,
  cannot_reverse_a_reversal: 409,
  reversal_before_payment: 422,
  plan_term_exceeds_limit: 422,
  nothing_owed: 422,
  quote_invalid: 422,
  evidence_not_found: 404,
  evidence_empty: 422,
  evidence_too_large: 413,
  evidence_type_not_allowed: 415,
  evidence_type_mismatch: 415,
  evidence_required: 422,
  affordability_required: 422,
  arrangement_unaffordable: 422,
  beyond_every_authority: 422,
  proposal_already_open: 409,
  plan_already_active: 409,
  proposal_not_found: 404,
  proposal_not_open: 409,
  authority_insufficient: 403,
  own_proposal: 403,
  not_your_proposal: 403,
  recommendation_not_found: 404,
  agency_required: 422,
  account_action_already_requested: 409,
  capture_not_found: 404,
  promise_already_active: 409,
  amount_invalid: 422,
  promised_date_invalid: 422,
};

export interface Problem { code: string; title: string; detail?: string; [extra: string]: unknown }

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  const status = STATUS_BY_CODE[problem.code] ?? 500;
  const { code, title, ...rest } = problem;
  return reply
    .code(status)
    .type('application/problem+json')
    .send({ type: `https://recourse.dev/problems/${code.replace(/_/g, '-')}`, title, status, code, ...rest });
}

/** The problem document, for the OpenAPI description of error responses. */
const problemSchema = z.looseObject({
  type: z.string(), title: z.string(), status: z.number().int(), code: z.string(), detail: z.string().optional(),
  errors: z.array(z.looseObject({ line: z.number().int().optional(), field: z.string(), message: z.string() })).optional(),
});

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (invalid_request, invalid_cursor): `errors` names each field',
  401: 'Not authenticated (unauthenticated, invalid_credentials, totp_required): log in or send a valid API token',
  403: 'Not allowed (forbidden, csrf_token_invalid, password_change_required, right_party_check_required, authority_insufficient, own_proposal, not_your_proposal)',
  409: 'Conflict with the current state (username_taken, totp_already_enabled, idempotency_key_reused: the key was used with a different input, template_version_not_newer, message_not_sent_yet, version_not_newer, version_exists_with_different_content, payment_id_conflict, contact_not_allowed, work_item_not_held, proposal_already_open, plan_already_active, proposal_not_open, promise_already_active, …)',
  423: 'Locked after repeated failures (account_locked: `retryAfterSeconds` says for how long; right_party_check_locked)',
  429: 'Too many requests (rate_limited): see Retry-After',
  404: 'Not found (account_not_found, customer_not_found, correction_target_not_found, consent_not_found, strategy_not_found, work_item_not_found, contact_not_found, payment_not_found, proposal_not_found, recommendation_not_found, …, not_found)',
  413: 'Body too large (payload_too_large)',
  415: 'Unsupported content type (unsupported_media_type)',
  422: 'Unprocessable (invalid_feed, invalid_strategy, invalid_payment: `errors` lists {line, field, message}, nothing was written; weak_password, invalid_totp; template_lint_failed: `findings` lists every lint finding; template_channel_mismatch, template_variable_missing; note_language_prohibited, outcome_invalid; plan_term_exceeds_limit: names the rule; evidence_required, affordability_required, arrangement_unaffordable, beyond_every_authority, quote_invalid, nothing_owed, amount_invalid, promised_date_invalid)',
  500: 'Internal error (internal_error): only a reference id, details are in the server log',
  503: 'The database does not answer (service_unavailable)',
};

/** Route `response` entries documenting problem responses with these statuses. */
export function problemResponses<S extends number>(...statuses: S[]): Record<S, { description: string; content: { 'application/problem+json': { schema: typeof problemSchema } } }> {
  return Object.fromEntries(statuses.map((s) => [s, { description: PROBLEM_DESCRIPTIONS[s] ?? 'Problem details', content: { 'application/problem+json': { schema: problemSchema } } }])) as never;
}

interface FieldProblem { field: string; message: string }

/** One entry per offending field: `querystring.limit`, or `querystring.foo` for an unknown parameter. */
function validationErrors(error: FastifyError & { validation: NonNullable<FastifyError['validation']> }): FieldProblem[] {
  const at = (path: string[]) => [error.validationContext ?? 'request', ...path].join('.');
  return error.validation.flatMap((v): FieldProblem[] => {
    const path = (v.instancePath || '').split('/').filter(Boolean);
    const keys = (v.params as { keys?: unknown } | undefined)?.keys;
    if (v.keyword === 'unrecognized_keys' && Array.isArray(keys)) {
      return keys.map((k) => ({ field: at([...path, String(k)]), message: 'is not a known parameter' }));
    }
    return [{ field: at(path), message: v.message ?? 'is invalid' }];
  });
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const errors = validationErrors(error);
    return sendProblem(reply, { code: 'invalid_request', title: 'The request is invalid', detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors });
  }
  if (error.statusCode === 429) {
    return sendProblem(reply, { code: 'rate_limited', title: 'Too many requests', detail: 'slow down and retry after the time in Retry-After' });
  }
  if (error.statusCode === 413 || error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return sendProblem(reply, { code: 'payload_too_large', title: 'The request body is too large' });
  }
  if (error.statusCode === 415 || error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return sendProblem(reply, { code: 'unsupported_media_type', title: 'Unsupported content type', detail: 'send application/x-ndjson, text/csv or application/json' });
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    // Fastify's own client errors (bad JSON, bad URL …): their messages describe the request, not internals.
    return sendProblem(reply, { code: 'invalid_request', title: 'The request is invalid', detail: redactPii(error.message) });
  }
  request.log.error({ err: error }, 'request failed');
  return sendProblem(reply, { code: 'internal_error', title: 'Internal error', detail: `reference ${request.id}` });
}
