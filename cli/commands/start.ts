// `outpost start` (what `npm start` runs): a server on embedded SQLite plus an agent for this
// machine, enrolled automatically, so one command shows Outpost working end to end.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createAgent } from '../../agent/create.js';
import { OutpostServer } from '../../server/server.js';
import { SERVER_SETTINGS, resolveSettings } from '../config.js';
import { stopOnSignals } from '../lifecycle.js';
import { createLogger } from '../../shared/logger.js';

interface DeviceRow {
  hostname: string;
  os?: { platform?: string; distro?: string; release?: string };
  softwareCount?: number;
}

const describeOs = (os: DeviceRow['os']) => [os?.distro ?? os?.platform, os?.release].filter(Boolean).join(' ') || 'unknown OS';

export async function startCommand(flags: { data: string; port: string }): Promise<void> {
  const settings = resolveSettings({ data: SERVER_SETTINGS.data, port: SERVER_SETTINGS.port }, flags);
  const dataDir = resolve(settings.data);
  const log = createLogger(process.env.OUTPOST_LOG_LEVEL ?? 'warn');
  // A fresh admin token each start: the stored one is only a hash and cannot be shown again.
  const adminToken = randomBytes(24).toString('base64url');
  const server = new OutpostServer({ host: '127.0.0.1', port: settings.port, dataDir, adminToken, log });
  const started = Date.now();
  const { url } = await server.start();
  const firstPassword = await server.createFirstAdmin('admin');

  const stateDir = join(dataDir, 'agent');
  const enrolled = existsSync(join(stateDir, 'credentials.json'));
  const enrolmentToken = enrolled ? undefined : await server.createEnrolmentToken({ uses: 1, expiresInMs: 10 * 60_000 });
  const agent = createAgent({ stateDir, serverUrl: url, ...(enrolmentToken ? { enrolmentToken } : {}), log });
  await agent.start();
  stopOnSignals(async () => {
    await agent.stop();
    await server.stop();
  });

  const device = await waitForInventory(url, adminToken, 60_000);
  console.log(`Outpost is running (data in ${dataDir}).`);
  console.log(`  Console      ${url}/`);
  console.log(
    firstPassword
      ? `  Sign in      admin / ${firstPassword}   (shown once; change it with \`outpost admin passwd admin --data ${dataDir}\`)`
      : `  Sign in      with your admin account (add one with \`outpost admin create NAME --data ${dataDir}\`)`,
  );
  console.log(`  API          ${url}/api   e.g. curl -H "Authorization: Bearer ${adminToken}" ${url}/api/devices`);
  console.log(`  Admin token  ${adminToken}   (new each start)`);
  console.log(
    device
      ? `  This machine ${device.hostname}, ${describeOs(device.os)}, ${device.softwareCount ?? 0} packages, on the server ${((Date.now() - started) / 1000).toFixed(1)} s after start`
      : '  This machine has not reported yet; see the log above.',
  );
  console.log('Press Ctrl-C to stop.');
}

async function waitForInventory(url: string, token: string, timeoutMs: number): Promise<DeviceRow | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await fetch(`${url}/api/devices`, { headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
    if (res?.ok) {
      const body = (await res.json()) as { items: DeviceRow[] };
      const device = body.items.find((d) => (d.softwareCount ?? 0) > 0) ?? undefined;
      if (device) return device;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}
