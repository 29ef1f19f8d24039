// `outpost package`: one fleet's enrolment settings, made on the server's data directory while it
// runs, enrol a real agent as they are (agent.json as --config), and hold what each OS needs.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import plist from 'plist';
import { run, runToEnd, startServer, tempDir, waitForDevice, waitForOutput, type ServerProc } from './support/outpost.js';

describe('outpost package', () => {
  let dir: string;
  let server: ServerProc;
  before(async () => {
    dir = tempDir('outpost-package-');
    server = await startServer(join(dir, 'data'));
  });
  after(async () => {
    await server.stop();
  });

  it('writes per-OS settings with a fresh labelled token that enrols an agent from agent.json', async () => {
    const out = join(dir, 'fleet');
    const made = await runToEnd([
      'package',
      '--data',
      join(dir, 'data'),
      '--server',
      server.url,
      '--label',
      'Lyon laptops',
      '--expires',
      '2d',
      '--out',
      out,
    ]);
    assert.equal(made.code, 0, made.output);
    const agentJson = join(out, 'linux', 'agent.json');
    assert.equal(statSync(agentJson).mode & 0o777, 0o600);
    const settings = JSON.parse(readFileSync(agentJson, 'utf8')) as { server: string; token: string };
    assert.equal(settings.server, server.url);
    assert.equal(made.stdout.includes(settings.token), false, 'the token is in the files, not on the terminal');

    const tokens = await server.api<{ items: { label: string; expiresAt: string; state: string }[] }>('/api/tokens');
    assert.equal(tokens.body.items.length, 1);
    assert.equal(tokens.body.items[0]!.label, 'Lyon laptops');
    assert.ok(Math.abs(Date.parse(tokens.body.items[0]!.expiresAt) - (Date.now() + 2 * 86_400_000)) < 120_000);

    const profile = plist.parse(readFileSync(join(out, 'macos', 'outpost.mobileconfig'), 'utf8')) as {
      PayloadContent: { token: string; server: string }[];
    };
    assert.deepEqual([profile.PayloadContent[0]!.server, profile.PayloadContent[0]!.token], [server.url, settings.token]);
    assert.equal(readFileSync(join(out, 'windows', 'outpost-enrol.token'), 'utf8').trim(), settings.token);

    const agent = run(['agent', '--config', agentJson, '--state', join(dir, 'agent')]);
    await waitForOutput(agent, /"msg":"enrolled"/, 30_000);
    await waitForDevice(server);
    await agent.stop();
  });

  it('refuses a server address agents cannot use, and makes no token', async () => {
    const bad = await runToEnd(['package', '--data', join(dir, 'data'), '--server', 'ftp://outpost', '--out', join(dir, 'bad')]);
    assert.equal(bad.code, 2);
    assert.match(bad.output, /--server "ftp:\/\/outpost": must be the http:\/\/ or https:\/\/ address/);
    const tokens = await server.api<{ items: unknown[] }>('/api/tokens');
    assert.equal(tokens.body.items.length, 1);
  });
});
