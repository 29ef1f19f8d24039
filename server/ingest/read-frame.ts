// What one agent frame says, decided without I/O and without the session: JSON, the entry budget's
// screen (authenticated devices only), the schema, and the more precise codes for a foreign protocol
// version or an oversized batch. The same function runs on the event loop for small frames and in
// the frame worker for large ones (frame-reader.ts), so both paths refuse with the same codes.
import type { ErrorCode } from '../../shared/errors.js';
import { AgentMessages, LIMITS, PROTOCOL_VERSION, parseFrame, type AgentMessage } from '../../shared/protocol.js';
import { screenBudget, type Screened } from './budget-screen.js';

export type FrameReading =
  /** `overBudget`: items taken out before the schema check, each refused by its seq. */
  | { ok: true; message: AgentMessage; overBudget: Screened[] }
  /** Every item was past the budget: nothing was left to validate. */
  | { ok: true; message: null; overBudget: Screened[] }
  | { ok: false; code: ErrorCode; message: string };

/** Reads one text frame. `authenticated`: whether its sender is a known device (only then is an
 * `items` message screened against the budget; before that it is refused anyway). Never throws. */
export function readAgentFrame(text: string, authenticated: boolean): FrameReading {
  let overBudget: Screened[] = [];
  let emptied = false;
  const parsed = parseFrame(AgentMessages, text, (data) => {
    if (!authenticated) return;
    overBudget = screenBudget(data);
    emptied = overBudget.length > 0 && (data as { items: unknown[] }).items.length === 0;
  });
  if (emptied) return { ok: true, message: null, overBudget };
  if (!parsed.ok) return { ok: false, ...refine(parsed.code, parsed.message, text) };
  return { ok: true, message: parsed.message, overBudget };
}

/** Schema failures that have a more precise code: a foreign protocol version, an oversized batch. */
function refine(code: ErrorCode, message: string, text: string): { code: ErrorCode; message: string } {
  if (code !== 'E_BAD_MESSAGE') return { code, message };
  // parseFrame got as far as the schema, so the text is JSON with a known type.
  const data = JSON.parse(text) as { type?: unknown; protocol?: unknown; items?: unknown };
  if ((data.type === 'enrol' || data.type === 'hello') && data.protocol !== PROTOCOL_VERSION) {
    return { code: 'E_PROTOCOL_VERSION', message: `This server speaks protocol version ${PROTOCOL_VERSION}.` };
  }
  if (data.type === 'items' && Array.isArray(data.items) && data.items.length > LIMITS.maxBatchItems) {
    return { code: 'E_BATCH_TOO_LARGE', message: `A batch holds at most ${LIMITS.maxBatchItems} items.` };
  }
  return { code, message };
}
