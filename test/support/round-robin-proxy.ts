// A plain TCP load balancer on loopback for the several-processes tests: each new connection goes to
// the next backend in turn; a backend that refuses the connection (a killed server) is skipped for
// the next one. No stickiness, no knowledge of HTTP or WebSocket: what a real TCP balancer does.
import { connect, createServer, type Socket } from 'node:net';

export interface RoundRobinProxy {
  port: number;
  /** Which backend (its index) each accepted connection went to, by the client's own port. */
  backendOf(clientPort: number): number | undefined;
  close(): Promise<void>;
}

export async function startRoundRobinProxy(backendPorts: readonly number[]): Promise<RoundRobinProxy> {
  let next = 0;
  const routes = new Map<number, number>();
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };

  /** Tries the backends from the next in turn; undefined when none accepts. */
  const dial = (tries: number): Promise<{ upstream: Socket; index: number } | undefined> => {
    if (tries >= backendPorts.length) return Promise.resolve(undefined);
    const index = next;
    next = (next + 1) % backendPorts.length;
    return new Promise((resolve) => {
      const upstream = connect(backendPorts[index]!, '127.0.0.1');
      upstream.once('connect', () => resolve({ upstream, index }));
      upstream.once('error', () => {
        upstream.destroy();
        resolve(dial(tries + 1));
      });
    });
  };

  const server = createServer((client) => {
    track(client);
    client.pause();
    client.on('error', () => client.destroy());
    void dial(0).then((found) => {
      if (!found || client.destroyed) {
        found?.upstream.destroy();
        client.destroy();
        return;
      }
      const { upstream, index } = found;
      track(upstream);
      if (client.remotePort !== undefined) routes.set(client.remotePort, index);
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    port: address.port,
    backendOf: (clientPort) => routes.get(clientPort),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
