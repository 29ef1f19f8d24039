// Request validation for the API routes: zod, with a 400 in the one error shape on failure.
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import { sendError } from './errors.js';

/** Parses with zod; on failure answers 400 E_BAD_REQUEST and returns undefined. */
export function parse<T>(schema: z.ZodType<T>, value: unknown, reply: FastifyReply, what: string): T | undefined {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.join('.') ?? '';
  void sendError(reply, 400, 'E_BAD_REQUEST', `Bad ${what}${where ? ` ${where}` : ''}: ${issue?.message ?? 'invalid'}.`);
  return undefined;
}
