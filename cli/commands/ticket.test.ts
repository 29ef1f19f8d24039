import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli as outpost, startTestAgent, type TestAgent } from '../../test/support/agent-harness.js';

describe('outpost ticket', () => {
  let t: TestAgent;
  let files: string;
  before(async () => {
    t = await startTestAgent();
    files = mkdtempSync(join(tmpdir(), 'outpost-files-'));
  });
  after(async () => {
    await t.close();
    rmSync(files, { recursive: true, force: true });
  });

  it('creates a ticket with files, lists it with its number and shows it', async () => {
    writeFileSync(join(files, 'error.log'), 'E42 paper jam\n');
    const created = await outpost([
      'ticket',
      'create',
      '--subject',
      'Printer jams',
      '--description',
      'Every page',
      '--priority',
      'high',
      '--attach',
      join(files, 'error.log'),
      '--state',
      t.stateDir,
      '--json',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const { ref, status } = JSON.parse(created.stdout) as { ref: string; status: string };
    assert.equal(status, 'queued');
    await t.server.waitFor(() => t.server.applied().some((i) => i.kind === 'ticket.attachment'), 'the file to arrive');
    const file = t.server.applied().find((i) => i.kind === 'ticket.attachment');
    assert.ok(file?.kind === 'ticket.attachment');
    assert.deepEqual(
      [file.body.attachment.name, file.body.attachment.type, file.body.attachment.contentBase64],
      ['error.log', 'text/plain', Buffer.from('E42 paper jam\n').toString('base64')],
    );
    for (let i = 0; i < 250 && (await t.call('admin', 'ticket.get', { ref })).number === null; i++)
      await new Promise((r) => setTimeout(r, 20));
    await t.server.stop();
    await t.call('admin', 'ticket.create', { subject: 'Still queued', description: 'x' });

    const list = await outpost(['ticket', 'list', '--state', t.stateDir]);
    assert.equal(list.stdout, 'queued  queued    Still queued\n#1000   new       Printer jams\n');
    const shown = await outpost(['ticket', 'show', '#1000', '--state', t.stateDir]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, new RegExp(`^Ticket #1000: Printer jams\\nStatus: new {3}Priority: high\\nRef: ${ref} `));
    assert.match(shown.stdout, /\n\nEvery page\n\n$/);
    await t.server.start();
  });

  it('marks news from IT in the list, shows it once read, and reopens a resolved ticket', async () => {
    const created = await t.call('admin', 'ticket.create', { subject: 'VPN drops', description: 'Every hour' });
    let number: number | null = null;
    for (let i = 0; i < 250 && number === null; i++) {
      number = (await t.call('admin', 'ticket.get', { ref: created.ref })).number;
      if (number === null) await new Promise((r) => setTimeout(r, 20));
    }
    t.server.setTicketStatus(created.ref, 'resolved', 'Updated the VPN client.');
    for (let i = 0; i < 250 && !(await t.call('admin', 'ticket.get', { ref: created.ref })).unread; i++)
      await new Promise((r) => setTimeout(r, 20));

    const list = await outpost(['ticket', 'list', '--state', t.stateDir]);
    assert.match(list.stdout, new RegExp(`^#${number} +resolved +VPN drops  \\[new\\]$`, 'm'));
    const shown = await outpost(['ticket', 'show', `#${number}`, '--state', t.stateDir]);
    assert.match(shown.stdout, /\(IT\) \[new\]: Updated the VPN client\.\n$/);
    const again = await outpost(['ticket', 'list', '--state', t.stateDir]);
    assert.match(again.stdout, new RegExp(`^#${number} +resolved +VPN drops$`, 'm'), 'read once shown');

    const reopened = await outpost(['ticket', 'reopen', `#${number}`, '--note', 'Dropped again at 10:00', '--state', t.stateDir]);
    assert.equal(reopened.code, 0, reopened.stderr);
    assert.equal(reopened.stdout, `Ticket #${number} reopened; IT sees your note with it.\n`);
    await t.server.waitFor(
      () => t.server.deskTickets().some((x) => x.ref === created.ref && x.status === 'open'),
      'the reopen at the desk',
    );
    const twice = await outpost(['ticket', 'reopen', `#${number}`, '--note', 'again', '--state', t.stateDir]);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /only a resolved or closed ticket can be reopened/);
  });

  it('refuses a file over 10 MB before sending anything', async () => {
    const big = join(files, 'video.mp4');
    writeFileSync(big, '');
    truncateSync(big, 11 * 1024 * 1024);
    const before = t.counts();
    const r = await outpost(['ticket', 'create', '--subject', 's', '--description', 'd', '--attach', big, '--state', t.stateDir]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `outpost: --attach ${big}: the file is 11.0 MB; a file may be at most 10 MB.\n`);
    assert.deepEqual(t.counts(), before);
  });

  it('exits 2 on bad flags and 1 on errors, with one line saying why', async () => {
    const [missing, badPriority, unknown, nowhere] = await Promise.all([
      outpost(['ticket', 'create', '--description', 'd', '--state', t.stateDir]),
      outpost(['ticket', 'create', '--subject', 's', '--description', 'd', '--priority', 'asap', '--state', t.stateDir]),
      outpost(['ticket', 'show', 'NoSuchTicket99', '--state', t.stateDir]),
      outpost(['ticket', 'list', '--state', join(files, 'no-agent-here')]),
    ]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /required option '--subject <text>' not specified/);
    assert.equal(badPriority.code, 2);
    assert.match(badPriority.stderr, /Allowed choices are low, normal, high, urgent/);
    assert.deepEqual([unknown.code, unknown.stderr], [1, 'outpost: You have no ticket NoSuchTicket99 on this machine.\n']);
    assert.equal(nowhere.code, 1);
    assert.match(nowhere.stderr, /^outpost: No agent has started with the state directory .*no-agent-here/);
  });
});
