// The seam between one server process and the others on the same store. With SQLite there is one
// process and the bus is local (local-bus.ts: today's behaviour). With PostgreSQL several processes
// share the database and the bus is PostgreSQL's LISTEN/NOTIFY plus a few coordination rows
// (pg-bus.ts): who holds which device's socket, which process runs the fleet-wide timers, and the
// console's live events from every process.
import { z } from 'zod';
import type { LiveMessage } from '../live/hub.js';

/**
 * Something for one device's agent connection, wherever it is: a command, "tickets changed", "close".
 * Small on purpose: a kind and a few short strings; the process holding the socket reads the data
 * from the store. Other parts add kinds (the gateway registers a handler per kind).
 */
export interface DeviceSignal {
  deviceId: string;
  kind: string;
  /** Short arguments (a command name, ticket refs); at most MAX_SIGNAL_ARGS of MAX_ARG_CHARS. */
  args: readonly string[];
}

export const MAX_SIGNAL_ARGS = 50;
export const MAX_ARG_CHARS = 80;

export const DeviceSignalSchema = z.object({
  deviceId: z.string().min(1).max(80),
  kind: z.string().regex(/^[a-z][a-z.-]{0,31}$/),
  args: z.array(z.string().max(MAX_ARG_CHARS)).max(MAX_SIGNAL_ARGS),
});

/** A device's connection in this process opened (online) or closed. */
export interface PresenceChange {
  deviceId: string;
  online: boolean;
}

/** Delivers a signal to a socket this process holds; false when it holds none for that device. */
export type LocalDelivery = (signal: DeviceSignal) => boolean;

/** A fleet-wide part (desk sync, software sweeper): runs in exactly one process at a time. */
export interface SingletonPart {
  start(): void;
  stop(): Promise<void> | void;
}

export interface FleetBus {
  /** This process's id among the fleet's processes (random per start). */
  readonly processId: string;
  start(): Promise<void>;
  /** Releases this process's device sessions and singletons, then closes its connections. */
  stop(): Promise<void>;

  /** An agent connection for the device opened here (after authentication). */
  claim(deviceId: string): Promise<void>;
  /** The device's connection here closed; true when that took it offline (no other process holds it). */
  release(deviceId: string): Promise<boolean>;
  /**
   * Connections that opened (online) or closed here, in the order they did, as claim and release one
   * by one would; a bus that can writes them at once (local-bus.ts: one transaction for a storm's
   * tick). Per change, what claim (true) or release would have returned.
   */
  markMany?(changes: readonly PresenceChange[]): Promise<boolean[]>;
  /** Whether some process holds a live connection for the device (this one included). */
  isLive(deviceId: string): Promise<boolean>;

  /** Where signals for sockets in this process are handed over (the gateway). */
  onDeviceSignal(deliver: LocalDelivery): void;
  /** Sends the signal to whichever process holds the device's socket; false when none does. */
  toDevice(signal: DeviceSignal): Promise<boolean>;

  /** Hands a live event to the other processes (this process's hub has it already). */
  broadcastLive(message: LiveMessage): void;
  /** Live events published by the other processes. */
  onLive(listener: (message: LiveMessage) => void): void;

  /** Wakes `topic`'s listeners in every process (e.g. "old software rows to sweep"), coalesced. */
  wake(topic: WakeTopic): void;
  onWake(topic: WakeTopic, listener: () => void): void;

  /** Runs `part` in exactly one process of the fleet; another takes over when that one dies. */
  singleton(name: SingletonName, part: SingletonPart): void;
  /** The fleet-wide parts this process runs now. */
  readonly runs: SingletonName[];

  /** Devices this process found held by a process that died; their presence went offline. */
  onOrphansReleased(listener: (deviceIds: readonly string[]) => void): void;
}

export const WAKE_TOPICS = ['sweep', 'templates', 'self-service'] as const;
export type WakeTopic = (typeof WAKE_TOPICS)[number];

/** Fleet-wide parts, each its own lock. Add a name for a new one; never reuse a number. */
export const SINGLETONS = { desk: 1, sweeper: 2 } as const;
export type SingletonName = keyof typeof SINGLETONS;
