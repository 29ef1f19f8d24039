// The first message on a connection: hello with the stored credentials, or enrol with the token.
import type { IdentityHints } from '../../shared/inventory.js';
import type { Logger } from '../../shared/log.js';
import { AgentMessages, PROTOCOL_VERSION, type AgentMessageMap } from '../../shared/protocol.js';
import type { StoredCredentials } from './credentials.js';
import { sameServer } from './url.js';

export type FirstMessage = AgentMessageMap['hello'] | AgentMessageMap['enrol'];

export interface FirstMessageInput {
  serverUrl: string;
  agentVersion: string;
  enrolmentToken?: string;
  credentials: StoredCredentials | undefined;
  hints: IdentityHints;
  log: Logger;
}

/** hello or enrol, validated; undefined (with the reason logged) when neither can be sent. */
export function firstMessage(input: FirstMessageInput): FirstMessage | undefined {
  const { log } = input;
  const creds = usableCredentials(input);
  const base: Pick<FirstMessage, 'protocol' | 'agentVersion' | 'hints'> = {
    protocol: PROTOCOL_VERSION,
    agentVersion: input.agentVersion,
    hints: input.hints,
  };
  let msg: FirstMessage;
  if (creds) msg = { type: 'hello', ...base, deviceId: creds.deviceId, secret: creds.secret };
  else if (input.enrolmentToken !== undefined) msg = { type: 'enrol', ...base, token: input.enrolmentToken };
  else {
    log.error({ code: 'E_CONFIG' }, 'this agent is not enrolled: no stored credentials and no enrolment token; will retry');
    return undefined;
  }
  const parsed = AgentMessages[msg.type].safeParse(msg);
  if (parsed.success) return msg;
  // The message holds the secret or token: name the field, never the value.
  const field = parsed.error.issues[0]?.path.join('.') ?? '(root)';
  log.error({ code: 'E_CONFIG', field }, `cannot send ${msg.type}: ${field} is not valid; will retry`);
  return undefined;
}

/** Stored credentials, unless another server issued them and a token can enrol us here. */
function usableCredentials(input: FirstMessageInput): StoredCredentials | undefined {
  const stored = input.credentials;
  if (!stored || sameServer(stored.serverUrl, input.serverUrl)) return stored;
  const fields = { issuedBy: stored.serverUrl, server: input.serverUrl };
  if (input.enrolmentToken !== undefined) {
    input.log.warn(fields, 'the stored credentials belong to another server; enrolling with the token');
    return undefined;
  }
  input.log.warn(fields, 'the stored credentials were issued under another server URL; trying them');
  return stored;
}
