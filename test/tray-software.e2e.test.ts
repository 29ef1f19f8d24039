// Get software in the tray app: its built page in real Chromium, its real main-process handlers (on
// the Electron fake), the real agent and the real server. IT allows a package for self-service before the machine enrolls
// (the catalog follows once its first inventory tells its platform); the
// person sees it, asks for it with a reason and sees the request wait for IT's approval; the server
// holds a ticket naming the package. An exception to the prohibited list is asked for the same way,
// and a rejection written in the store reaches the page with IT's reason after the agent reconnects.
// Needs `npm run build` (dist/ and dist/tray/) and Chromium at /usr/bin/chromium (CHROMIUM_PATH).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../server/store/sqlite/open.js';
import { SqliteSoftwareRequestStore } from '../server/store/sqlite/software-requests.js';
import type { TicketSoftwareRequest } from '../shared/self-service.js';
import type { TrayBrowser } from './support/tray/browser.js';
import { startBuiltTray, type BuiltTray } from './support/tray/built-tray.js';
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

const built = join(new URL('../', import.meta.url).pathname, 'dist', 'tray');

describe('Get software in the tray app', { timeout: deadline(180_000) }, () => {
  const dir = tempDir('outpost-tray-software-');
  let server: ServerProc;
  let agent: AgentProc;
  let token: string;
  let browser: TrayBrowser;
  let running: BuiltTray;

  before(async () => {
    assert.ok(existsSync(join(built, 'renderer', 'software.js')), 'dist/tray is missing: run `npm run build` first');
    server = await startServer(join(dir, 'server'));
    const added = await server.api('/api/packages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'GIMP', installer: 'apt', managerPackage: 'gimp', detection: { name: 'gimp' }, selfService: true }),
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    token = await createToken(join(dir, 'server'));
    agent = startAgent(server.url, join(dir, 'agent'), token);
    await waitForDevice(server);
    running = await startBuiltTray(dir, join(dir, 'agent'));
    ({ browser } = running);
  });

  after(async () => {
    await running?.stop();
    await agent?.kill();
    await server?.kill();
  });

  const serverTicket = (subject: string) =>
    waitFor(
      async () =>
        (await server.api<{ items: { id: number; subject: string }[] }>('/api/tickets')).body.items.find((t) => t.subject === subject)?.id,
      20_000,
      `the ticket "${subject}" on the server`,
    );
  const detail = async (id: number) =>
    (await server.api<{ softwareRequest: TicketSoftwareRequest | null }>(`/api/tickets/${id}`)).body.softwareRequest;

  it('lists what IT offers, asks for it with a reason, and shows the request waiting for approval', async () => {
    const { page, problems } = await browser.open('software');
    await waitFor(
      async () => ((await page.getByRole('button', { name: 'Request GIMP' }).isVisible()) ? true : (await page.reload(), undefined)),
      20_000,
      'GIMP on the page',
    );
    await page.getByLabel('Why you need it (optional)').fill('Editing product photos');
    await page.getByRole('button', { name: 'Request GIMP' }).click();
    await page.getByText('Asked IT for GIMP.').waitFor();
    await page.getByText('Waiting for IT’s approval').first().waitFor();
    const id = await serverTicket('Software request: GIMP');
    const request = await detail(id);
    assert.equal(request?.kind, 'install');
    assert.equal(request?.name, 'GIMP');
    assert.equal(request?.approval.state, 'pending');
    assert.deepEqual(problems, []);
  });

  it('asks to keep prohibited software only with a name and a reason; a rejection shows IT’s reason', async () => {
    const { page, problems } = await browser.open('software');
    await page.getByRole('button', { name: 'Ask IT for an exception' }).click();
    await page.getByText('Please name the software.').waitFor();
    await page.getByText('Please say why you need it.').waitFor();
    await page.getByLabel('Software name').fill('Steam');
    await page.getByLabel('Why you need to keep it').fill('Game studio QA');
    await page.getByRole('button', { name: 'Ask IT for an exception' }).click();
    await page.getByText('Asked IT to let you keep Steam.').waitFor();
    const id = await serverTicket('Exception to the prohibited list: Steam');
    assert.equal((await detail(id))?.kind, 'exception');

    // IT rejects it (as the approval poll records a desk's answer); the agent hears at its next connection.
    const db = openDatabase(join(dir, 'server'));
    try {
      const decided = await new SqliteSoftwareRequestStore(db).decide(
        id,
        { state: 'rejected', reason: 'Not on work machines.', at: new Date().toISOString() },
        Date.now(),
      );
      assert.equal(decided, true);
    } finally {
      db.close();
    }
    await agent.kill();
    agent = startAgent(server.url, join(dir, 'agent'), token);
    await waitFor(
      async () => ((await page.getByText('Rejected by IT: Not on work machines.').isVisible()) ? true : (await page.reload(), undefined)),
      30_000,
      'the rejection on the page',
    );
    assert.deepEqual(problems, []);
  });
});
