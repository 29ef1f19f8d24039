// The link hands messages to the agent through callbacks. A callback that throws is the agent's
// failure to take one message: it is logged and the connection carries on.
import type { Logger } from '../../shared/log.js';
import { errorText } from './socket.js';

export function callAgent(log: Logger, fields: Record<string, unknown>, failure: string, call: () => void): void {
  try {
    call();
  } catch (err) {
    log.error({ err: errorText(err), ...fields }, failure);
  }
}
