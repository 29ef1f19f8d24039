// Ticket templates in the web console end to end: the built console served by a real server, a real
// agent, Debian's Chromium driven by Playwright. An admin adds a template with typed fields and RT
// categorisation; the agent has it at once; a ticket raised with it shows its filled fields on the
// ticket page; a change and a removal reach the agent. Pages are checked with axe-core.
// Needs `npm run build` and /usr/bin/chromium.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { callLocalAgent } from '../agent/local-api/client.js';
import { checkPage, fillSignIn, openConsoleBrowser } from './support/console.js';
import {
  createToken,
  runToEnd,
  startAgent,
  startServer,
  tempDir,
  waitFor,
  waitForDevice,
  type AgentProc,
  type ServerProc,
} from './support/outpost.js';
import { deadline } from './support/deadline.js';

const root = new URL('../', import.meta.url).pathname;
const PASSWORD = 'correct horse battery staple';

describe('ticket templates in the web console', { timeout: deadline(180_000) }, () => {
  let dir: string;
  let server: ServerProc;
  let agent: AgentProc;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  const templates = () => callLocalAgent(join(dir, 'agent'), 'templates.list', {}, { timeoutMs: deadline(5_000) });

  before(async () => {
    assert.ok(existsSync(join(root, 'dist', 'console', 'index.html')), 'dist/console is missing: run `npm run build` first');
    dir = tempDir('outpost-console-templates-');
    const data = join(dir, 'server');
    writeFileSync(join(dir, 'password'), `${PASSWORD}\n`, { mode: 0o600 });
    const admin = await runToEnd(['admin', 'create', 'alex', '--data', data, '--password-file', join(dir, 'password')]);
    assert.equal(admin.code, 0, admin.output);
    server = await startServer(data);
    agent = startAgent(server.url, join(dir, 'agent'), await createToken(data));
    await waitForDevice(server);
    ({ browser, page, problems } = await openConsoleBrowser());
    await page.goto(server.url);
    await fillSignIn(page, 'alex', PASSWORD);
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  });

  after(async () => {
    await browser?.close();
    await agent?.kill();
    await server?.kill();
  });

  it('adds a template with typed fields and desk categorisation; the agent has it at once', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Templates' }).click();
    await page.getByRole('heading', { name: 'Ticket templates', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'New template' }).click();
    await page.getByLabel('Name', { exact: true }).fill('New software');
    await page.getByLabel('Hint shown in the tray').fill('Software you need for your work');
    await page.getByRole('button', { name: 'Add a field' }).click();
    await page.getByLabel('Label').nth(0).fill('Software name');
    await page.getByLabel('Required').nth(0).check();
    await page.getByRole('button', { name: 'Add a field' }).click();
    await page.getByLabel('Label').nth(1).fill('Licence');
    await page.getByLabel('Type').nth(1).selectOption('choice');
    await page.getByLabel('Choices, one per line').fill('Free\nPaid');
    await page.getByRole('button', { name: 'Add a field' }).click();
    await page.getByLabel('Label').nth(2).fill('Manager agreed');
    await page.getByLabel('Type').nth(2).selectOption('yesno');
    await page.getByLabel('RT queue').fill('Software');
    await page.getByLabel('RT custom fields').fill('Category = Software request');
    await checkPage(page, 'template-form');
    await page.getByRole('button', { name: 'Save template' }).click();
    const row = page.getByRole('row', { name: /New software/ });
    await row.waitFor();
    assert.match(await row.innerText(), /Software name \*, Licence, Manager agreed/);
    assert.match(await row.innerText(), /RT: queue Software, Category=Software request/);
    await checkPage(page, 'templates');

    const offered = await waitFor(async () => (await templates()).items[0], 10_000, 'the template on the agent');
    assert.equal(offered.name, 'New software');
    assert.deepEqual(
      offered.fields.map((f) => [f.key, f.type, f.required]),
      [
        ['software_name', 'text', true],
        ['licence', 'choice', false],
        ['manager_agreed', 'yesno', false],
      ],
    );
    assert.deepEqual(offered.desk, { rt: { queue: 'Software', customFields: { Category: 'Software request' } } });
  });

  it("shows a ticket's filled template fields on the ticket page", async () => {
    const [template] = (await templates()).items;
    await callLocalAgent(join(dir, 'agent'), 'ticket.create', {
      subject: 'Need a diagram editor',
      description: 'For the network plans.',
      template: { id: template!.id, answers: { software_name: 'draw.io', licence: 'Free', manager_agreed: true } },
    });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tickets' }).click();
    const link = page.getByRole('link', { name: 'Need a diagram editor' });
    await waitFor(async () => ((await link.count()) > 0 ? true : (await page.reload(), undefined)), 20_000, 'the ticket in the list');
    await link.click();
    const fields = page.getByLabel('Fields of the New software template');
    await fields.waitFor();
    assert.match(await fields.innerText(), /Software name\s+draw\.io\s+Licence\s+Free\s+Manager agreed\s+Yes/);
    await checkPage(page, 'ticket-template');
  });

  it('a change and a removal reach the agent', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Templates' }).click();
    await page.getByRole('button', { name: 'Change New software' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Software request');
    await page.getByRole('button', { name: 'Remove Manager agreed' }).click();
    await page.getByRole('button', { name: 'Save template' }).click();
    await page.getByRole('row', { name: /Software request/ }).waitFor();
    await waitFor(async () => ((await templates()).items[0]?.name === 'Software request' ? true : undefined), 10_000, 'the change');
    assert.equal((await templates()).items[0]!.fields.length, 2);
    await page.getByRole('button', { name: 'Remove Software request' }).click();
    await page.getByText('No templates yet').waitFor();
    await waitFor(async () => ((await templates()).items.length === 0 ? true : undefined), 10_000, 'the removal');
    assert.deepEqual(problems, []);
  });
});
