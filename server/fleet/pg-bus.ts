// The fleet bus on PostgreSQL: several server processes on one database. Sessions and process
// heartbeats in rows (pg-presence.ts), signals, live events and wake-ups over LISTEN/NOTIFY on one
// dedicated connection (pg-listener.ts), fleet-wide parts under advisory locks (pg-singletons.ts).
// Every tick (heartbeatMs) the process says it is alive, reaps processes silent for leaseMs, and
// tries the locks it does not hold.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from '../../shared/log.js';
import type { LiveMessage } from '../live/hub.js';
import { createPool } from '../store/postgres/open.js';
import type { DeviceSignal, FleetBus, LocalDelivery, SingletonName, SingletonPart, WakeTopic } from './bus.js';
import { FLEET_CHANNEL, PgListener } from './pg-listener.js';
import { encodeFleetMessage, encodeLiveEvents, parseFleetMessage, type FleetLiveEvent, type FleetMessage } from './pg-messages.js';
import { ensureFleetSchema, PgPresence } from './pg-presence.js';
import { PgSingletons } from './pg-singletons.js';

/**
 * Live events published within this many milliseconds leave in one NOTIFY (as many as fit): in a
 * burst every applied batch publishes one, and one NOTIFY each cost a round trip, PostgreSQL's
 * cluster-wide notify lock at commit and a wake-up of every listening process. The console sees an
 * event this much later at most.
 */
export const LIVE_COALESCE_MS = 25;

/** A device session's kind that tells its old holder to close it: another process took the device. */
export const REPLACED_SIGNAL = 'replaced';

export interface PgBusOptions {
  url: string;
  log: Logger;
  now: () => number;
  /** How often the process says it is alive and looks for dead ones. Default 5 s. */
  heartbeatMs?: number;
  /** A process not heard from for this long is dead: its devices go offline. Default 20 s. */
  leaseMs?: number;
  /** The listening connection's first reconnect delay (tests). */
  retryMs?: number;
}

export class PgFleetBus implements FleetBus {
  readonly processId = randomUUID();
  private readonly pool: pg.Pool;
  private readonly presence: PgPresence;
  private readonly listener: PgListener;
  private readonly singletons: PgSingletons;
  private readonly local = new Set<string>();
  private deliver: LocalDelivery = () => false;
  private readonly liveListeners: ((message: LiveMessage) => void)[] = [];
  private readonly wakers = new Map<WakeTopic, (() => void)[]>();
  private readonly orphanListeners: ((ids: readonly string[]) => void)[] = [];
  private readonly pendingWakes = new Set<WakeTopic>();
  private pendingLive: FleetLiveEvent[] = [];
  private liveTimer: NodeJS.Timeout | undefined;
  /** Live payloads leave one after another: on the pool's several connections they could overtake. */
  private liveSent: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private started = false;

  constructor(private readonly opts: PgBusOptions) {
    this.pool = createPool(opts.url, 4);
    this.presence = new PgPresence(this.pool, this.processId);
    this.singletons = new PgSingletons(opts.log);
    this.listener = new PgListener({
      url: opts.url,
      log: opts.log,
      applicationName: `outpost-fleet-${this.processId}`,
      ...(opts.retryMs !== undefined ? { retryMs: opts.retryMs } : {}),
      onNotification: (payload) => this.received(payload),
      onUp: (client) => this.singletons.tryTake(client),
      onDown: () => this.singletons.lost(),
    });
  }

  private get leaseMs(): number {
    return this.opts.leaseMs ?? 20_000;
  }

  async start(): Promise<void> {
    await ensureFleetSchema(this.pool);
    await this.presence.heartbeat(this.opts.now());
    await this.listener.start();
    this.started = true;
    await this.tick();
    this.report(await this.presence.clearUnheld());
    this.timer = setInterval(() => void this.tick(), this.opts.heartbeatMs ?? 5_000);
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.flushLive();
    this.started = false;
    clearInterval(this.timer);
    await this.ticking;
    await this.liveSent;
    await this.singletons.release(this.listener.connection);
    await this.listener.stop();
    this.local.clear();
    await this.presence.releaseAll().catch((err: unknown) => this.opts.log.warn({ err: errorText(err) }, 'could not release sessions'));
    await this.pool.end();
  }

  /** One heartbeat: alive, reap the dead, retake lost locks. Public so tests drive it with a fake clock. */
  tick(): Promise<void> {
    this.ticking = this.ticking.then(async () => {
      if (!this.started) return;
      try {
        const at = this.opts.now();
        if ((await this.presence.heartbeat(at)) === 'was-reaped') await this.reclaim(at);
        this.report(await this.presence.reap(at - this.leaseMs));
        await this.singletons.tryTake(this.listener.connection);
      } catch (err) {
        this.opts.log.warn({ err: errorText(err) }, 'fleet heartbeat failed');
      }
    });
    return this.ticking;
  }

  get runs(): SingletonName[] {
    return this.singletons.held;
  }

  async claim(deviceId: string): Promise<void> {
    this.local.add(deviceId);
    const previous = await this.presence.claim(deviceId, this.opts.now());
    if (previous !== null)
      this.notify({ k: 'signal', from: this.processId, to: previous, signal: { deviceId, kind: REPLACED_SIGNAL, args: [] } });
  }

  async release(deviceId: string): Promise<boolean> {
    this.local.delete(deviceId);
    return this.presence.release(deviceId);
  }

  async isLive(deviceId: string): Promise<boolean> {
    return this.local.has(deviceId) || (await this.presence.holder(deviceId, this.opts.now() - this.leaseMs)) !== null;
  }

  onDeviceSignal(deliver: LocalDelivery): void {
    this.deliver = deliver;
  }

  async toDevice(signal: DeviceSignal): Promise<boolean> {
    if (this.deliver(signal)) return true;
    const holder = await this.presence.holder(signal.deviceId, this.opts.now() - this.leaseMs);
    if (holder === null || holder === this.processId) return false;
    return this.notify({ k: 'signal', from: this.processId, to: holder, signal: { ...signal, args: [...signal.args] } });
  }

  broadcastLive(message: LiveMessage): void {
    if (!this.started) return;
    this.pendingLive.push({ name: message.name, data: { ...message.data } });
    this.liveTimer ??= setTimeout(() => this.flushLive(), LIVE_COALESCE_MS);
  }

  private flushLive(): void {
    clearTimeout(this.liveTimer);
    this.liveTimer = undefined;
    const events = this.pendingLive;
    this.pendingLive = [];
    if (events.length === 0) return;
    const { payloads, dropped } = encodeLiveEvents(this.processId, events);
    if (dropped > 0) this.opts.log.warn({ kind: 'live', dropped }, 'fleet message too large for NOTIFY; not sent');
    for (const payload of payloads) this.liveSent = this.liveSent.then(() => this.send(payload, 'lives'));
  }

  onLive(listener: (message: LiveMessage) => void): void {
    this.liveListeners.push(listener);
  }

  wake(topic: WakeTopic): void {
    for (const listener of this.wakers.get(topic) ?? []) listener();
    // Many wakes in one turn of the loop (a batch queuing several desk jobs) are one NOTIFY.
    if (this.pendingWakes.has(topic)) return;
    this.pendingWakes.add(topic);
    setImmediate(() => {
      this.pendingWakes.delete(topic);
      this.notify({ k: 'wake', from: this.processId, topic });
    });
  }

  onWake(topic: WakeTopic, listener: () => void): void {
    this.wakers.set(topic, [...(this.wakers.get(topic) ?? []), listener]);
  }

  singleton(name: SingletonName, part: SingletonPart): void {
    this.singletons.add(name, part);
    if (this.started) void this.singletons.tryTake(this.listener.connection);
  }

  onOrphansReleased(listener: (deviceIds: readonly string[]) => void): void {
    this.orphanListeners.push(listener);
  }

  /** After others reaped this process during a pause, its sockets are still open: hold them again. */
  private async reclaim(at: number): Promise<void> {
    this.opts.log.warn({ devices: this.local.size }, 'this process was taken for dead; claiming its devices again');
    for (const deviceId of this.local) await this.presence.claim(deviceId, at);
  }

  private report(deviceIds: string[]): void {
    if (deviceIds.length === 0) return;
    this.opts.log.info({ devices: deviceIds.length }, 'devices of a stopped server process marked offline');
    for (const listener of this.orphanListeners) listener(deviceIds);
  }

  private notify(message: FleetMessage): boolean {
    if (!this.started) return false;
    const payload = encodeFleetMessage(message);
    if (payload === null) {
      this.opts.log.warn({ kind: message.k }, 'fleet message too large for NOTIFY; not sent');
      return false;
    }
    void this.send(payload, message.k);
    return true;
  }

  private send(payload: string, kind: string): Promise<void> {
    return this.pool.query('SELECT pg_notify($1, $2)', [FLEET_CHANNEL, payload]).then(
      () => undefined,
      (err: unknown) => this.opts.log.warn({ err: errorText(err), kind }, 'fleet message not sent'),
    );
  }

  private received(payload: string): void {
    const message = parseFleetMessage(payload);
    if (!message) {
      this.opts.log.warn({ bytes: payload.length }, 'fleet message not understood; ignored');
      return;
    }
    if (message.from === this.processId) return;
    if (message.k === 'live' || message.k === 'lives') {
      for (const event of message.k === 'live' ? [message] : message.events) {
        const live = { name: event.name, data: event.data } as unknown as LiveMessage;
        for (const listener of this.liveListeners) listener(live);
      }
    } else if (message.k === 'wake') {
      for (const listener of this.wakers.get(message.topic) ?? []) listener();
    } else if (message.to === this.processId) {
      void this.signalled(message.signal);
    }
  }

  private async signalled(signal: DeviceSignal): Promise<void> {
    try {
      // "Replaced" closes this process's socket only if the device is really held elsewhere now.
      if (signal.kind === REPLACED_SIGNAL) {
        const holder = await this.presence.holder(signal.deviceId, this.opts.now() - this.leaseMs);
        if (holder === this.processId) return;
        this.local.delete(signal.deviceId);
      }
      this.deliver(signal);
    } catch (err) {
      this.opts.log.warn({ err: errorText(err) }, 'fleet signal not handled');
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
