// A route declared against the shared map (shared/http-api.ts): its "METHOD /path" must be a key of
// HttpApi, and the handler must answer that key's response type (returned, or sent with another
// status through `send`), or the reply it already sent for errors. Path, query and body are parsed
// with zod schemas from shared/http-schemas.ts, in that order, with the API's one 400 shape; the same
// schemas, as JSON Schema, are attached for the generated reference (/api/openapi.json) and are not
// used to validate a second time. requireDeclaredRoutes() refuses to start an API with an /api route
// added any other way, so the reference and the map cannot miss one.
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler, RouteHandlerMethod } from 'fastify';
import { z } from 'zod';
import type { HttpApi, HttpRoute } from '../../shared/http-api.js';
import { parse } from './parse.js';

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteSchemas<P, Q, B> {
  params?: P;
  query?: Q;
  body?: B;
  /** One line for the API reference. */
  summary: string;
  bodyLimit?: number;
  /** A request without a body is read as `{}`, every field at its default. */
  optionalBody?: boolean;
  /** Hooks that run before the body is parsed (sign-in's rate limit and cross-site check). */
  onRequest?: onRequestHookHandler[];
  /** How a 400 names the part that is wrong, where a route words it its own way. */
  labels?: { params?: string; body?: string };
}

export interface RouteInput<R extends HttpRoute, P, Q, B> {
  params: Parsed<P>;
  query: Parsed<Q>;
  body: Parsed<B>;
  req: FastifyRequest;
  reply: FastifyReply;
  /** Answers the route's response with a status other than 200 (201 created, 202 accepted). */
  send: (status: 201 | 202, body: HttpApi[R]['response']) => FastifyReply;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Handlers made by route(): any other handler for an /api path is a route outside the map. */
const declared = new WeakSet<RouteHandlerMethod>();

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
  handler: (input: RouteInput<R, P, Q, B>) => Promise<HttpApi[R]['response'] | FastifyReply>,
): void {
  const [method, url] = name.split(' ') as [Method, string];
  const labels = schemas.labels ?? {};
  const routeHandler: RouteHandlerMethod = async (req, reply) => {
    const params = schemas.params ? parse(schemas.params, req.params, reply, labels.params ?? 'path parameter') : undefined;
    if (schemas.params && params === undefined) return reply;
    const query = schemas.query ? parse(schemas.query, req.query, reply, 'query parameter') : undefined;
    if (schemas.query && query === undefined) return reply;
    const sent = schemas.optionalBody ? (req.body ?? {}) : req.body;
    const body = schemas.body ? parse(schemas.body, sent, reply, labels.body ?? 'body field') : undefined;
    if (schemas.body && body === undefined) return reply;
    const send = (status: number, answer: unknown) => reply.code(status).send(answer);
    return handler({ params: params as Parsed<P>, query: query as Parsed<Q>, body: body as Parsed<B>, req, reply, send });
  };
  declared.add(routeHandler);
  app.route({
    method,
    url,
    ...(schemas.bodyLimit ? { bodyLimit: schemas.bodyLimit } : {}),
    ...(schemas.onRequest ? { onRequest: schemas.onRequest } : {}),
    schema: {
      summary: schemas.summary,
      ...(schemas.params ? { params: inputJsonSchema(schemas.params) } : {}),
      ...(schemas.query ? { querystring: inputJsonSchema(schemas.query) } : {}),
      ...(schemas.body ? { body: inputJsonSchema(schemas.body) } : {}),
    },
    validatorCompiler: documentOnly,
    handler: routeHandler,
  });
}

/**
 * Call first on a new API instance: from then on, an /api route not declared with route() (so not
 * in the shared map nor the reference) makes app.ready() fail, naming it.
 */
export function requireDeclaredRoutes(app: FastifyInstance): void {
  const undeclared: string[] = [];
  app.addHook('onRoute', (opts) => {
    const methods = [opts.method].flat().filter((m) => m !== 'HEAD');
    if (underApi(opts.url) && methods.length > 0 && !declared.has(opts.handler)) undeclared.push(`${methods.join(',')} ${opts.url}`);
  });
  app.addHook('onReady', async () => {
    if (undeclared.length > 0) throw new Error(`API routes not declared with route() against shared/http-api.ts: ${undeclared.join('; ')}`);
  });
}

function underApi(path: string): boolean {
  return path === '/api' || path.startsWith('/api/');
}
