// The fleet schedule set on a real server reaches a real agent in its welcome, and a value set on
// the agent's own command line wins over the fleet's.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createToken, run, tempDir, waitForOutput, type Proc } from './support/outpost.js';

describe('schedule settings: server fleet schedule -> agent', () => {
  const dir = tempDir();
  const procs: Proc[] = [];
  after(async () => {
    for (const p of procs.reverse()) await p.stop();
  });

  it("applies the fleet's daily scan and users refresh, with the agent's own refresh interval kept", async () => {
    const dataDir = join(dir, 'server');
    const server = run(['server', '--host', '127.0.0.1', '--port', '0', '--data', dataDir, '--fleet-scan-at', '02:30'], {
      OUTPOST_ADMIN_TOKEN: randomBytes(18).toString('base64url'),
      OUTPOST_FLEET_REFRESH_MINUTES: '240',
      OUTPOST_FLEET_USERS_REFRESH_MINUTES: '10',
    });
    procs.push(server);
    const [, url] = await waitForOutput(server, /listening on (http:\/\/\S+)/);
    const token = await createToken(dataDir);
    const agent = run(['agent', '--server', url!, '--state', join(dir, 'agent'), '--token', token, '--refresh-minutes', '60']);
    procs.push(agent);
    const [line] = await waitForOutput(agent, /^.*"trigger settings updated".*$/m, 30_000);
    const logged = JSON.parse(line) as Record<string, unknown>;
    assert.deepEqual(
      { refreshMinutes: logged.refreshMinutes, usersRefreshMinutes: logged.usersRefreshMinutes, scheduledScanAt: logged.scheduledScanAt },
      { refreshMinutes: 60, usersRefreshMinutes: 10, scheduledScanAt: '02:30' },
    );
  });
});
