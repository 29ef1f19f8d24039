// Get software's requests through the agent's local API: a catalog package or a prohibited name asked
// for becomes a ticket carrying which one, pending approval; the desk's answer comes back and shows,
// also after a restart; nonsense and repeats are refused with nothing queued.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { isOutpostError } from '../../shared/errors.js';
import type { Item } from '../../shared/protocol.js';
import type { SelfServicePackage } from '../../shared/self-service.js';
import { TemplateInputSchema, TicketTemplateSchema } from '../../shared/templates.js';
import { startTestAgent, type TestAgent } from '../../test/support/agent-harness.js';
import { deadline } from '../../test/support/deadline.js';

const drawio: SelfServicePackage = { id: 'pkg-drawio', name: 'draw.io', version: '24.1', installer: 'apt' };
const newSoftware = TicketTemplateSchema.parse({
  id: 3,
  updatedAt: '2026-12-07T10:00:00.000Z',
  ...TemplateInputSchema.parse({ name: 'New  software', desk: { rt: { queue: 'Software' } } }),
});
const creates = (t: TestAgent) =>
  t.server.applied().filter((i): i is Extract<Item, { kind: 'ticket.create' }> => i.kind === 'ticket.create');

/** Until the local API answers as wanted (the server's messages arrive asynchronously). */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const giveUpAt = Date.now() + deadline(10_000);
  while (!(await check())) {
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function refused(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => isOutpostError(err) && err.code === code);
}

describe('self-service requests through the agent', () => {
  let t: TestAgent;
  afterEach(() => t.close());

  async function withCatalog(): Promise<void> {
    t.server.send({ type: 'self-service', packages: [drawio] });
    t.server.send({ type: 'templates', templates: [newSoftware] });
    await until(async () => (await t.call('alice', 'software.catalog', {})).items.length === 1, 'the catalog arrives');
    await until(async () => (await t.call('alice', 'templates.list', {})).items.length === 1, 'the templates arrive');
  }

  it('asks for a catalog package: a New software ticket naming it, pending; the rejection and its reason come back', async () => {
    t = await startTestAgent();
    await withCatalog();
    const asked = await t.call('alice', 'software.request', { kind: 'install', packageId: 'pkg-drawio', reason: 'Network diagrams' });
    assert.equal(asked.status, 'queued');
    await t.server.waitFor(() => creates(t).length === 1, 'the request reaches the server');
    const body = creates(t)[0]!.body;
    assert.deepEqual(body.softwareRequest, { kind: 'install', packageId: 'pkg-drawio', name: 'draw.io', version: '24.1' });
    assert.equal(body.subject, 'Software request: draw.io 24.1');
    assert.match(body.description, /Please install draw\.io 24\.1 \(package pkg-drawio\)[\s\S]*Why: Network diagrams[\s\S]*needs approval/);
    assert.deepEqual(body.template, { id: 3, name: 'New  software', fields: [] }, "IT's New software template's desk mapping applies");

    const mine = await t.call('alice', 'ticket.get', { ref: asked.ref });
    assert.deepEqual(mine.softwareRequest?.approval, { state: 'pending', reason: null, at: null });
    await refused(t.call('alice', 'software.request', { kind: 'install', packageId: 'pkg-drawio', reason: '' }), 'E_CONFLICT');

    t.server.decideSoftware(asked.ref, {
      state: 'rejected',
      reason: 'No licence left; use LibreOffice Draw.',
      at: '2026-12-07T12:00:00.000Z',
    });
    await until(
      async () => (await t.call('alice', 'ticket.get', { ref: asked.ref })).softwareRequest?.approval.state === 'rejected',
      'the rejection reaches the endpoint',
    );
    await t.restart();
    const after = await t.call('alice', 'ticket.list', {});
    assert.equal(after.items[0]?.softwareRequest?.approval.reason, 'No licence left; use LibreOffice Draw.');
    // Rejected: the person may ask again (with a better reason).
    await t.call('alice', 'software.request', { kind: 'install', packageId: 'pkg-drawio', reason: 'Needed for the audit' });
  });

  it('asks to keep prohibited software with a reason, and refuses a package IT does not offer here', async () => {
    t = await startTestAgent();
    await withCatalog();
    await refused(t.call('alice', 'software.request', { kind: 'install', packageId: 'pkg-steam', reason: '' }), 'E_NOT_FOUND');
    await refused(t.call('alice', 'software.request', { kind: 'exception', name: 'Steam', reason: '  ' }), 'E_BAD_REQUEST');
    const asked = await t.call('alice', 'software.request', { kind: 'exception', name: 'Steam', reason: 'Game studio QA' });
    await t.server.waitFor(() => creates(t).length === 1, 'only the valid request was queued');
    assert.deepEqual(creates(t)[0]!.body.softwareRequest, { kind: 'exception', packageId: null, name: 'Steam', version: null });
    assert.equal(creates(t)[0]!.body.subject, 'Exception to the prohibited list: Steam');
    // Bob's machine-mate asks nothing on Alice's behalf: his list has no request.
    assert.deepEqual((await t.call('bob', 'ticket.list', {})).items, []);
    assert.equal((await t.call('alice', 'ticket.get', { ref: asked.ref })).softwareRequest?.kind, 'exception');
  });
});
