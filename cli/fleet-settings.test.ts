import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SERVER_SETTINGS, resolveSettings } from './config.js';
import { FLEET_PROCESS_SETTINGS, fleetTimings } from './fleet-settings.js';
import { program } from './program.js';

const configFile = (content: object) => {
  const path = join(mkdtempSync(join(tmpdir(), 'outpost-config-')), 'outpost.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
};

const configError = (pattern: RegExp) => (err: Error & { code?: string }) => err.code === 'E_CONFIG' && pattern.test(err.message);

describe('fleet tuning settings (several server processes)', () => {
  it('takes the heartbeat, lease and agent ping from a flag, the environment or the config file, in seconds', () => {
    const config = configFile({ processHeartbeatSeconds: 4, processLeaseSeconds: 40, agentPingSeconds: 20 });
    const fromFile = resolveSettings(FLEET_PROCESS_SETTINGS, { config }, {});
    assert.deepEqual(fromFile, { processHeartbeatSeconds: 4, processLeaseSeconds: 40, agentPingSeconds: 20 });
    const fromEnv = resolveSettings(FLEET_PROCESS_SETTINGS, { config }, { OUTPOST_PROCESS_LEASE_SECONDS: '60' });
    assert.equal(fromEnv.processLeaseSeconds, 60);
    const fromFlag = resolveSettings(
      FLEET_PROCESS_SETTINGS,
      { config, processLeaseSeconds: '90' },
      { OUTPOST_PROCESS_LEASE_SECONDS: '60' },
    );
    assert.equal(fromFlag.processLeaseSeconds, 90);
    assert.deepEqual(fleetTimings(fromFlag), { heartbeatMs: 4000, leaseMs: 90_000 });
    // Nothing given: the server's own defaults (5 s, 20 s) apply.
    assert.deepEqual(fleetTimings(resolveSettings(FLEET_PROCESS_SETTINGS, {}, {})), {});
  });

  it('refuses a value out of range, naming the setting and where it came from', () => {
    assert.throws(
      () => resolveSettings(FLEET_PROCESS_SETTINGS, { processHeartbeatSeconds: '0' }, {}),
      configError(/^--process-heartbeat-seconds \(from flag\): must be a whole number of seconds from 1 to 60$/),
    );
    assert.throws(
      () => resolveSettings(FLEET_PROCESS_SETTINGS, {}, { OUTPOST_PROCESS_LEASE_SECONDS: 'soon' }),
      configError(/^OUTPOST_PROCESS_LEASE_SECONDS \(from env\): must be a whole number of seconds from 3 to 600$/),
    );
    // Agents drop a server silent for 35 s: a slower ping would cut every connection.
    assert.throws(
      () => resolveSettings(FLEET_PROCESS_SETTINGS, { config: configFile({ agentPingSeconds: 45 }) }, {}),
      configError(/"agentPingSeconds" in the config file \(from file\): must be a whole number of seconds from 5 to 30/),
    );
  });

  it('refuses a lease shorter than three heartbeats, given together or against the default', () => {
    assert.throws(
      () => fleetTimings({ processHeartbeatSeconds: 10, processLeaseSeconds: 20 }),
      configError(/--process-lease-seconds \(20\) must be at least 3 heartbeats \(--process-heartbeat-seconds 10\): at least 30/),
    );
    assert.throws(() => fleetTimings({ processLeaseSeconds: 10 }), configError(/heartbeat-seconds 5\): at least 15/));
    assert.throws(() => fleetTimings({ processHeartbeatSeconds: 30 }), configError(/\(20\) must be at least 3 heartbeats/));
    assert.deepEqual(fleetTimings({ processHeartbeatSeconds: 2, processLeaseSeconds: 6 }), { heartbeatMs: 2000, leaseMs: 6000 });
  });

  it('takes the caps on unauthenticated connections as flags too', () => {
    const s = resolveSettings(SERVER_SETTINGS, { preAuthPerAddress: '500', preAuthTotal: '20000' }, { OUTPOST_PREAUTH_PER_ADDRESS: '8' });
    assert.deepEqual([s.preAuthPerAddress, s.preAuthTotal], [500, 20_000]);
  });

  it('offers every setting as a flag of `outpost server`, under the name the settings read', () => {
    const server = program.commands.find((c) => c.name() === 'server')!;
    const specs = {
      ...FLEET_PROCESS_SETTINGS,
      preAuthPerAddress: SERVER_SETTINGS.preAuthPerAddress,
      preAuthTotal: SERVER_SETTINGS.preAuthTotal,
    };
    for (const [key, spec] of Object.entries(specs)) {
      const option = server.options.find((o) => o.long === spec.flag);
      assert.equal(option?.attributeName(), key, `${spec.flag} is an option of outpost server, read as ${key}`);
    }
  });
});
