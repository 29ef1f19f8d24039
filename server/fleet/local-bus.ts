// The bus of a server that is alone on its store (SQLite): every socket, timer and live event is in
// this process, so signals are delivered directly and singletons simply run. Presence is the store's
// online flag, cleared at start and at stop, as before there was a bus.
import { randomUUID } from 'node:crypto';
import type { LiveMessage } from '../live/hub.js';
import type { Store } from '../store/store.js';
import type { DeviceSignal, FleetBus, LocalDelivery, PresenceChange, SingletonName, SingletonPart, WakeTopic } from './bus.js';

export class LocalFleetBus implements FleetBus {
  readonly processId = randomUUID();
  private deliver: LocalDelivery = () => false;
  private readonly parts: SingletonPart[] = [];
  private readonly names: SingletonName[] = [];
  private readonly wakers = new Map<WakeTopic, (() => void)[]>();
  private readonly live = new Set<string>();
  private started = false;

  constructor(private readonly store: Pick<Store, 'setOnline' | 'clearOnline' | 'markDevices'>) {}

  async start(): Promise<void> {
    // Whatever was connected when the last run ended is not connected now.
    await this.store.clearOnline();
    this.started = true;
    for (const part of this.parts) part.start();
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    for (const part of [...this.parts].reverse()) await part.stop();
    this.live.clear();
    // One write for the whole fleet rather than one per connection closed.
    await this.store.clearOnline();
  }

  async claim(deviceId: string): Promise<void> {
    this.live.add(deviceId);
    await this.store.setOnline(deviceId, true);
  }

  async release(deviceId: string): Promise<boolean> {
    this.live.delete(deviceId);
    await this.store.setOnline(deviceId, false);
    return true;
  }

  async markMany(changes: readonly PresenceChange[]): Promise<boolean[]> {
    // The last change of each device is its state; one transaction for all of them.
    const last = new Map<string, boolean>();
    for (const { deviceId, online } of changes) {
      if (online) this.live.add(deviceId);
      else this.live.delete(deviceId);
      last.set(deviceId, online);
    }
    await this.store.markDevices([...last].map(([deviceId, online]) => ({ deviceId, online })));
    return changes.map(() => true);
  }

  async isLive(deviceId: string): Promise<boolean> {
    return this.live.has(deviceId);
  }

  onDeviceSignal(deliver: LocalDelivery): void {
    this.deliver = deliver;
  }

  async toDevice(signal: DeviceSignal): Promise<boolean> {
    return this.deliver(signal);
  }

  broadcastLive(_message: LiveMessage): void {
    // No other process.
  }

  onLive(_listener: (message: LiveMessage) => void): void {
    // No other process publishes.
  }

  wake(topic: WakeTopic): void {
    for (const listener of this.wakers.get(topic) ?? []) listener();
  }

  onWake(topic: WakeTopic, listener: () => void): void {
    this.wakers.set(topic, [...(this.wakers.get(topic) ?? []), listener]);
  }

  get runs(): SingletonName[] {
    return this.started ? [...this.names] : [];
  }

  singleton(name: SingletonName, part: SingletonPart): void {
    this.names.push(name);
    this.parts.push(part);
    if (this.started) part.start();
  }

  onOrphansReleased(_listener: (deviceIds: readonly string[]) => void): void {
    // A process alone on its store clears every flag at start.
  }
}
