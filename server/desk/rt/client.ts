// JSON over RT's REST 2.0, with every answer checked against ./schemas.ts.
import type { z } from 'zod';
import type { Logger } from '../../../shared/log.js';
import { DeskHttp, deskJson, deskShape, type DeskResponse } from '../http.js';
import type { RtConfig } from './config.js';
import { RtErrorSchema, RtMessagesSchema, rtPageSchema } from './schemas.js';

export interface RtPage<T> {
  items: T[];
  page: number;
  pages: number;
  /** RT's clock, from the Date header (one-second resolution); null when absent. */
  serverNow: Date | null;
}

export class RtClient {
  private readonly http: DeskHttp;

  constructor(config: RtConfig, log: Logger, fetchImpl?: typeof fetch) {
    this.http = new DeskHttp({
      baseUrl: `${config.url.replace(/\/+$/, '')}/REST/2.0`,
      headers: { Accept: 'application/json', Authorization: authorization(config) },
      timeoutMs: config.timeoutMs,
      log,
      describeError,
      ...(fetchImpl ? { fetchImpl } : {}),
    });
  }

  async get<S extends z.ZodType>(path: string, schema: S, query?: Record<string, string>): Promise<z.output<S>> {
    const res = await this.http.send({ method: 'GET', path, ...(query ? { query } : {}) });
    return parse(schema, res, `GET ${path}`);
  }

  /** POSTs JSON; resolves with the parsed answer and the Location header (new transactions). */
  async post<S extends z.ZodType>(
    path: string,
    schema: S,
    body: unknown,
    query?: Record<string, string>,
  ): Promise<{ data: z.output<S>; location: string | null }> {
    const res = await this.http.send({
      method: 'POST',
      path,
      body: JSON.stringify(body),
      contentType: 'application/json',
      ...(query ? { query } : {}),
    });
    return { data: parse(schema, res, `POST ${path}`), location: res.headers.get('location') };
  }

  /** PUTs JSON; RT answers 200 with messages, refusals included, which the caller checks. */
  async put(path: string, body: unknown): Promise<string[]> {
    const res = await this.http.send({ method: 'PUT', path, body: JSON.stringify(body), contentType: 'application/json' });
    return parse(RtMessagesSchema, res, `PUT ${path}`);
  }

  /** One page of a collection: GET with a TicketSQL-style `query`, or POST with a JSON query. */
  async page<S extends z.ZodType>(
    path: string,
    item: S,
    query: Record<string, string>,
    jsonQuery?: unknown[],
  ): Promise<RtPage<z.output<S>>> {
    const schema = rtPageSchema(item);
    const res = jsonQuery
      ? await this.http.send({ method: 'POST', path, query, body: JSON.stringify(jsonQuery), contentType: 'application/json' })
      : await this.http.send({ method: 'GET', path, query });
    const data = parse(schema, res, `${jsonQuery ? 'POST' : 'GET'} ${path}`);
    const date = res.headers.get('date');
    return {
      items: data.items,
      page: data.page,
      pages: data.pages ?? 0,
      serverNow: date ? new Date(date) : null,
    };
  }
}

function authorization(config: RtConfig): string {
  if (config.auth.kind === 'token') return `token ${config.auth.token}`;
  return `Basic ${Buffer.from(`${config.user}:${config.auth.password}`).toString('base64')}`;
}

function describeError(body: string): string | undefined {
  try {
    const json: unknown = JSON.parse(body);
    const one = RtErrorSchema.safeParse(json);
    if (one.success) return one.data.message.trim();
    const many = RtMessagesSchema.safeParse(json);
    if (many.success) return many.data.join('; ');
  } catch {
    // not JSON: DeskHttp falls back to the text itself
  }
  return undefined;
}

function parse<S extends z.ZodType>(schema: S, res: DeskResponse, operation: string): z.output<S> {
  return deskShape(schema, deskJson(res, operation), res, operation);
}
