// The self-service catalog end to end: a real server and a real agent on this (Linux) machine. IT
// marks packages as self-service in the package store; the agent's local API (the tray's "Get
// software" page) lists those that install on this machine, keeps them while the server is away,
// and drops one IT retires.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { callLocalAgent } from '../agent/local-api/client.js';
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
import { deadline } from './support/deadline.js';

describe('the self-service catalog on the agent', { timeout: deadline(120_000) }, () => {
  const dir = tempDir('outpost-self-service-');
  const stateDir = join(dir, 'agent');
  let server: ServerProc;
  let agent: AgentProc;
  const catalog = () => callLocalAgent(stateDir, 'software.catalog', {}, { timeoutMs: deadline(5_000) });
  const names = async () => (await catalog()).items.map((p) => p.name);
  const addPackage = async (body: Record<string, unknown>) => {
    const r = await server.api<{ id: string }>('/api/packages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.id;
  };

  before(async () => {
    assert.equal(process.platform, 'linux', 'this test lists Linux packages');
    server = await startServer(join(dir, 'server'));
    agent = startAgent(server.url, stateDir, await createToken(join(dir, 'server')));
    await waitForDevice(server);
  });
  after(async () => {
    await agent?.kill();
    await server?.kill();
  });

  it("lists the self-service packages for this machine's platform, at once after IT adds them", async () => {
    assert.deepEqual((await catalog()).items, []);
    const gimp = await addPackage({
      name: 'GIMP',
      installer: 'apt',
      managerPackage: 'gimp',
      detection: { name: 'gimp' },
      selfService: true,
    });
    await addPackage({ name: 'Inkscape', installer: 'apt', managerPackage: 'inkscape', detection: { name: 'inkscape' } });
    await addPackage({
      name: 'Notepad++',
      installer: 'winget',
      managerPackage: 'Notepad++.Notepad++',
      detection: { name: 'Notepad++' },
      selfService: true,
    });
    await addPackage({ name: 'curl', installer: 'apt', managerPackage: 'curl', detection: { name: 'curl' }, selfService: true });
    await waitFor(async () => ((await names()).length === 2 ? true : undefined), 10_000, 'the catalog on the agent');
    const list = await catalog();
    assert.deepEqual(
      list.items.map((p) => [p.name, p.installer]),
      [
        ['curl', 'apt'],
        ['GIMP', 'apt'],
      ],
      'not the one IT did not allow, not the Windows one',
    );
    assert.equal(list.items[1]!.id, gimp);
    assert.ok(list.receivedAt);
  });

  it('keeps the catalog across an agent restart while the server is away, and follows a retirement once it is back', async () => {
    const [curl] = (await catalog()).items;
    const port = new URL(server.url).port;
    await server.kill();
    await agent.kill();
    agent = startAgent(`http://127.0.0.1:${port}`, stateDir);
    const offline = await waitFor(() => names().catch(() => undefined), 20_000, 'the restarted agent');
    assert.deepEqual(offline, ['curl', 'GIMP']);
    server = await startServer(join(dir, 'server'), { port: Number(port), adminToken: server.adminToken });
    const retired = await server.api(`/api/packages/${curl!.id}`, { method: 'DELETE' });
    assert.equal(retired.status, 200);
    await waitFor(async () => ((await names()).join() === 'GIMP' ? true : undefined), 30_000, 'the retirement on the agent');
  });
});
