import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentUrl, sameServer } from './url.js';

describe('agentUrl', () => {
  it('turns the configured base into the WebSocket endpoint', () => {
    assert.equal(agentUrl('https://outpost.example.com'), 'wss://outpost.example.com/agent');
    assert.equal(agentUrl('http://10.0.0.5:8080/'), 'ws://10.0.0.5:8080/agent');
    assert.equal(agentUrl('wss://host/outpost/'), 'wss://host/outpost/agent');
    assert.equal(agentUrl('ws://host/agent'), 'ws://host/agent');
  });

  it('refuses what is not a server URL with E_CONFIG', () => {
    assert.throws(() => agentUrl('outpost.example.com'), { code: 'E_CONFIG' });
    assert.throws(() => agentUrl('ftp://host'), { code: 'E_CONFIG', message: /https:\/\// });
  });

  it('knows the same server under its http and ws names', () => {
    assert.ok(sameServer('https://host/', 'wss://host/agent'));
    assert.ok(!sameServer('https://host', 'https://other'));
  });
});
