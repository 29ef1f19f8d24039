import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { isOutpostError } from '../../shared/errors.js';
import { silentLogger } from '../../shared/log.js';
import { TemplateInputSchema, TicketTemplateSchema } from '../../shared/templates.js';
import { TemplateCache } from './template-cache.js';

const printer = TicketTemplateSchema.parse({
  id: 7,
  updatedAt: '2026-12-07T10:00:00.000Z',
  ...TemplateInputSchema.parse({
    name: 'Printer problem',
    fields: [{ type: 'text', key: 'printer', label: 'Which printer', required: true }],
  }),
});

describe("the agent's copy of the ticket templates", () => {
  let dir: string;
  const cache = () =>
    new TemplateCache({ path: join(dir, 'templates.json'), log: silentLogger, now: () => new Date('2026-12-07T11:00:00Z') });
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'outpost-template-cache-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('offers nothing before the server spoke, then what it sent, also after a restart, and replaces it whole', () => {
    const first = cache();
    first.start();
    assert.deepEqual(first.list(), { items: [], receivedAt: null });
    first.apply({ type: 'templates', templates: [printer] });
    const restarted = cache();
    restarted.start();
    assert.deepEqual(restarted.list(), { items: [printer], receivedAt: '2026-12-07T11:00:00.000Z' });
    restarted.apply({ type: 'templates', templates: [] });
    assert.deepEqual(restarted.list().items, []);
    assert.deepEqual(readdirSync(dir), ['templates.json'], 'no temporary file left behind');
  });

  it('fills a known template and refuses an unknown one or a missing answer, naming the field', () => {
    const c = cache();
    c.apply({ type: 'templates', templates: [printer] });
    assert.deepEqual(c.fill(7, { printer: 'PRN-1' }).fields, [{ key: 'printer', label: 'Which printer', value: 'PRN-1' }]);
    assert.throws(
      () => c.fill(8, {}),
      (e) => isOutpostError(e) && e.code === 'E_BAD_REQUEST' && e.details?.field === 'template',
    );
    assert.throws(
      () => c.fill(7, {}),
      (e) => isOutpostError(e) && e.details?.field === 'printer',
    );
  });

  it('treats an unreadable file as no templates yet, without failing the start', () => {
    writeFileSync(join(dir, 'templates.json'), '{"receivedAt": 5, "templates": "nope"');
    const c = cache();
    c.start();
    assert.deepEqual(c.list(), { items: [], receivedAt: null });
  });
});
