// The local API: how the tray app and the CLI talk to the agent on the same machine.
// Newline-delimited JSON over a Unix socket (a named pipe on Windows): one request per line,
// {id, method, params}; one response per line, {id, ok: true, result} or {id, ok: false, error}.
// One map of method -> {params, result}; the agent validates params, clients validate results.
import { z } from 'zod';
import { TriggerSchema } from './protocol.js';

export const LOCAL_API_LIMITS = {
  /** Longest request line the agent reads before answering E_TOO_LARGE and closing. */
  maxRequestBytes: 1024 * 1024,
} as const;

export const LocalApi = {
  status: {
    params: z.object({}).strict(),
    result: z.object({
      deviceId: z.string().nullable(),
      hostname: z.string(),
      connected: z.boolean(),
      server: z.string(),
      lastInventoryAt: z.string().nullable(),
      lastTrigger: TriggerSchema.nullable(),
      pendingItems: z.number().int().nonnegative(),
      /** Digest of the last snapshot the agent recorded; equals the server's once delivered. */
      digest: z.string().nullable(),
      agentVersion: z.string(),
    }),
  },
  'scan.now': {
    params: z.object({}).strict(),
    result: z.object({ queued: z.boolean(), changed: z.boolean(), pendingItems: z.number().int().nonnegative() }),
  },
} as const;

export type LocalMethod = keyof typeof LocalApi;
export type LocalParams<M extends LocalMethod> = z.infer<(typeof LocalApi)[M]['params']>;
export type LocalResult<M extends LocalMethod> = z.infer<(typeof LocalApi)[M]['result']>;

export const LocalRequestSchema = z.object({
  id: z.union([z.string().max(64), z.number().int()]),
  method: z.string().max(64),
  params: z.unknown().optional(),
});

export type LocalResponse =
  | { id: string | number | null; ok: true; result: unknown }
  | { id: string | number | null; ok: false; error: { code: string; message: string } };
