/**
 * Errors over HTTP are RFC 9457 problem details (application/problem+json). Result codes map to a
 * status in one table; internals (stack traces, SQL) never reach the client.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';

const STATUS_BY_CODE: Record<string, number> = {
  invalid_request: 400,
  invalid_cursor: 400,
  invalid_date: 400,
  account_not_found: 404,
  not_found: 404,
  invalid_feed: 422,
  payload_too_large: 413,
  unsupported_media_type: 415,
  internal_error: 500,
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

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const errors = error.validation.map((v) => ({
      field: [error.validationContext, ...(v.instancePath || '').split('/').filter(Boolean)].join('.'),
      message: v.message ?? 'is invalid',
    }));
    return sendProblem(reply, { code: 'invalid_request', title: 'The request is invalid', detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors });
  }
  if (error.statusCode === 413 || error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return sendProblem(reply, { code: 'payload_too_large', title: 'The request body is too large' });
  }
  if (error.statusCode === 415 || error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return sendProblem(reply, { code: 'unsupported_media_type', title: 'Unsupported content type', detail: 'send application/x-ndjson, text/csv or application/json' });
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return sendProblem(reply, { code: 'invalid_request', title: 'The request is invalid', detail: error.message });
  }
  request.log.error({ err: error }, 'request failed');
  return sendProblem(reply, { code: 'internal_error', title: 'Internal error', detail: `reference ${request.id}` });
}
