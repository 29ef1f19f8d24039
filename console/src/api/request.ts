// Turns a route of the server's API map (shared/http-api.ts) and its parameters into a request.
// DOM-free so that it runs under node:test; client.ts does the fetching.
import type { HttpApi, HttpRoute } from '../../../shared/http-api.js';

type PathOf<R extends string> = R extends `${string} ${infer P}` ? P : never;
type MethodOf<R extends string> = R extends `${infer M} ${string}` ? M : never;

/** `/api/devices/:id/scan` -> { id: string | number } */
type PathParamsOf<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? { [K in Name]: string | number } & PathParamsOf<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? { [K in Name]: string | number }
    : Record<never, never>;

type Spec<R extends HttpRoute> = HttpApi[R];
type PathPart<R extends HttpRoute> = keyof PathParamsOf<PathOf<R>> extends never ? { path?: never } : { path: PathParamsOf<PathOf<R>> };
type QueryPart<R extends HttpRoute> = Spec<R> extends { query: infer Q } ? { query?: Q } : { query?: never };
type BodyPart<R extends HttpRoute> = Spec<R> extends { body: infer B } ? { body: B } : { body?: never };

/** What a call of route R takes: path parameters, query and body, each only where the route has them. */
export type ApiParams<R extends HttpRoute> = PathPart<R> & QueryPart<R> & BodyPart<R>;
export type ApiResponse<R extends HttpRoute> = Spec<R>['response'];
/** Routes whose parameters may all be left out. */
export type ApiArgs<R extends HttpRoute> = Record<never, never> extends ApiParams<R> ? [params?: ApiParams<R>] : [params: ApiParams<R>];

export interface BuiltRequest {
  method: MethodOf<HttpRoute>;
  url: string;
  body: string | undefined;
}

type QueryValue = string | number | boolean | null | undefined;

/** Query string from an object; empty, null and undefined values are left out. */
function queryString(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export function buildRequest<R extends HttpRoute>(route: R, params: ApiParams<R> | undefined): BuiltRequest {
  const space = route.indexOf(' ');
  const method = route.slice(0, space) as MethodOf<HttpRoute>;
  const template = route.slice(space + 1);
  const p = (params ?? {}) as { path?: Record<string, string | number>; query?: object; body?: unknown };
  const path = template.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = p.path?.[name];
    if (value === undefined || value === '') throw new Error(`${route}: missing path parameter ${name}`);
    return encodeURIComponent(String(value));
  });
  const url = path + queryString(p.query as Record<string, QueryValue> | undefined);
  return { method, url, body: p.body === undefined ? undefined : JSON.stringify(p.body) };
}

/** A request that changes something needs the session's CSRF token. */
export function isUnsafe(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD';
}
