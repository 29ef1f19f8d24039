// `npm start` (outpost start): one command shows Outpost working on this machine.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { run, tempDir, waitForOutput, type Proc } from './support/outpost.js';

let start: Proc | undefined;
after(async () => {
  await start?.stop();
});

it('runs a server and an enrolled agent, and prints the console with a first admin, the API, the admin token and this machine', async () => {
  start = run(['start', '--data', join(tempDir(), 'data'), '--port', '0'], { OUTPOST_LOG_LEVEL: 'warn' });
  const [, url] = await waitForOutput(start, /API\s+(http:\/\/127\.0\.0\.1:\d+)\/api/, 30_000);
  const [, token] = await waitForOutput(start, /Admin token\s+(\S+)/);
  const [, packages] = await waitForOutput(start, /This machine .*?, (\d+) packages, on the server/, 60_000);
  const [, password] = await waitForOutput(start, /Sign in\s+admin \/ (\S+)/);
  const signIn = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  assert.equal(signIn.status, 200, 'the printed first admin can sign in to the console');
  assert.equal((await fetch(`${url}/`)).headers.get('content-type')?.startsWith('text/html'), true);
  const res = await fetch(`${url}/api/devices`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as { items: { softwareCount: number; online: boolean }[] };
  assert.equal(body.items.length, 1);
  assert.equal(body.items[0]!.online, true);
  // Other test files install and remove packages meanwhile: the count may move by those few.
  assert.ok(Math.abs(body.items[0]!.softwareCount - Number(packages)) <= 3, `${body.items[0]!.softwareCount} vs ${packages}`);
  assert.ok(Number(packages) > 50);
});
