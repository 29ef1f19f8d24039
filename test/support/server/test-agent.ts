// A minimal agent that speaks the protocol over a real socket, for server tests only (the real
// client lives in agent/link). Messages are kept in arrival order and taken out by type.
import { WebSocket, type ClientOptions } from 'ws';
import type { IdentityHints } from '../../../shared/inventory.js';
import { PROTOCOL_VERSION, type Item, type ServerMessage, type ServerMessageMap } from '../../../shared/protocol.js';
import { deadline } from '../deadline.js';

type Type = keyof ServerMessageMap;

export class TestAgent {
  private readonly inbox: ServerMessage[] = [];
  private wake: (() => void) | null = null;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      this.inbox.push(JSON.parse(data.toString('utf8')) as ServerMessage);
      this.wake?.();
    });
    ws.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.wake?.();
      }),
    );
  }

  static async connect(url: string, options: ClientOptions = {}): Promise<TestAgent> {
    const ws = new WebSocket(url, options);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new TestAgent(ws);
  }

  send(message: object): void {
    this.ws.send(JSON.stringify(message));
  }

  sendRaw(text: string | Buffer): void {
    this.ws.send(text);
  }

  sendItems(items: Item[]): void {
    this.send({ type: 'items', items });
  }

  /** Takes the first message of this type, waiting for it if needed. */
  async next<T extends Type>(type: T, timeoutMs = 3000): Promise<ServerMessageMap[T]> {
    const giveUpAt = Date.now() + deadline(timeoutMs);
    for (;;) {
      const i = this.inbox.findIndex((m) => m.type === type);
      if (i >= 0) return this.inbox.splice(i, 1)[0] as ServerMessageMap[T];
      const left = giveUpAt - Date.now();
      if (left <= 0 || this.ws.readyState === WebSocket.CLOSED) {
        throw new Error(`no ${type} message; got ${JSON.stringify(this.inbox)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  /** Drops every received message of this type that was not taken yet. */
  discard(type: Type): void {
    for (let i = this.inbox.length - 1; i >= 0; i--) if (this.inbox[i]!.type === type) this.inbox.splice(i, 1);
  }

  /** Messages received and not yet taken. */
  pending(): ServerMessage[] {
    return [...this.inbox];
  }

  async enrol(token: string, hints: IdentityHints): Promise<{ deviceId: string; secret: string }> {
    this.send({ type: 'enrol', protocol: PROTOCOL_VERSION, agentVersion: 'test', token, hints });
    const { deviceId, secret } = await this.next('enrolled');
    await this.next('welcome');
    return { deviceId, secret };
  }

  async hello(deviceId: string, secret: string, hints: IdentityHints): Promise<ServerMessageMap['welcome']> {
    this.send({ type: 'hello', protocol: PROTOCOL_VERSION, agentVersion: 'test', deviceId, secret, hints });
    return this.next('welcome');
  }

  async close(): Promise<void> {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.close(1000);
    await this.closed;
  }
}
