// Ticket templates in the tray app: its built ticket page in real Chromium, its real main-process
// handlers (on the Electron fake), the real agent and the real server. IT adds a template through the
// API; the person picks it in the form, is told which of its fields are missing, fills them and sends
// the ticket; the server has the filled fields with the ticket.
// Needs `npm run build` (dist/ and dist/tray/) and Chromium at /usr/bin/chromium (CHROMIUM_PATH).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TicketTemplate } from '../shared/templates.js';
import type { TrayBrowser } from './support/tray/browser.js';
import { startBuiltTray, type BuiltTray } from './support/tray/built-tray.js';
import { SCREENSHOTS } from './support/screenshots.js';
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

describe('ticket templates in the tray app', { timeout: deadline(180_000) }, () => {
  let server: ServerProc;
  let agent: AgentProc;
  let browser: TrayBrowser;
  let running: BuiltTray;
  let template: TicketTemplate;

  before(async () => {
    assert.ok(existsSync(join(built, 'renderer', 'ticket.js')), 'dist/tray is missing: run `npm run build` first');
    const dir = tempDir('outpost-tray-templates-');
    server = await startServer(join(dir, 'server'));
    const added = await server.api<TicketTemplate>('/api/templates', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Access request',
        hint: 'Access to a system, share or mailbox',
        fields: [
          { type: 'text', key: 'system', label: 'System or share', required: true, maxChars: 120 },
          { type: 'choice', key: 'level', label: 'Access level', choices: ['Read', 'Read and write'], required: true },
          { type: 'yesno', key: 'manager_ok', label: 'Your manager agreed', required: true },
          { type: 'text', key: 'why', label: 'Why you need it', multiline: true },
        ],
      }),
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    template = added.body;
    agent = startAgent(server.url, join(dir, 'agent'), await createToken(join(dir, 'server')));
    await waitForDevice(server);
    running = await startBuiltTray(dir, join(dir, 'agent'));
    ({ browser } = running);
  });

  after(async () => {
    await running?.stop();
    await agent?.kill();
    await server?.kill();
  });

  it('offers the template in the form, names the missing fields, and sends the filled fields with the ticket', async () => {
    const { page, problems } = await browser.open('ticket');
    await page.getByText('Connected', { exact: true }).waitFor();
    await waitFor(
      async () => ((await page.getByLabel('Kind of request', { exact: true }).isVisible()) ? true : (await page.reload(), undefined)),
      20_000,
      'the template picker',
    );
    await page.getByLabel('Kind of request', { exact: true }).selectOption({ label: 'Access request' });
    await page.getByText('Access to a system, share or mailbox').waitFor();
    await page.getByLabel('Subject').fill('Access to the finance share');
    await page.getByLabel('Description').fill('I moved to the finance team this week.');
    await page.getByLabel('System or share').fill('\\\\files\\finance');
    await page.getByRole('button', { name: 'Send ticket' }).click();
    await page.getByText('Please fill in access level.').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'tf-level', 'the first missing field has the focus');
    await page.getByLabel('Access level').selectOption('Read and write');
    await page.getByLabel('Your manager agreed').selectOption({ label: 'Yes' });
    await page.getByLabel('Why you need it').fill('Month-end reports.\nBudget files.');
    await page.screenshot({ path: join(SCREENSHOTS, 'ticket-form-template.png') });
    await page.getByRole('button', { name: 'Send ticket' }).click();
    await page.getByRole('heading', { name: 'Ticket sent' }).waitFor();

    const id = await waitFor(
      async () =>
        (await server.api<{ items: { id: number; subject: string }[] }>('/api/tickets?q=finance')).body.items.find(
          (t) => t.subject === 'Access to the finance share',
        )?.id,
      20_000,
      'the ticket on the server',
    );
    const detail = (
      await server.api<{ template: { id: number; name: string; fields: { label: string; value: unknown }[] } }>(`/api/tickets/${id}`)
    ).body;
    assert.deepEqual(detail.template, {
      id: template.id,
      name: 'Access request',
      fields: [
        { key: 'system', label: 'System or share', value: '\\\\files\\finance' },
        { key: 'level', label: 'Access level', value: 'Read and write' },
        { key: 'manager_ok', label: 'Your manager agreed', value: true },
        { key: 'why', label: 'Why you need it', value: 'Month-end reports.\nBudget files.' },
      ],
    });
    assert.deepEqual(problems, []);
  });
});
