import assert from 'node:assert/strict';
import { get, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import type { LiveEvents } from '../../shared/http-api.js';
import { silentLogger } from '../../shared/log.js';
import { LiveHub } from '../live/hub.js';
import { eventually } from '../../test/support/server/harness.js';
import { eventRoutes, type EventRoutesContext } from './events.js';

/** A real EventSource-like reader over http.get: keeps every frame it parsed, raw text too. */
class SseReader {
  text = '';
  ended = false;
  private constructor(readonly res: IncomingMessage) {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (this.text += chunk));
    res.on('error', () => undefined);
    res.on('close', () => (this.ended = true));
  }

  static open(url: string, flowing = true): Promise<SseReader> {
    return new Promise((resolve, reject) => {
      const req = get(url, (res) => {
        const reader = new SseReader(res);
        if (!flowing) res.pause();
        resolve(reader);
      });
      req.on('error', reject);
    });
  }

  /** Frames as the browser's EventSource would see them (blank-line separated, field: value lines). */
  frames(): { event?: string; data?: string; retry?: string; comment?: string }[] {
    return this.text
      .split('\n\n')
      .slice(0, -1)
      .map((block) => {
        const frame: Record<string, string> = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) frame.comment = line.slice(1).trim();
          else frame[line.slice(0, line.indexOf(':'))] = line.slice(line.indexOf(':') + 1).trimStart();
        }
        return frame;
      });
  }

  events(): { name: string; data: unknown }[] {
    return this.frames()
      .filter((f) => f.event !== undefined)
      .map((f) => ({ name: f.event!, data: JSON.parse(f.data!) as unknown }));
  }

  close(): void {
    this.res.destroy();
  }
}

const presence = (deviceId: string, online: boolean): LiveEvents['presence'] => ({ deviceId, online, at: '2025-01-02T03:04:05.000Z' });

describe('GET /api/events', () => {
  let app: FastifyInstance | null = null;
  let hub: LiveHub;
  const readers: SseReader[] = [];

  const serve = async (opts: Partial<EventRoutesContext> = {}) => {
    hub = new LiveHub();
    app = Fastify({ logger: false, forceCloseConnections: true });
    eventRoutes(app, { hub, log: silentLogger, ...opts });
    await app.listen({ host: '127.0.0.1', port: 0 });
    return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/events`;
  };
  const connect = async (url: string, flowing = true) => {
    const reader = await SseReader.open(url, flowing);
    readers.push(reader);
    return reader;
  };

  afterEach(async () => {
    for (const r of readers.splice(0)) r.close();
    await app?.close();
    app = null;
  });

  it('streams each published event to every open reader, in order, as event/data frames', async () => {
    const url = await serve();
    const [a, b] = [await connect(url), await connect(url)];
    assert.equal(a.res.statusCode, 200);
    assert.equal(a.res.headers['content-type'], 'text/event-stream; charset=utf-8');
    assert.equal(a.res.headers['cache-control'], 'no-store');
    assert.equal(a.res.headers['x-accel-buffering'], 'no');
    await eventually(() => hub.subscriberCount === 2);

    hub.publish('presence', presence('dev-1', true));
    hub.publish('inventory', {
      deviceId: 'dev-1',
      hostname: 'pc-1',
      sections: ['software'],
      trigger: 'software-change',
      at: '2025-01-02T03:04:06.000Z',
    });
    hub.publish('ticket', { ticketId: 7, deviceId: null, at: '2025-01-02T03:04:07.000Z' });

    for (const reader of [a, b]) {
      await eventually(() => reader.events().length === 3);
      assert.equal(reader.frames()[0]!.retry, '3000', 'the reconnect delay comes first');
      assert.deepEqual(reader.events(), [
        { name: 'presence', data: presence('dev-1', true) },
        {
          name: 'inventory',
          data: { deviceId: 'dev-1', hostname: 'pc-1', sections: ['software'], trigger: 'software-change', at: '2025-01-02T03:04:06.000Z' },
        },
        { name: 'ticket', data: { ticketId: 7, deviceId: null, at: '2025-01-02T03:04:07.000Z' } },
      ]);
    }
  });

  it('sends a heartbeat comment on the configured interval', async () => {
    const url = await serve({ heartbeatMs: 30 });
    const reader = await connect(url);
    await eventually(() => reader.frames().filter((f) => f.comment === 'heartbeat').length >= 2);
    assert.deepEqual(reader.events(), []);
  });

  it('unsubscribes a reader that goes away, and the others keep receiving', async () => {
    const url = await serve();
    const [gone, stays] = [await connect(url), await connect(url)];
    await eventually(() => hub.subscriberCount === 2);
    gone.close();
    await eventually(() => hub.subscriberCount === 1);
    hub.publish('presence', presence('dev-2', false));
    await eventually(() => stays.events().length === 1);
  });

  it('refuses streams beyond the cap with 503 E_BUSY, and accepts again once one closes', async () => {
    const url = await serve({ maxStreams: 2 });
    const first = await connect(url);
    await connect(url);
    const refused = await connect(url);
    assert.equal(refused.res.statusCode, 503);
    assert.equal(refused.res.headers['retry-after'], '10');
    await eventually(() => refused.ended);
    assert.equal((JSON.parse(refused.text) as { error: { code: string } }).error.code, 'E_BUSY');

    first.close();
    await eventually(() => hub.subscriberCount === 1);
    assert.equal((await connect(url)).res.statusCode, 200);
  });

  it('lets app.close() return promptly with streams open, ending them', async () => {
    const url = await serve();
    const reader = await connect(url);
    await eventually(() => hub.subscriberCount === 1);
    const started = Date.now();
    await app!.close();
    app = null;
    assert.ok(Date.now() - started < 1000, `close took ${Date.now() - started} ms`);
    await eventually(() => reader.ended);
    assert.equal(hub.subscriberCount, 0);
  });

  it('drops a reader that stops reading once its backlog passes the bound; a reader that keeps up stays', async () => {
    const url = await serve({ maxQueuedBytes: 64 * 1024 });
    await connect(url, false);
    const live = await connect(url);
    await eventually(() => hub.subscriberCount === 2);
    const big = 'x'.repeat(8 * 1024);
    let published = 0;
    // Published a little at a time so the live reader (same process) gets to read in between;
    // the stalled one fills its socket buffers and then the bound. Capped so a bug cannot loop forever.
    while (hub.subscriberCount === 2 && published < 8000) {
      for (let i = 0; i < 4; i++)
        hub.publish('inventory', { deviceId: `d${published++}`, hostname: big, sections: [], trigger: 'manual', at: '' });
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(hub.subscriberCount, 1, `the stalled reader was not dropped after ${published} events`);
    await eventually(() => live.events().length === published, 5000);
    assert.equal(live.ended, false);
  });
});
