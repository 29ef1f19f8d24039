// ServiceDesk Plus API v3 transport: the documented Accept header, the on-premises or cloud auth
// header, the portal named on every call (/app/<portal>) when configured, input_data as a form
// field (POST/PUT) or a query parameter (GET), files as the one multipart field input_file, and
// answers checked for response_status and against ./shapes.ts.
import { z } from 'zod';
import type { Logger } from '../../../shared/log.js';
import { DeskError, isDeskError } from '../errors.js';
import { DeskHttp, deskJson, deskShape, type DeskResponse } from '../http.js';
import type { SdpConfig } from './config.js';
import { ListInfoOutSchema, SDP_ACCEPT, SDP_FORM, StatusEnvelopeSchema, type ListInput } from './shapes.js';

export interface SdpList<T> {
  items: T[];
  hasMore: boolean;
  serverNow: Date | null;
}

export class SdpClient {
  private readonly http: DeskHttp;

  constructor(config: SdpConfig, log: Logger, fetchImpl?: typeof fetch) {
    const auth: Record<string, string> =
      config.flavour === 'onprem' ? { authtoken: config.token } : { Authorization: `Zoho-oauthtoken ${config.token}` };
    this.http = new DeskHttp({
      baseUrl: config.url.replace(/\/+$/, '') + (config.portal ? `/app/${config.portal}` : ''),
      headers: { Accept: SDP_ACCEPT, ...auth },
      timeoutMs: config.timeoutMs,
      log,
      describeError,
      ...(fetchImpl ? { fetchImpl } : {}),
    });
  }

  /** One record: `{ <key>: {...}, response_status }`. */
  async one<S extends z.ZodType>(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    key: string,
    schema: S,
    input?: unknown,
  ): Promise<z.output<S>> {
    const res = await this.send(method, path, input);
    const data = parse(z.object({ [key]: schema }), res, `${method} ${path}`);
    return data[key] as z.output<S>;
  }

  /** One page of a list: `{ <key>: [...], list_info, response_status }`. */
  async list<S extends z.ZodType>(path: string, key: string, schema: S, input: ListInput): Promise<SdpList<z.output<S>>> {
    const res = await this.send('GET', path, input);
    const data = parse(z.object({ [key]: z.array(schema).default([]), list_info: ListInfoOutSchema.optional() }), res, `GET ${path}`);
    const date = res.headers.get('date');
    return {
      items: data[key] as z.output<S>[],
      hasMore: (data.list_info as z.infer<typeof ListInfoOutSchema> | undefined)?.has_more_rows ?? false,
      serverNow: date ? new Date(date) : null,
    };
  }

  /** True when `path` answers, false when SDP has no such endpoint (an older build). */
  async exists(path: string): Promise<boolean> {
    try {
      await this.send('GET', path, undefined);
      return true;
    } catch (err) {
      if (isDeskError(err) && (err.status === 404 || err.code === 'E_DESK_NOT_FOUND')) return false;
      throw err;
    }
  }

  /** One file to a record (e.g. PUT /api/v3/requests/{id}/upload): the multipart field input_file, one file per call. */
  async upload(path: string, file: { name: string; type: string; contentBase64: string }): Promise<void> {
    const form = new FormData();
    form.append(
      'input_file',
      new Blob([Buffer.from(file.contentBase64, 'base64')], { type: file.type || 'application/octet-stream' }),
      file.name,
    );
    const res = await this.http.send({ method: 'PUT', path, body: form });
    parse(z.object({}).loose(), res, `PUT ${path}`);
  }

  private send(method: 'GET' | 'POST' | 'PUT', path: string, input: unknown): Promise<DeskResponse> {
    const encoded = input === undefined ? undefined : JSON.stringify(input);
    if (method === 'GET') return this.http.send({ method, path, ...(encoded ? { query: { input_data: encoded } } : {}) });
    return this.http.send({
      method,
      path,
      contentType: SDP_FORM,
      body: new URLSearchParams({ input_data: encoded ?? '{}' }).toString(),
    });
  }
}

function describeError(body: string): string | undefined {
  try {
    const env = StatusEnvelopeSchema.safeParse(JSON.parse(body));
    if (!env.success) return undefined;
    const statuses = Array.isArray(env.data.response_status) ? env.data.response_status : [env.data.response_status];
    const messages = statuses.flatMap((s) => (s.messages ?? []).map((m) => [m.field, m.message].filter(Boolean).join(': ')));
    return messages.filter(Boolean).join('; ') || statuses[0]?.status;
  } catch {
    return undefined;
  }
}

function parse<S extends z.ZodType>(schema: S, res: DeskResponse, operation: string): z.output<S> {
  const json = deskJson(res, operation);
  const env = StatusEnvelopeSchema.safeParse(json);
  const statuses = env.success ? [env.data.response_status].flat() : [];
  if (statuses.some((s) => s.status_code !== 2000 && s.status !== 'success')) {
    throw new DeskError('E_DESK_REJECTED', `${operation}: ${describeError(res.text) ?? 'failed'}`, { operation, status: res.status });
  }
  return deskShape(schema, json, res, operation);
}
