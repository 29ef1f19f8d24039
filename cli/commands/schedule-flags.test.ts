// The real CLI refuses a bad schedule value before anything starts: one line, exit 2 (a usage error).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../../test/support/run-cli.js';

describe('schedule flags on the command line', () => {
  it('outpost agent --scan-at 25:00 stops with one line naming the flag', async () => {
    const r = await runCli(['agent', '--server', 'ws://127.0.0.1:9', '--scan-at', '25:00']);
    assert.equal(r.code, 2, 'a bad setting is a usage error');
    assert.equal(r.stderr.trim(), 'outpost: --scan-at (from flag): must be a time HH:MM from 00:00 to 23:59, or "off"');
  });

  it('outpost server --fleet-refresh-minutes 2 stops with one line naming the flag', async () => {
    const r = await runCli(['server', '--port', '0', '--data', '/nonexistent/never-created', '--fleet-refresh-minutes', '2']);
    assert.equal(r.code, 2, 'a bad setting is a usage error');
    assert.equal(r.stderr.trim(), 'outpost: --fleet-refresh-minutes (from flag): must be a whole number of minutes from 5 to 10080');
  });
});
