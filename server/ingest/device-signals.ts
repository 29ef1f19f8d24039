// What the fleet bus may ask of a device's agent connection, wherever it lands: the signal kinds the
// gateway understands and what each does to the session. A part that adds a kind (a deployment, a
// template) registers its handler with the gateway (AgentGateway.onSignal) instead of editing this.
import { CLOSE_CODES, ServerMessages, type Settings } from '../../shared/protocol.js';
import type { DeviceSignal } from '../fleet/bus.js';
import type { AgentSession } from './session.js';

export const SIGNALS = {
  /** args: [command] (scan, full-snapshot, settings). */
  command: 'command',
  /** args: ticket refs whose state the endpoint should get again. */
  tickets: 'tickets',
  /** The device was merged into another: its connection ends. */
  merged: 'merged',
  /** Another process took the device's connection (pg-bus.ts REPLACED_SIGNAL). */
  replaced: 'replaced',
} as const;

export type SignalHandler = (session: AgentSession, args: readonly string[]) => void;

const commandNames = ServerMessages.command.shape.command;

/** The built-in kinds; `settings` is what a `settings` command carries (this process's). */
export function builtInSignalHandlers(settings: () => Settings): Map<string, SignalHandler> {
  return new Map<string, SignalHandler>([
    [
      SIGNALS.command,
      (session, args) => {
        const command = commandNames.safeParse(args[0]);
        if (!command.success) return;
        session.send({ type: 'command', command: command.data, ...(command.data === 'settings' ? { settings: settings() } : {}) });
      },
    ],
    [SIGNALS.tickets, (session, args) => session.pushTickets(args)],
    [SIGNALS.merged, (session) => session.close(CLOSE_CODES.merged, 'merged into another device')],
    [SIGNALS.replaced, (session) => session.close(CLOSE_CODES.replaced, 'replaced by a newer connection')],
  ]);
}

/** Ticket refs in signals of at most `max` args each. */
export function ticketSignals(deviceId: string, refs: readonly string[], max: number): DeviceSignal[] {
  const out: DeviceSignal[] = [];
  for (let i = 0; i < refs.length; i += max) out.push({ deviceId, kind: SIGNALS.tickets, args: refs.slice(i, i + max) });
  return out;
}
