// `--desk autotask` as the operator configures it: the 5-minute default poll, the connector built
// from the desk settings, and settings that name what is wrong without echoing the secret.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../../../shared/log.js';
import { integrationLevel } from '../connector.js';
import { createConnector, parseDeskSettings } from '../sync/settings.js';

const base = {
  kind: 'autotask',
  url: 'https://webservices.autotask.net/atservicesrest',
  user: 'api@example.com',
  secret: 'top-secret-value',
};

describe('Autotask desk settings', () => {
  it('polls every 5 minutes by default (RT and SDP every 30 s) and builds a two-way connector', () => {
    const s = parseDeskSettings({ ...base, options: { integrationCode: 'TRACKING-ID', ticketKeyUdf: 'Outpost Key' } });
    assert.equal(s.pollSeconds, 300);
    assert.equal(parseDeskSettings({ ...base, kind: 'rt' }).pollSeconds, 30);
    assert.equal(parseDeskSettings({ ...base, pollSeconds: 600 }).pollSeconds, 600);
    const desk = createConnector(s, silentLogger);
    assert.deepEqual([desk.kind, integrationLevel(desk.capabilities), desk.capabilities.ticketKeys], ['autotask', 'two-way', true]);
  });

  it('refuses a connector without the integration code, naming it and not the secret', () => {
    const s = parseDeskSettings(base);
    assert.throws(
      () => createConnector(s, silentLogger),
      (e: Error) => /integrationCode/.test(e.message) && !e.message.includes('top-secret-value'),
    );
  });

  it('takes priority labels from the field mapping as labels', () => {
    const s = parseDeskSettings({ ...base, options: { integrationCode: 'T' }, mapping: { priorities: { urgent: 'Critical P1' } } });
    const desk = createConnector(s, silentLogger) as unknown as { config: { priorities: Record<string, string> } };
    assert.equal(desk.config.priorities.urgent, 'Critical P1');
  });
});
