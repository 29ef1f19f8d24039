// Self-service end to end: a real server with a real RT 5 (test/support/rt.ts), a real agent on this
// machine, and the built tray's Get software page in Chromium. A person asks for a package on the
// page; IT approves it in RT ("Outpost approval"); the agent installs the real .deb with apt/dpkg, the
// device's software shows it, and the RT ticket carries the deployment's notes and is resolved. An
// exception IT rejects in RT with a reply shows on the page with that reply, live; one IT grants
// exempts the device, and its RT ticket says what the exemption covers and is resolved. Runs as root (it
// installs a package), holding the tests' dpkg lock while it does.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { callLocalAgent } from '../agent/local-api/client.js';
import type { DeploymentJson, PackageFileJson } from '../shared/deploy-api.js';
import type { TicketSoftwareRequest } from '../shared/self-service.js';
import { buildDeb, dpkgPurgeQuietly, requireRoot, testPackageName, withDpkgLock } from './support/deb.js';
import {
  createToken,
  run,
  startAgent,
  tempDir,
  waitFor,
  waitForDevice,
  waitForOutput,
  type AgentProc,
  type DeviceSummary,
  type ServerProc,
} from './support/outpost.js';
import { rtRest, rtSkip, startRt, type RtInstance } from './support/rt.js';
import { startBuiltTray, type BuiltTray } from './support/tray/built-tray.js';
import { deadline } from './support/deadline.js';

const exec = promisify(execFile);
const ADMIN_TOKEN = 'e2e-admin-token-self-service-0123456789';

type Detail = { id: number; deskNumber: string | null; status: string; softwareRequest: TicketSoftwareRequest | null };

describe(
  'self-service from the tray, approved and rejected in a real RT, installed by dpkg',
  { skip: rtSkip(), timeout: deadline(600_000) },
  () => {
    const dir = tempDir();
    const stateDir = join(dir, 'agent');
    const debName = testPackageName('selfserve');
    let rt: RtInstance;
    let server: ServerProc;
    let agent: AgentProc;
    let tray: BuiltTray;
    let device: DeviceSummary;
    let packageId: string;

    const local = <M extends Parameters<typeof callLocalAgent>[1]>(method: M, params: Parameters<typeof callLocalAgent<M>>[2]) =>
      callLocalAgent(stateDir, method, params, { timeoutMs: deadline(10_000) });
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
    /** The RT ticket's status and the text of everything written on it (create, replies, comments). */
    const inRt = async (number: string) => {
      const ticket = await rtRest<{ Status: string }>(rt, 'GET', `/ticket/${number}`);
      const attachments = await rtRest<{ items: { Content?: string; ContentType?: string }[] }>(
        rt,
        'GET',
        `/ticket/${number}/attachments?fields=Content,ContentType&per_page=100`,
      );
      const text = attachments.body.items
        .filter((a) => a.ContentType === 'text/plain' && a.Content)
        .map((a) => a.Content!)
        .join('\n');
      return { status: ticket.body.Status, text };
    };

    before(async () => {
      requireRoot();
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
        adminToken: ADMIN_TOKEN,
        api: async <T>(path: string, init: RequestInit = {}) => {
          const res = await fetch(`${url}${path}`, {
            ...init,
            headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
          });
          return { status: res.status, body: (await res.json()) as T };
        },
      };
      // IT uploads a real .deb and offers it for self-service.
      const deb = await buildDeb(dir, debName, '1.4.0');
      const upload = await fetch(`${server.url}/api/packages/files?name=${encodeURIComponent(deb.split('/').pop()!)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/octet-stream' },
        body: readFileSync(deb),
      });
      assert.equal(upload.status, 200);
      const file = (await upload.json()) as PackageFileJson;
      const added = await server.api<{ id: string }>('/api/packages', {
        method: 'POST',
        body: JSON.stringify({
          name: debName,
          version: '1.4.0',
          installer: 'deb',
          sha256: file.sha256,
          detection: { name: debName, version: '1.4.0' },
          selfService: true,
          retries: 0,
          timeoutSeconds: 600,
        }),
      });
      assert.equal(added.status, 201, JSON.stringify(added.body));
      packageId = added.body.id;
      agent = startAgent(server.url, stateDir, await createToken(join(dir, 'server')));
      device = await waitForDevice(server);
      tray = await startBuiltTray(dir, stateDir);
    });

    after(async () => {
      await tray?.stop();
      await agent?.kill();
      await server?.kill();
      await rt?.stop();
      await dpkgPurgeQuietly(debName);
    });

    it('installs what the person asked for in the tray once IT approves it in RT, and resolves the RT ticket with the outcome', async () => {
      const { page, problems } = await tray.browser.open('software');
      const button = page.getByRole('button', { name: `Request ${debName} 1.4.0` });
      await waitFor(async () => ((await button.isVisible()) ? true : (await page.reload(), undefined)), 30_000, 'the package on the page');
      await page.getByLabel('Why you need it (optional)').fill('Diagrams for the design review');
      await button.click();
      await page.getByText(`Asked IT for ${debName} 1.4.0.`).waitFor();
      const wanted = await onDesk(`Software request: ${debName} 1.4.0`);
      assert.equal(wanted.softwareRequest?.approval.state, 'pending');
      assert.equal(wanted.softwareRequest?.packageId, packageId);

      // IT approves it in RT, as a person; the server's approval poll deploys it; dpkg installs it.
      const target = await withDpkgLock(async () => {
        const approve = await rtRest(rt, 'PUT', `/ticket/${wanted.deskNumber}`, { CustomFields: { 'Outpost approval': 'approved' } });
        assert.equal(approve.status, 200, JSON.stringify(approve.body));
        const deployment = await waitFor(
          async () => {
            const list = await server.api<{ items: { id: string; ticketId: number | null }[] }>(`/api/deployments?deviceId=${device.id}`);
            return list.body.items.find((d) => d.ticketId === wanted.id);
          },
          90_000,
          'the deployment of the approved request',
        );
        return waitFor(
          async () => {
            const t = (await server.api<DeploymentJson>(`/api/deployments/${deployment.id}`)).body.targets?.[0];
            return t && (t.state === 'succeeded' || t.state === 'failed') ? t : undefined;
          },
          240_000,
          'the install to finish',
        );
      });
      assert.equal(target.state, 'succeeded', JSON.stringify(target));
      assert.deepEqual(
        target.steps.map((s) => s.state),
        ['queued', 'downloading', 'installing', 'succeeded'],
      );
      const dpkg = await exec('dpkg-query', ['-W', '-f=${Status} ${Version}', debName]);
      assert.equal(dpkg.stdout.trim(), 'install ok installed 1.4.0');
      await waitFor(
        async () => {
          const { body } = await server.api<{ items: { name: string; version: string }[] }>(
            `/api/devices/${device.id}/software?q=${debName}`,
          );
          return body.items.some((s) => s.name === debName && s.version === '1.4.0') || undefined;
        },
        90_000,
        'the installed package in the device software',
      );

      // The desk ticket tells the person's IT what happened, and is resolved with the outcome.
      const desk = await waitFor(
        async () => {
          const t = await inRt(wanted.deskNumber!);
          return t.status === 'resolved' && t.text.includes('was installed') ? t : undefined;
        },
        120_000,
        'the RT ticket resolved with the outcome',
      ).catch(async (err: unknown) => {
        const t = await inRt(wanted.deskNumber!);
        const logs = server
          .output()
          .split('\n')
          .filter((l) => /desk|job|note|status|deploy/i.test(l))
          .slice(-20)
          .join('\n');
        throw new Error(`${String(err)}\nRT status ${t.status}:\n${t.text.slice(-1500)}\n${logs}`);
      });
      assert.match(desk.text, new RegExp(`Installing ${debName} 1\\.4\\.0 on ${device.hostname}\\.`));
      assert.match(desk.text, new RegExp(`${debName} 1\\.4\\.0 was installed on ${device.hostname}\\.`));
      assert.equal((await server.api<Detail>(`/api/tickets/${wanted.id}`)).body.status, 'resolved');

      // The person sees it installed, in the tray and through the local API.
      await waitFor(
        async () => ((await local('ticket.get', { ref: (await ticketRef(wanted.id))! })).status === 'resolved' ? true : undefined),
        60_000,
        'the resolved ticket on the endpoint',
      );
      await page.reload();
      await page.locator('#requests [data-state="approved"]').getByText('Installed').waitFor();
      assert.deepEqual(problems, []);
    });

    it('shows the person IT’s reply when IT rejects an exception in RT', async () => {
      const { page, problems } = await tray.browser.open('software');
      await page.getByLabel('Software name').fill('Steam');
      await page.getByLabel('Why you need to keep it').fill('Game studio QA');
      await page.getByRole('button', { name: 'Ask IT for an exception' }).click();
      await page.getByText('Asked IT to let you keep Steam.').waitFor();
      const refused = await onDesk('Exception to the prohibited list: Steam');

      const reply = await rtRest(rt, 'POST', `/ticket/${refused.deskNumber}/correspond`, {
        Content: 'Games stay off work machines.',
        ContentType: 'text/plain',
      });
      assert.equal(reply.status, 201, JSON.stringify(reply.body));
      const reject = await rtRest(rt, 'PUT', `/ticket/${refused.deskNumber}`, { CustomFields: { 'Outpost approval': 'rejected' } });
      assert.equal(reject.status, 200, JSON.stringify(reject.body));

      // No restart: the poll's answer reaches the running agent, and the page shows it.
      await waitFor(
        async () =>
          (await page.getByText('Rejected by IT: Games stay off work machines.').isVisible()) ? true : (await page.reload(), undefined),
        90_000,
        'the rejection on the page',
      );
      const onEndpoint = await local('ticket.get', { ref: (await ticketRef(refused.id))! });
      assert.equal(onEndpoint.softwareRequest?.approval.state, 'rejected');
      assert.equal(onEndpoint.softwareRequest?.approval.reason, 'Games stay off work machines.');
      assert.deepEqual(problems, []);
    });

    it('exempts the device when IT grants an exception in RT, and resolves the RT ticket saying what it covers', async () => {
      const { page, problems } = await tray.browser.open('software');
      await page.getByLabel('Software name').fill('Blender');
      await page.getByLabel('Why you need to keep it').fill('3D mock-ups for the trade fair');
      await page.getByRole('button', { name: 'Ask IT for an exception' }).click();
      await page.getByText('Asked IT to let you keep Blender.').waitFor();
      const keep = await onDesk('Exception to the prohibited list: Blender');
      const grant = await rtRest(rt, 'PUT', `/ticket/${keep.deskNumber}`, { CustomFields: { 'Outpost approval': 'approved' } });
      assert.equal(grant.status, 200, JSON.stringify(grant.body));

      const desk = await waitFor(
        async () => {
          const t = await inRt(keep.deskNumber!);
          return t.text.includes('IT allowed this computer to keep Blender') ? t : undefined;
        },
        120_000,
        'the exemption noted on the RT ticket',
      ).catch(async (err: unknown) => {
        const t = await inRt(keep.deskNumber!);
        const detail = await server.api(`/api/tickets/${keep.id}`);
        const logs = server
          .output()
          .split('\n')
          .filter((l) => /desk|job|note|status|approv|exception/i.test(l))
          .slice(-20)
          .join('\n');
        throw new Error(
          `${String(err)}\nRT status ${t.status}:\n${t.text.slice(-1500)}\nserver: ${JSON.stringify(detail.body).slice(0, 1500)}\n${logs}`,
        );
      });
      assert.match(desk.text, /the prohibited-software list no longer flags it here\./);
      assert.match(desk.text, /The exemption covers Blender, any version, on this computer only/);
      await waitFor(
        async () => ((await inRt(keep.deskNumber!)).status === 'resolved' ? true : undefined),
        60_000,
        'the RT ticket resolved',
      );
      const resolved = await waitFor(
        async () => {
          const d = (await server.api<Detail>(`/api/tickets/${keep.id}`)).body;
          return d.status === 'resolved' ? d : undefined;
        },
        60_000,
        'the ticket resolved in Outpost',
      );
      assert.equal(resolved.status, 'resolved', 'the desk poll did not reopen it');
      const exemptions = await server.api<{ items: { deviceId: string; name: string; ticketId: number | null }[] }>(
        '/api/prohibited/exemptions',
      );
      assert.deepEqual(
        exemptions.body.items.map((e) => [e.deviceId, e.name, e.ticketId]),
        [[device.id, 'blender', keep.id]],
      );
      await waitFor(
        async () =>
          (await page.locator('#requests [data-state="approved"]').getByText('Approved: you may keep it').isVisible())
            ? true
            : (await page.reload(), undefined),
        60_000,
        'the granted exception on the page',
      );
      assert.deepEqual(problems, []);
    });

    /** The endpoint's reference of a server ticket. */
    async function ticketRef(id: number): Promise<string | undefined> {
      return (await server.api<{ ref: string }>(`/api/tickets/${id}`)).body.ref;
    }
  },
);
