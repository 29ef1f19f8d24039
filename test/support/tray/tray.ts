// For the tray's tests: a stand-in for the agent's local API that records every call, and the
// whole tray started on the shared Electron fake with in-memory files.
import { OutpostError } from '../../../shared/errors.js';
import type { LocalMethod, LocalResult } from '../../../shared/local-api.js';
import type { EndpointTicket } from '../../../shared/tickets.js';
import { FakeElectron } from '../../fakes/electron.js';
import type { AgentCall } from '../../../tray-ui/main/agent.js';
import { startTray, type RunningTray } from '../../../tray-ui/main/app.js';
import type { FileReader } from '../../../tray-ui/main/files.js';
import type { LoginItemFs } from '../../../tray-ui/main/login-item.js';
import { RecordingLogger } from '../../fakes/recording-logger.js';

type Answer<M extends LocalMethod> = (params: unknown) => LocalResult<M> | Promise<LocalResult<M>>;

export class StubAgent {
  readonly calls: { method: LocalMethod; params: unknown }[] = [];
  /** No agent on the socket: every call fails as callAgent's would. */
  unreachable = false;
  status: LocalResult<'status'> = {
    deviceId: 'dev-1',
    hostname: 'desk-17',
    connected: true,
    server: 'https://outpost.example',
    lastInventoryAt: null,
    lastTrigger: null,
    pendingItems: 0,
    digest: null,
    agentVersion: '0.1.0',
  };
  private readonly answers = new Map<LocalMethod, Answer<LocalMethod>>();

  answer<M extends LocalMethod>(method: M, answer: Answer<M>): this {
    this.answers.set(method, answer);
    return this;
  }

  callsOf(method: LocalMethod): unknown[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.params);
  }

  readonly call: AgentCall = async (method, params) => {
    this.calls.push({ method, params });
    if (this.unreachable) throw new OutpostError('E_AGENT_UNREACHABLE', 'No agent answers at /run/outpost/agent.sock (ENOENT).');
    const answer = this.answers.get(method);
    if (answer) return (await answer(params)) as never;
    if (method === 'status') return this.status as never;
    throw new OutpostError('E_INTERNAL', `the stub agent has no answer for ${method}`);
  };
}

export function ticket(overrides: Partial<EndpointTicket> = {}): EndpointTicket {
  return {
    ref: 'ref-00000001',
    number: null,
    subject: 'Printer jams',
    description: 'It jams on every page.',
    priority: 'normal',
    status: 'queued',
    createdAt: '2025-03-03T10:00:00.000Z',
    updatedAt: '2025-03-03T10:00:00.000Z',
    notes: [],
    ...overrides,
  };
}

/** Files by path, for the file picker: content or a size alone (for files too large to read). */
export class MemoryFiles implements FileReader, LoginItemFs {
  readonly files = new Map<string, Buffer | string>();
  readonly sizes = new Map<string, number>();
  readonly reads: string[] = [];

  size = async (path: string): Promise<number> => {
    const declared = this.sizes.get(path);
    if (declared !== undefined) return declared;
    const f = this.files.get(path);
    if (f === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    return Buffer.byteLength(f);
  };

  read = async (path: string): Promise<Buffer> => {
    this.reads.push(path);
    const f = this.files.get(path);
    if (f === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    return Buffer.from(f);
  };

  readFile = async (path: string): Promise<string> => {
    const f = this.files.get(path);
    if (f === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    return f.toString();
  };

  writeFile = async (path: string, data: string): Promise<void> => void this.files.set(path, data);
  mkdir = async (): Promise<void> => undefined;
}

export interface TestTray {
  electron: FakeElectron;
  agent: StubAgent;
  files: MemoryFiles;
  log: RecordingLogger;
  tray: RunningTray;
}

export async function startTestTray(
  opts: { agent?: StubAgent; platform?: NodeJS.Platform; now?: Date | (() => Date); rendererDir?: string; files?: MemoryFiles } = {},
): Promise<TestTray> {
  const electron = new FakeElectron({ userData: '/home/ada/.config/Outpost' });
  const agent = opts.agent ?? new StubAgent();
  const files = opts.files ?? new MemoryFiles();
  const now = opts.now;
  const log = new RecordingLogger();
  const tray = await startTray(electron, {
    agent: agent.call,
    log,
    platform: opts.platform ?? 'linux',
    rendererDir: opts.rendererDir ?? '/nonexistent/renderer',
    preloadPath: '/opt/Outpost/resources/app/dist/tray/preload.cjs',
    iconPath: '/opt/Outpost/resources/app/dist/tray/assets/tray.png',
    unreadIconPath: '/opt/Outpost/resources/app/dist/tray/assets/tray-unread.png',
    execPath: '/opt/Outpost/outpost',
    autostartDir: '/home/ada/.config/autostart',
    now: () => (typeof now === 'function' ? now() : (now ?? new Date())),
    files,
    loginItemFs: files,
    sleep: async () => undefined,
  });
  if (!tray) throw new Error('the tray did not start');
  await tray.monitor.refresh();
  return { electron, agent, files, log, tray };
}
