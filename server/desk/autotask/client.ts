// Autotask REST transport: the zone found once through ZoneInformation, the three documented
// headers (ApiIntegrationCode, UserName, Secret) on every call, JSON both ways, and the hourly
// request limit honoured: Outpost's own count per rolling hour, the database's count from
// ThresholdInformation, and a 429 turned into a retryable E_DESK_RATE_LIMITED.
import { z } from 'zod';
import type { Logger } from '../../../shared/log.js';
import { DeskError } from '../errors.js';
import { DeskHttp, deskJson, deskShape } from '../http.js';
import type { AutotaskConfig } from './config.js';
import { ItemIdSchema, PageDetailsSchema, ThresholdSchema, ZoneSchema, type Filter } from './schemas.js';

const HOUR_MS = 3_600_000;
/** Autotask's page limit for a query (MaxRecords 1-500). */
export const MAX_RECORDS = 500;
/** A rate-limit answer without Retry-After waits this long. */
const DEFAULT_WAIT_MS = 60_000;
/** The database's own count is asked for again after this many calls of ours. */
const THRESHOLD_EVERY = 200;
/** Above this share of the database's allowance, Outpost waits: other integrations share it. */
const DATABASE_SHARE = 0.9;

export class AutotaskClient {
  private http: DeskHttp | null = null;
  private readonly sent: number[] = [];
  private sinceThreshold = THRESHOLD_EVERY;

  constructor(
    private readonly config: AutotaskConfig,
    private readonly log: Logger,
    private readonly fetchImpl?: typeof fetch,
    private readonly now: () => number = Date.now,
  ) {}

  private headers(): Record<string, string> {
    return {
      Accept: 'application/json',
      ApiIntegrationCode: this.config.integrationCode,
      UserName: this.config.user,
      Secret: this.config.secret,
    };
  }

  private make(baseUrl: string): DeskHttp {
    return new DeskHttp({
      baseUrl,
      headers: this.headers(),
      timeoutMs: this.config.timeoutMs,
      log: this.log,
      describeError,
      ...(this.fetchImpl ? { fetchImpl: this.fetchImpl } : {}),
    });
  }

  /** The zone's REST base, asked for once (the answer does not change for a user). */
  private async zone(): Promise<DeskHttp> {
    if (this.http) return this.http;
    let url = this.config.zoneUrl;
    if (!url) {
      const res = await this.count(() =>
        this.make(this.config.discoveryUrl).send({ method: 'GET', path: '/v1.0/zoneInformation', query: { user: this.config.user } }),
      );
      url = deskShape(ZoneSchema, deskJson(res, 'GET zoneInformation'), res, 'GET zoneInformation').url;
    }
    this.http = this.make(url.replace(/\/+$/, ''));
    return this.http;
  }

  async get<S extends z.ZodType>(path: string, schema: S): Promise<z.output<S>> {
    return this.call('GET', path, undefined, schema);
  }

  /** One record by id: `{ item: {...} }`; null when Autotask answers none. */
  async item<S extends z.ZodType>(entity: string, id: number, schema: S): Promise<z.output<S> | null> {
    const out: { item?: unknown } = await this.call('GET', `/v1.0/${entity}/${id}`, undefined, z.object({ item: schema.nullable() }));
    return (out.item ?? null) as z.output<S> | null;
  }

  /** Every record matching `filter`, page by page (nextPageUrl), up to `limit`. */
  async query<S extends z.ZodType>(entity: string, filter: Filter[], schema: S, limit = MAX_RECORDS): Promise<z.output<S>[]> {
    const body = { MaxRecords: Math.min(limit, MAX_RECORDS), filter };
    const page = z.object({ items: z.array(schema), pageDetails: PageDetailsSchema.optional() });
    const out: z.output<S>[] = [];
    let res = await this.call('POST', `/v1.0/${entity}/query`, body, page);
    out.push(...(res.items as z.output<S>[]));
    while (res.pageDetails?.nextPageUrl && out.length < limit) {
      const next = new URL(res.pageDetails.nextPageUrl);
      const path = next.pathname.replace(/^.*?(\/v1\.0\/)/i, '/v1.0/');
      res = await this.call('GET', path, undefined, page, Object.fromEntries(next.searchParams));
      out.push(...(res.items as z.output<S>[]));
    }
    return out.slice(0, limit);
  }

  async create(path: string, body: unknown): Promise<number> {
    return (await this.call('POST', path, body, ItemIdSchema)).itemId;
  }

  async patch(path: string, body: unknown): Promise<number> {
    return (await this.call('PATCH', path, body, ItemIdSchema)).itemId;
  }

  /** Refuses (retryable) when the database is near its hourly limit; answers what it knows. */
  async checkThreshold(): Promise<z.infer<typeof ThresholdSchema>> {
    this.sinceThreshold = 0;
    const t = await this.call('GET', '/v1.0/ThresholdInformation', undefined, ThresholdSchema, undefined, true);
    if (t.currentTimeframeRequestCount >= t.externalRequestThreshold * DATABASE_SHARE) {
      throw new DeskError(
        'E_DESK_RATE_LIMITED',
        `Autotask database has used ${t.currentTimeframeRequestCount} of ${t.externalRequestThreshold} API requests this timeframe: waiting`,
        { retryAfterMs: DEFAULT_WAIT_MS * 5 },
      );
    }
    return t;
  }

  private async call<S extends z.ZodType>(
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    body: unknown,
    schema: S,
    query?: Record<string, string>,
    skipThreshold = false,
  ): Promise<z.output<S>> {
    const http = await this.zone();
    if (!skipThreshold && ++this.sinceThreshold >= THRESHOLD_EVERY) await this.checkThreshold();
    const operation = `${method} ${path}`;
    const res = await this.count(() =>
      http.send({
        method,
        path,
        ...(query ? { query } : {}),
        ...(body === undefined ? {} : { body: JSON.stringify(body), contentType: 'application/json' }),
      }),
    );
    return deskShape(schema, deskJson(res, operation), res, operation);
  }

  /** Outpost's own calls in the last hour; refuses (retryable) over its share, turns 429 into a wait. */
  private async count<T>(send: () => Promise<T>): Promise<T> {
    const now = this.now();
    while (this.sent.length && this.sent[0]! <= now - HOUR_MS) this.sent.shift();
    if (this.sent.length >= this.config.maxRequestsPerHour) {
      const wait = this.sent[0]! + HOUR_MS - now;
      throw new DeskError(
        'E_DESK_RATE_LIMITED',
        `Outpost made ${this.sent.length} Autotask requests this hour (limit ${this.config.maxRequestsPerHour}): waiting`,
        { retryAfterMs: wait },
      );
    }
    this.sent.push(now);
    try {
      return await send();
    } catch (err) {
      if (err instanceof DeskError && err.code === 'E_DESK_RATE_LIMITED' && err.retryAfterMs === undefined) {
        throw new DeskError('E_DESK_RATE_LIMITED', err.message, {
          ...(err.status === undefined ? {} : { status: err.status }),
          retryAfterMs: DEFAULT_WAIT_MS,
        });
      }
      throw err;
    }
  }
}

/** Autotask answers errors as `{ "errors": ["..."] }`. */
function describeError(body: string): string | undefined {
  try {
    const parsed = z.object({ errors: z.array(z.string()) }).safeParse(JSON.parse(body));
    return parsed.success ? parsed.data.errors.join('; ') : undefined;
  } catch {
    return undefined;
  }
}
