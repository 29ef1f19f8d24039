// Every API error has one shape: {"error": {"code", "message"}} with a stable code.
import type { FastifyReply } from 'fastify';
import { ERROR_CODES, type ErrorCode } from '../../shared/errors.js';

export interface ApiErrorBody {
  error: { code: ErrorCode; message: string };
}

export function sendError(reply: FastifyReply, status: number, code: ErrorCode, message: string = ERROR_CODES[code]): FastifyReply {
  const body: ApiErrorBody = { error: { code, message } };
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}
