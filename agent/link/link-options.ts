// What a Link is configured with, and the timing constants it uses.
import type { IdentityHints } from '../../shared/inventory.js';
import type { Logger } from '../../shared/log.js';
import type { ServerMessageMap } from '../../shared/protocol.js';
import type { Outbox } from '../outbox/outbox.js';
import type { CredentialStore } from './credentials.js';

export interface LinkOptions {
  /** Base URL: ws(s):// or http(s)://; the link connects to <base>/agent. */
  serverUrl: string;
  credentials: CredentialStore;
  /** Used only when no credentials are stored (or the stored ones are rejected). */
  enrolmentToken?: string;
  /** PEM: the only CA trusted for wss:// when set (pinned); otherwise the system's trust store. */
  ca?: string;
  outbox: Outbox;
  hints: () => Promise<IdentityHints>;
  agentVersion: string;
  log: Logger;
  /** Commands for the agent: scan, settings. The settings in each welcome arrive here too. */
  onCommand: (cmd: ServerMessageMap['command']) => void;
  onConnectionChange?: (connected: boolean) => void;
  /** This device's tickets as the server has them: all (full, after each welcome) or those that changed. */
  onTickets?: (msg: ServerMessageMap['tickets']) => void;
  /** The ticket templates IT offers, all of them: after each welcome and after each change. */
  onTemplates?: (msg: ServerMessageMap['templates']) => void;
  /** The software this device's people may ask for, all of it: after each welcome and after each change. */
  onSelfService?: (msg: ServerMessageMap['self-service']) => void;
  /** The server's answer to a worklog item: recorded, or rejected with a reason to show. */
  onWorklogResult?: (msg: ServerMessageMap['worklog-result']) => void;
  /** A signed deployment command (agent/deploy/runner.ts checks it). */
  onDeploy?: (msg: ServerMessageMap['deploy']) => void;
  /** The server's deployment signing key: at enrolment (pin it) or in welcome (pin it if none is). */
  onDeployKey?: (key: string, atEnrolment: boolean) => void;
  /** The server refused an item of the batch it is about to ack (a quota): called while the item
   * is still in the outbox, so its owner can keep what the person wrote and say why. */
  onItemRefused?: (seq: number, error: { code: string; message: string }) => void;
  /** [0, 1), for backoff jitter. */
  random?: () => number;
  /** No ping or message from the server for this long: the connection is dead. Default 35 s. */
  heartbeatTimeoutMs?: number;
  handshakeTimeoutMs?: number;
}

/** The server pings every 30 s; five seconds of grace for a slow network. */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 35_000;
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 15_000;
/** A connection up this long was healthy: the next failure starts the backoff afresh. */
export const STABLE_CONNECTION_MS = 60_000;
/** A server that is going away (restart, deploy) sees its fleet back spread over ~8 s, not at once. */
export const GOING_AWAY_MIN_ATTEMPT = 3;
/**
 * ws compresses every frame while the compression context is kept between messages (the default),
 * whatever this threshold. A server that saves memory by negotiating client_no_context_takeover
 * makes ws skip frames under the threshold; ws's default of 1024 would then send every delta raw
 * (one added package: 444 B on the wire instead of 315 B).
 */
export const DEFLATE_THRESHOLD_BYTES = 64;
