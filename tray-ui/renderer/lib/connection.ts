// The connection pill in every window's header: connected, offline or agent not running. Pages
// that care (the ticket form) subscribe to hear when it changes.
import type { TrayResults } from '../../../shared/tray-api.js';
import { api, TrayFailure } from './api.js';
import { byId, whileVisible } from './dom.js';

export type Connection =
  | { state: 'connected'; status: TrayResults['status'] }
  | { state: 'offline'; status: TrayResults['status'] }
  | { state: 'no-agent'; message: string };

const POLL_MS = 10_000;

export function watchConnection(onChange: (c: Connection) => void = () => undefined): void {
  const pill = byId('connection');
  whileVisible(POLL_MS, async () => {
    const c = await readConnection();
    pill.dataset.state = c.state;
    pill.textContent = c.state === 'connected' ? 'Connected' : c.state === 'offline' ? 'Offline' : 'Agent not running';
    pill.title = c.state === 'no-agent' ? c.message : `Server: ${c.status.server}`;
    onChange(c);
  });
}

export async function readConnection(): Promise<Connection> {
  const result = await api()
    .status()
    .catch(() => undefined);
  if (!result) return { state: 'no-agent', message: 'Outpost did not answer.' };
  if (!result.ok) return { state: 'no-agent', message: new TrayFailure(result.error).message };
  return { state: result.value.connected ? 'connected' : 'offline', status: result.value };
}
