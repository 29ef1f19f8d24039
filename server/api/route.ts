// A route declared against the shared map (shared/http-api.ts): its "METHOD /path" must be a key of
// HttpApi, and the handler must answer that key's response type (or the reply it already sent, for
// errors and other status codes). Path, query and body are parsed with zod schemas from
// shared/http-schemas.ts, in that order, with the API's one 400 shape; the same schemas, as JSON
// Schema, are attached for the generated reference (/api/openapi.json) and are not used to validate
// a second time.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { HttpApi, HttpRoute } from '../../shared/http-api.js';
import { parse } from './parse.js';

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteSchemas<P, Q, B> {
  params?: P;
  query?: Q;
  body?: B;
  /** One line for the API reference. */
  summary?: string;
  bodyLimit?: number;
}

export interface RouteInput<P, Q, B> {
  params: Parsed<P>;
  query: Parsed<Q>;
  body: Parsed<B>;
  req: FastifyRequest;
  reply: FastifyReply;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A zod schema as the JSON Schema of what a client sends (the input side of transforms). */
export function inputJsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return json;
}

/** zod has checked the request already; the schemas attached to the route only document it. */
const documentOnly = () => (value: unknown) => ({ value });

export function route<
  R extends HttpRoute,
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(
  app: FastifyInstance,
  name: R,
  schemas: RouteSchemas<P, Q, B>,
  handler: (input: RouteInput<P, Q, B>) => Promise<HttpApi[R]['response'] | FastifyReply>,
): void {
  const [method, url] = name.split(' ') as [Method, string];
  app.route({
    method,
    url,
    ...(schemas.bodyLimit ? { bodyLimit: schemas.bodyLimit } : {}),
    schema: {
      ...(schemas.summary ? { summary: schemas.summary } : {}),
      ...(schemas.params ? { params: inputJsonSchema(schemas.params) } : {}),
      ...(schemas.query ? { querystring: inputJsonSchema(schemas.query) } : {}),
      ...(schemas.body ? { body: inputJsonSchema(schemas.body) } : {}),
    },
    validatorCompiler: documentOnly,
    handler: async (req, reply) => {
      const params = schemas.params ? parse(schemas.params, req.params, reply, 'path parameter') : undefined;
      if (schemas.params && params === undefined) return reply;
      const query = schemas.query ? parse(schemas.query, req.query, reply, 'query parameter') : undefined;
      if (schemas.query && query === undefined) return reply;
      const body = schemas.body ? parse(schemas.body, req.body, reply, 'body field') : undefined;
      if (schemas.body && body === undefined) return reply;
      return handler({ params: params as Parsed<P>, query: query as Parsed<Q>, body: body as Parsed<B>, req, reply });
    },
  });
}
