// Test helper for the link tests: a FakeAgentServer, a real Outbox in a temp dir, file credentials
// and a Link wired to them, with everything the link reports recorded.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptySnapshot } from '../../shared/delta.js';
import type { IdentityHints, Snapshot, Software } from '../../shared/inventory.js';
import type { ServerMessageMap } from '../../shared/protocol.js';
import { FakeAgentServer, type FakeAgentServerOptions } from '../fakes/agent-server.js';
import { RecordingLogger } from '../fakes/recording-logger.js';
import { deadline } from './deadline.js';
import { Outbox } from '../../agent/outbox/outbox.js';
import { FileCredentialStore } from '../../agent/link/credentials.js';
import { Link, type LinkOptions } from '../../agent/link/link.js';

export const TOKEN = 'enrol-token-0123456789';
export const HINTS: IdentityHints = { installId: 'install-0123456789', hostname: 'pc-1', macs: ['52:54:00:12:34:56'] };

export interface Harness {
  server: FakeAgentServer;
  outbox: Outbox;
  link: Link;
  log: RecordingLogger;
  credentials: FileCredentialStore;
  commands: ServerMessageMap['command'][];
  connectionChanges: boolean[];
  hintCalls: () => number;
  /** Records `count` snapshots, each one package more than the last. */
  record: (count: number) => void;
  close: () => Promise<void>;
}

export interface HarnessOptions {
  server?: FakeAgentServerOptions;
  /** Enrolment token the link is configured with; null for none. Default TOKEN. */
  token?: string | null;
  link?: Partial<LinkOptions>;
  maxInventoryBacklog?: number;
}

export async function harness(opts: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'link-'));
  const server = new FakeAgentServer({ tokens: [TOKEN], ...opts.server });
  await server.start();
  const log = new RecordingLogger();
  const outbox = new Outbox({ path: join(dir, 'outbox.db'), log, maxInventoryBacklog: opts.maxInventoryBacklog ?? 10_000 });
  outbox.start();
  const credentials = new FileCredentialStore(join(dir, 'credentials.json'), log);
  const commands: ServerMessageMap['command'][] = [];
  const connectionChanges: boolean[] = [];
  let hintCalls = 0;
  const token = opts.token === undefined ? TOKEN : opts.token;
  const link = new Link({
    serverUrl: server.url,
    credentials,
    ...(token !== null ? { enrolmentToken: token } : {}),
    outbox,
    hints: async () => {
      hintCalls++;
      return HINTS;
    },
    agentVersion: '0.1.0-test',
    log,
    onCommand: (cmd) => commands.push(cmd),
    onConnectionChange: (c) => connectionChanges.push(c),
    random: () => 0,
    ...opts.link,
  });
  let recorded = 0;
  return {
    server,
    outbox,
    link,
    log,
    credentials,
    commands,
    connectionChanges,
    hintCalls: () => hintCalls,
    record: (count) => {
      for (let i = 0; i < count; i++) outbox.recordSnapshot('refresh', machineWith(++recorded));
      link.notify();
    },
    close: async () => {
      await link.stop();
      await server.stop();
      outbox.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function machineWith(packages: number): Snapshot {
  const software: Software[] = Array.from({ length: packages }, (_, i) => ({
    name: `pkg-${i}`,
    version: '1.0',
    source: 'dpkg',
    scope: 'machine',
  }));
  return { ...emptySnapshot('pc-1'), os: { platform: 'linux', hostname: 'pc-1' }, software };
}

/**
 * Polls `check` until it holds; for state on the agent's side. Under mock.timers (setTimeout
 * mocked) pass `{ spin: true }`: it then yields with setImmediate, which mock.timers leaves alone.
 */
export async function eventually(check: () => boolean, what: string, opts: { timeoutMs?: number; spin?: boolean } = {}): Promise<void> {
  const giveUpAt = Date.now() + deadline(opts.timeoutMs ?? 5000);
  while (!check()) {
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => (opts.spin ? setImmediate(resolve) : setTimeout(resolve, 5)));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
