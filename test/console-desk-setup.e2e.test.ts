// The console's Service desk page shows the desk's setup check: one line per problem with what to
// do, and "Check again" runs it anew. The desk is the shared fake (test/fakes/desk-connector.ts);
// the server and the console are real, in Chromium (test/support/console.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { parseDeskSettings } from '../server/desk/sync/settings.js';
import { FakeDesk } from './fakes/desk-connector.js';
import { checkPage, fillSignIn, openConsoleBrowser } from './support/console.js';
import { startHarness, type Harness } from './support/server/harness.js';

const MISSING =
  "Custom field 'Outpost Device ID' is missing on catalog 'General assets': devices are written without it; run rt-setup-database-5 --action insert --datafile server/desk/rt/initialdata.pl on the RT host.";
const SHARED = "RT user 'outpost' owns 2 ticket(s), which Outpost never does: people work as this user; give them their own RT accounts.";

describe('console: the desk setup check', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  const desk = new FakeDesk();

  before(async () => {
    desk.reportSetup([{ check: 'fields', severity: 'degraded', message: MISSING }]);
    const settings = parseDeskSettings({ kind: 'rt', url: 'http://rt.invalid', user: 'outpost', secret: 'not-logged' });
    h = await startHarness({ desk: settings, deskConnector: desk });
    const password = await h.server.createFirstAdmin('it-admin');
    ({ browser, page, problems } = await openConsoleBrowser());
    await page.goto(`${h.url}/desk`);
    await fillSignIn(page, 'it-admin', password!);
  });

  after(async () => {
    await browser?.close();
    await h?.close();
  });

  it('lists each setup problem with what to do, and that the desk still works', async () => {
    const card = page.getByRole('region', { name: 'Setup check' });
    await card.getByText(MISSING).waitFor();
    assert.match(await card.innerText(), /Works, with setup problems/);
    assert.match(await card.innerText(), /Degraded/);
    await checkPage(page, 'desk-setup');
  });

  it('checks again on request and shows the new finding', async () => {
    desk.reportSetup([{ check: 'shared-user', severity: 'advice', message: SHARED }]);
    const card = page.getByRole('region', { name: 'Setup check' });
    await card.getByRole('button', { name: 'Check again' }).click();
    await card.getByText(SHARED).waitFor();
    assert.equal(await card.getByText(MISSING).count(), 0);
    assert.deepEqual(problems, []);
  });
});
