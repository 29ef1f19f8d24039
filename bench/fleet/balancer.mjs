// A plain round-robin TCP balancer on loopback for bench/fleet.mjs, as the several-processes tests
// use (test/support/round-robin-proxy.ts), with one difference: it connects to the backend from the
// client's own loopback address (127.x.y.z), as a transparent balancer or the PROXY protocol would
// show it. Through one that shows every agent as 127.0.0.1, the server's limit on unauthenticated
// connections per address (32) refuses most of a reconnect storm with 429: measured, 712 of 1,000
// agents at once. A backend that refuses (a server restarting) is skipped for the next one.
import { connect, createServer } from 'node:net';

export async function startBalancer(backendPorts) {
  let next = 0;
  const sockets = new Set();
  const track = (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  const dial = (from, tries) => {
    if (tries >= backendPorts.length) return Promise.resolve(undefined);
    const port = backendPorts[next];
    next = (next + 1) % backendPorts.length;
    return new Promise((resolve) => {
      const upstream = connect({ port, host: '127.0.0.1', localAddress: from });
      upstream.once('connect', () => resolve(upstream));
      upstream.once('error', () => {
        upstream.destroy();
        resolve(dial(from, tries + 1));
      });
    });
  };
  const server = createServer((client) => {
    track(client);
    client.pause();
    client.on('error', () => client.destroy());
    const from = client.remoteAddress?.replace(/^::ffff:/, '');
    void dial(from?.startsWith('127.') ? from : undefined, 0).then((upstream) => {
      if (!upstream || client.destroyed) {
        upstream?.destroy();
        client.destroy();
        return;
      }
      track(upstream);
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  });
  server.maxConnections = Infinity;
  await new Promise((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  return {
    port: server.address().port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
