// A server restart with a real server and a real agent: the agent was closed with going away
// (1001), its attempts are refused while the server is down, and it finds the server again within
// the announced reconnect window instead of backing off further with every refused attempt (before:
// 8, 16, 32, 64 s; a restart of a few seconds kept a fleet away for a minute).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { RESTART_MIN_SPREAD_MS } from '../agent/link/reconnect-policy.js';
import { freePort } from './support/ports.js';
import {
  createToken,
  startAgent,
  startServer,
  tempDir,
  waitFor,
  waitForDevice,
  type AgentProc,
  type ServerProc,
} from './support/outpost.js';

interface ReconnectLine {
  msg: string;
  delayMs: number;
  restarting: boolean;
}

const reconnects = (output: string): ReconnectLine[] =>
  output
    .split('\n')
    .filter((l) => l.includes('"reconnecting"'))
    .map((l) => JSON.parse(l) as ReconnectLine)
    .filter((l) => l.msg === 'reconnecting');

describe('agent reconnect after a server restart', () => {
  const dir = tempDir();
  const dataDir = join(dir, 'server');
  let server: ServerProc | undefined;
  let agent: AgentProc | undefined;

  after(async () => {
    await agent?.kill();
    await server?.kill();
  });

  it('keeps retrying a restarting server every couple of seconds and is back once it listens', async () => {
    const port = await freePort();
    server = await startServer(dataDir, { port });
    const { adminToken } = server;
    agent = startAgent(server.url, join(dir, 'agent'), await createToken(dataDir));
    const device = await waitForDevice(server);

    const since = agent.output().length;
    const afterStop = () => reconnects(agent!.output().slice(since));
    await server.stop(); // SIGTERM: every agent is closed with 1001
    server = undefined;
    // Refused attempts while the server is down (a wait, not a timing: the old backoff got here too, later).
    await waitFor(() => afterStop().length >= 4 || undefined, 120_000, 'four attempts while the server is down');
    server = await startServer(dataDir, { port, adminToken });
    await waitFor(
      async () => (await server!.api<{ online: boolean }>(`/api/devices/${device.id}`)).body.online || undefined,
      60_000,
      'the device back online',
    );

    const lines = afterStop();
    assert.ok(lines.length >= 4, `${lines.length} attempts`);
    // A fleet of one is told to spread over 1 s: every wait is within the 2 s floor, none doubled.
    for (const line of lines) {
      assert.equal(line.restarting, true, JSON.stringify(line));
      assert.ok(line.delayMs <= RESTART_MIN_SPREAD_MS, `waited ${line.delayMs} ms`);
    }
  });
});
