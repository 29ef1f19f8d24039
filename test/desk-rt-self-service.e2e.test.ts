// Self-service approval end to end: a real server with a real RT 5 (test/support/rt.ts), a real
// agent and its local API as the tray calls it. A package request and an exception request become
// RT tickets; IT sets "Outpost approval" in RT: the approved request becomes a deployment of that
// package to that device for that ticket, the rejected one reaches the local API with IT's reply.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { callLocalAgent } from '../agent/local-api/client.js';
import type { TicketSoftwareRequest } from '../shared/self-service.js';
import {
  createToken,
  run,
  startAgent,
  tempDir,
  waitFor,
  waitForDevice,
  waitForOutput,
  type AgentProc,
  type Proc,
} from './support/outpost.js';
import { rtRest, rtSkip, startRt, type RtInstance } from './support/rt.js';

const ADMIN_TOKEN = 'e2e-admin-token-self-service-0123456789';

describe('self-service requests approved and rejected in a real RT', { skip: rtSkip() }, () => {
  const dir = tempDir();
  const stateDir = join(dir, 'agent');
  let rt: RtInstance;
  let server: Proc & { url: string; api<T>(path: string, init?: RequestInit): Promise<{ status: number; body: T }> };
  let agent: AgentProc;
  let token: string;
  let deviceId: string;
  let packageId: string;

  const local = <M extends Parameters<typeof callLocalAgent>[1]>(method: M, params: Parameters<typeof callLocalAgent<M>>[2]) =>
    callLocalAgent(stateDir, method, params, { timeoutMs: 10_000 });
  type Detail = { id: number; deskNumber: string | null; status: string; softwareRequest: TicketSoftwareRequest | null };
  const onDesk = async (subject: string) =>
    waitFor(
      async () => {
        const list = await server.api<{ items: { id: number; subject: string }[] }>('/api/tickets');
        const id = list.body.items.find((t) => t.subject === subject)?.id;
        if (id === undefined) return undefined;
        const d = (await server.api<Detail>(`/api/tickets/${id}`)).body;
        return d.deskNumber ? d : undefined;
      },
      60_000,
      `"${subject}" in RT`,
    );

  before(async () => {
    rt = await startRt();
    const secretFile = join(dir, 'rt-token');
    writeFileSync(secretFile, rt.token, { mode: 0o600 });
    const p = run(['server', '--host', '127.0.0.1', '--port', '0', '--data', join(dir, 'server'), '--desk', 'rt', '--desk-url', rt.url], {
      OUTPOST_ADMIN_TOKEN: ADMIN_TOKEN,
      OUTPOST_DESK_USER: rt.user,
      OUTPOST_DESK_SECRET_FILE: secretFile,
      OUTPOST_DESK_REQUESTER_DOMAIN: 'example.com',
      OUTPOST_DESK_POLL: '2',
      OUTPOST_DESK_APPROVAL_POLL: '0.1',
    });
    const [, url] = await waitForOutput(p, /listening on (http:\/\/\S+)/);
    server = {
      ...p,
      url: url!,
      api: async <T>(path: string, init: RequestInit = {}) => {
        const res = await fetch(`${url}${path}`, {
          ...init,
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
        });
        return { status: res.status, body: (await res.json()) as T };
      },
    };
    // dnf on this Debian machine: the agent refuses at once (no installer), nothing touches the host.
    const added = await server.api<{ id: string }>('/api/packages', {
      method: 'POST',
      body: JSON.stringify({ name: 'Draw', installer: 'dnf', managerPackage: 'drawio', detection: { name: 'drawio' }, selfService: true }),
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    packageId = added.body.id;
    token = await createToken(join(dir, 'server'));
    agent = startAgent(server.url, stateDir, token);
    deviceId = (await waitForDevice({ ...server, adminToken: ADMIN_TOKEN })).id;
  });

  after(async () => {
    await agent?.kill();
    await server?.kill();
    await rt?.stop();
  });

  it('deploys what IT approved in RT to the device for its ticket, and tells the endpoint why IT said no', async () => {
    await waitFor(async () => ((await local('software.catalog', {})).items.length === 1 ? true : undefined), 30_000, 'the catalog');
    const install = await local('software.request', { kind: 'install', packageId, reason: 'Diagrams' });
    const keep = await local('software.request', { kind: 'exception', name: 'Steam', reason: 'QA' });
    const wanted = await onDesk('Software request: Draw');
    const refused = await onDesk('Exception to the prohibited list: Steam');
    assert.equal(wanted.softwareRequest?.approval.state, 'pending');

    // IT answers in RT, as a person: approves one; replies to and rejects the other.
    const approve = await rtRest(rt, 'PUT', `/ticket/${wanted.deskNumber}`, { CustomFields: { 'Outpost approval': 'approved' } });
    assert.equal(approve.status, 200, JSON.stringify(approve.body));
    const reply = await rtRest(rt, 'POST', `/ticket/${refused.deskNumber}/correspond`, {
      Content: 'Games stay off work machines.',
      ContentType: 'text/plain',
    });
    assert.equal(reply.status, 201, JSON.stringify(reply.body));
    await rtRest(rt, 'PUT', `/ticket/${refused.deskNumber}`, { CustomFields: { 'Outpost approval': 'rejected' } });

    const deployment = await waitFor(
      async () => {
        const list = await server.api<{ items: { id: string; ticketId: number | null; package: { id: string } }[] }>(
          `/api/deployments?deviceId=${deviceId}`,
        );
        return list.body.items.find((d) => d.ticketId === wanted.id);
      },
      60_000,
      'the deployment of the approved request',
    ).catch(async (err: unknown) => {
      const rtTicket = await rtRest(rt, 'GET', `/ticket/${wanted.deskNumber}`);
      const detail = await server.api(`/api/tickets/${wanted.id}`);
      const logs = server
        .output()
        .split('\n')
        .filter((l) => /approv|self-service|deploy/i.test(l))
        .slice(-15)
        .join('\n');
      throw new Error(
        `${String(err)}\nRT: ${JSON.stringify(rtTicket.body).slice(0, 1500)}\nserver: ${JSON.stringify(detail.body).slice(0, 600)}\n${logs}`,
      );
    });
    assert.equal(deployment.package.id, packageId);
    const ticketOnEndpoint = await waitFor(
      async () => {
        const t = await local('ticket.get', { ref: keep.ref });
        return t.softwareRequest?.approval.state === 'rejected' ? t : undefined;
      },
      60_000,
      'the rejection on the endpoint',
    );
    assert.equal(ticketOnEndpoint.softwareRequest?.approval.reason, 'Games stay off work machines.');
    assert.equal((await local('ticket.get', { ref: install.ref })).softwareRequest?.approval.state, 'approved');
  });
});
