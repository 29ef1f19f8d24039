// A TCP proxy on loopback between a real agent and a real server, for tests and benches.
// It counts the bytes each way (what really crosses the wire, WebSocket framing and deflate
// included), can hold back what the server sends (so the server has a batch and the agent has not
// seen its ack), and in chaos mode cuts, stalls and slices connections at random from a seed, so a
// failing run can be replayed. Used by test/*.e2e.test.ts and, built, by bench/lib/proc.mjs.
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface ChaosOptions {
  /** Seed of the pseudo-random choices; printed by the tests so a failure can be replayed. */
  seed: number;
  /** Chance per chunk of cutting the connection (both sides destroyed). */
  cut: number;
  /** At most this many cuts: each one costs the agent a growing reconnect backoff. */
  maxCuts: number;
  /** Chance per chunk of stalling the direction for up to `maxStallMs` before it goes on. */
  stall: number;
  maxStallMs: number;
  /** Chance per chunk of writing it in several small pieces with a pause between them. */
  slice: number;
}

export interface TcpProxy {
  port: number;
  /** Bytes agent -> server ("up") and server -> agent ("down") since the proxy started. */
  counts: { up: number; down: number };
  /** Connections accepted so far, and how many chaos has cut. */
  stats: { connections: number; cuts: number; stalls: number; slices: number };
  /** Hold back everything the server sends until release(); the agent's frames still go through. */
  holdDown(): void;
  /** Deliver what was held back and stop holding. */
  releaseDown(): void;
  /** Drop what was held back, and close every connection (as a dead server would). */
  dropAll(): void;
  chaos(options: ChaosOptions | null): void;
  close(): Promise<void>;
}

/** mulberry32: a small seeded generator, enough for reproducible fault choices. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const counts = { up: 0, down: 0 };
  const stats = { connections: 0, cuts: 0, stalls: 0, slices: 0 };
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  let holding = false;
  let held: { to: Socket; data: Buffer }[] = [];
  let chaos: ChaosOptions | null = null;
  let random = seeded(1);

  /** One direction of one connection: chunks are written in order, each after the previous one. */
  function pipe(from: Socket, to: Socket, direction: 'up' | 'down', cut: () => void): void {
    let chain = Promise.resolve();
    from.on('data', (data: Buffer) => {
      counts[direction] += data.length;
      if (direction === 'down' && holding) {
        held.push({ to, data });
        return;
      }
      if (!chaos) {
        to.write(data);
        return;
      }
      const c = chaos;
      from.pause();
      chain = chain.then(async () => {
        const roll = random();
        if (roll < c.cut && stats.cuts < c.maxCuts) {
          stats.cuts++;
          cut();
          return;
        }
        if (roll < c.cut + c.stall) {
          stats.stalls++;
          await sleep(Math.floor(random() * c.maxStallMs));
        }
        if (random() < c.slice && data.length > 1) {
          stats.slices++;
          for (let at = 0; at < data.length && !to.destroyed;) {
            const size = 1 + Math.floor(random() * Math.min(64, data.length - at));
            to.write(data.subarray(at, at + size));
            at += size;
            await sleep(random() < 0.3 ? 1 : 0);
          }
        } else if (!to.destroyed) to.write(data);
        if (!from.destroyed) from.resume();
      });
    });
  }

  const server: Server = createServer((client) => {
    stats.connections++;
    const upstream = connect(targetPort, targetHost);
    const pair = { client, upstream };
    pairs.add(pair);
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    pipe(client, upstream, 'up', cut);
    pipe(upstream, client, 'down', cut);
    // A half-close either way ends the pair: a WebSocket peer never half-closes on purpose.
    for (const s of [client, upstream]) {
      s.on('error', cut);
      s.on('close', () => {
        cut();
        pairs.delete(pair);
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the proxy has no port');

  return {
    port: address.port,
    counts,
    stats,
    holdDown: () => {
      holding = true;
    },
    releaseDown: () => {
      holding = false;
      for (const { to, data } of held) if (!to.destroyed) to.write(data);
      held = [];
    },
    dropAll: () => {
      held = [];
      holding = false;
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
    },
    chaos: (options) => {
      chaos = options;
      if (options) random = seeded(options.seed);
    },
    close: async () => {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
