// The fleet bus's own PostgreSQL connection: LISTENs on the fleet channel and holds the singletons'
// advisory locks (session locks die with the connection, so a dead process frees them). When the
// connection drops, onDown says so at once (the singletons stop: their locks are gone) and it
// reconnects with a growing delay; onUp runs after every (re)connection.
import pg from 'pg';
import type { Logger } from '../../shared/log.js';

export const FLEET_CHANNEL = 'outpost_fleet';
const MAX_RETRY_MS = 10_000;

export interface ListenerOptions {
  url: string;
  log: Logger;
  onNotification(payload: string): void;
  /** Connected and listening (again): take the locks. */
  onUp(client: pg.Client): Promise<void>;
  /** The connection is gone: its locks are gone with it. */
  onDown(): void;
  /** First retry delay; doubles up to 10 s. Default 250 ms. */
  retryMs?: number;
  /** Shown in pg_stat_activity: which server process this connection is. */
  applicationName: string;
}

export class PgListener {
  private client: pg.Client | null = null;
  private stopped = true;
  private retry: NodeJS.Timeout | undefined;
  private failures = 0;

  constructor(private readonly opts: ListenerOptions) {}

  /** Connects once; a failure here is the caller's (a wrong URL shows at start-up). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => undefined);
  }

  /** The listening connection, while it is up (for the singletons' locks). */
  get connection(): pg.Client | null {
    return this.client;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.opts.url, application_name: this.opts.applicationName });
    let down = false;
    const lost = (why: string) => {
      if (down) return;
      down = true;
      if (this.client === client) this.client = null;
      if (this.stopped) return;
      this.opts.log.warn({ why }, 'fleet bus connection lost; reconnecting');
      this.opts.onDown();
      this.scheduleReconnect();
    };
    client.on('error', (err) => lost(err.message));
    client.on('end', () => lost('closed'));
    client.on('notification', (n) => {
      if (n.channel === FLEET_CHANNEL && n.payload !== undefined) this.opts.onNotification(n.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${FLEET_CHANNEL}`);
    } catch (err) {
      down = true;
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.failures = 0;
    await this.opts.onUp(client);
  }

  private scheduleReconnect(): void {
    const delay = Math.min(MAX_RETRY_MS, (this.opts.retryMs ?? 250) * 2 ** this.failures);
    this.failures++;
    this.retry = setTimeout(() => {
      if (this.stopped) return;
      this.connect().catch((err: unknown) => {
        this.opts.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'fleet bus reconnect failed');
        if (!this.stopped) this.scheduleReconnect();
      });
    }, delay);
  }
}
