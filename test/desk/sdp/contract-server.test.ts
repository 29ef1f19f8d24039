// The contract server must be able to fail a test: a wrong header, path or body is refused,
// recorded as a violation, and reaches the connector as a DeskError.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { silentLogger } from '../../../shared/log.js';
import { isDeskError, type DeskErrorCode } from '../../../server/desk/errors.js';
import { SdpConnector } from '../../../server/desk/sdp/connector.js';
import { SdpContractServer } from './contract-server.js';
import { TRANSPORT } from './documented.js';

const [SDP_ACCEPT, SDP_FORM] = [TRANSPORT.accept, TRANSPORT.form];

const API = { id: '9001', name: 'Outpost API', email_id: 'outpost@example.com' };
const REQUEST = { request: { subject: 'S', description: 'D', requester: { email_id: 'a@example.com' } } };

describe('the ServiceDesk Plus contract server refuses off-contract calls', () => {
  const server = new SdpContractServer({ flavour: 'onprem', token: 'tech-key-1', technicians: [API] });
  let url = '';

  before(async () => {
    url = await server.start();
  });
  after(() => server.stop());
  beforeEach(() => {
    server.violations.length = 0;
  });

  async function call(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
    const headers = { Accept: SDP_ACCEPT, authtoken: 'tech-key-1', 'Content-Type': SDP_FORM, ...init.headers };
    const res = await fetch(url + path, {
      method: init.method ?? 'POST',
      headers,
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    return { status: res.status, body: (await res.json()) as { response_status: { status: string; messages: { message: string }[] } } };
  }
  const form = (input: unknown) => new URLSearchParams({ input_data: JSON.stringify(input) }).toString();

  it('accepts the documented call', async () => {
    const res = await call('/api/v3/requests', { body: form(REQUEST) });
    assert.equal(res.status, 201);
    assert.deepEqual(server.violations, []);
  });

  const refusals: [string, string, Parameters<typeof call>[1], number, RegExp][] = [
    ['a wrong Accept header', '/api/v3/requests', { headers: { Accept: 'application/json' }, body: form(REQUEST) }, 400, /Accept must be/],
    [
      'the cloud auth header on-premises',
      '/api/v3/requests',
      { headers: { authtoken: '', Authorization: 'Zoho-oauthtoken tech-key-1' }, body: form(REQUEST) },
      401,
      /authtoken header/,
    ],
    ['a wrong technician key', '/api/v3/requests', { headers: { authtoken: 'nope' }, body: form(REQUEST) }, 401, /missing or wrong/],
    ['a path that is not documented', '/api/v3/request', { body: form(REQUEST) }, 404, /no such endpoint/],
    ['a method that is not documented', '/api/v3/requests/100000000000001', { method: 'DELETE' }, 405, /DELETE is not documented/],
    [
      'a JSON body instead of the input_data form field',
      '/api/v3/requests',
      { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(REQUEST) },
      400,
      /Content-Type must be/,
    ],
    ['a second form field', '/api/v3/requests', { body: `${form(REQUEST)}&extra=1` }, 400, /one form field input_data/],
    ['input_data that is not JSON', '/api/v3/requests', { body: 'input_data=%7Bnope' }, 400, /not JSON/],
    [
      'an undocumented key in the request',
      '/api/v3/requests',
      { body: form({ request: { ...REQUEST.request, urgency: 'now' } }) },
      400,
      /urgency/,
    ],
    [
      'a requester without an email',
      '/api/v3/requests',
      { body: form({ request: { ...REQUEST.request, requester: { name: 'A' } } }) },
      400,
      /requester/,
    ],
    [
      'the cloud note key on-premises',
      '/api/v3/requests/100000000000001/notes',
      { body: form({ request_note: { description: 'x', show_to_requester: true } }) },
      400,
      /note/,
    ],
    [
      'closing by writing the Closed status (closure rules apply to the close call)',
      '/api/v3/requests/100000000000001',
      { method: 'PUT', body: form({ request: { status: { name: 'Closed' } } }) },
      400,
      /close a request with PUT \/api\/v3\/requests\/{id}\/close/,
    ],
    [
      'a workstation key the documented sample does not have',
      '/api/v3/asset_workstations',
      { body: form({ asset_workstation: { name: 'w', product: { name: 'Workstation' }, state: { name: 'In Use' }, software: [] } }) },
      400,
      /asset_workstation\.software is not in the documented sample/,
    ],
    [
      'a workstation without its mandatory state',
      '/api/v3/workstations',
      { body: form({ workstation: { name: 'w', product: { name: 'Workstation' } } }) },
      400,
      /workstation\.state is required/,
    ],
    [
      'a product that does not exist',
      '/api/v3/workstations',
      { body: form({ workstation: { name: 'w', product: { name: 'Latitude 7440' }, state: { name: 'In Use' } } }) },
      400,
      /no product named Latitude 7440/,
    ],
    [
      'an old-API additional-field key on the new API',
      '/api/v3/asset_workstations',
      {
        body: form({
          asset_workstation: { name: 'w', product: { name: 'Workstation' }, state: { name: 'In Use' }, workstation_udf_fields: {} },
        }),
      },
      400,
      /workstation_udf_fields is not in the documented sample/,
    ],
    [
      'a search condition the documentation does not list',
      '/api/v3/requests?input_data=' +
        encodeURIComponent(
          JSON.stringify({ list_info: { search_criteria: { field: 'last_updated_time', condition: 'after', value: '1' } } }),
        ),
      { method: 'GET' },
      400,
      /not a documented condition/,
    ],
    [
      'a search the contract does not know',
      '/api/v3/requests?input_data=' +
        encodeURIComponent(JSON.stringify({ list_info: { search_criteria: { field: 'urgency.name', condition: 'is', value: 'x' } } })),
      { method: 'GET' },
      400,
      /urgency\.name/,
    ],
  ];

  for (const [what, path, init, status, message] of refusals) {
    it(`refuses ${what}`, async () => {
      const res = await call(path, init);
      assert.equal(res.status, status);
      assert.equal(res.body.response_status.status, 'failed');
      assert.equal(server.violations.length, 1);
      assert.match(server.violations[0]!, message);
    });
  }

  async function connectorFails(config: Partial<ConstructorParameters<typeof SdpConnector>[0]>, code: DeskErrorCode, retryable: boolean) {
    const desk = new SdpConnector({ url, flavour: 'onprem', token: 'tech-key-1', technician: API.name, ...config }, silentLogger);
    const input = {
      idempotencyKey: 'key-refused-01',
      requesterEmail: 'a@example.com',
      subject: 'S',
      description: 'D',
      priority: 'urgent' as const,
    };
    await assert.rejects(desk.createTicket(input), (e) => isDeskError(e) && e.code === code && e.retryable === retryable);
    assert.equal(server.violations.length, 1);
  }

  it('reaches a connector with the wrong flavour as a non-retryable auth error', () =>
    connectorFails({ flavour: 'cloud' }, 'E_DESK_AUTH', false));

  it('reaches a connector sending a priority SDP does not have as a rejection', () =>
    connectorFails({ priorities: { urgent: 'Critical' } }, 'E_DESK_REJECTED', false));

  it('reaches a connector on a wrong portal path as not found', () =>
    connectorFails({ url: `${url}/app/itdesk` }, 'E_DESK_NOT_FOUND', false));

  it('refuses an upload with anything but one input_file field', async () => {
    const created = await call('/api/v3/requests', { body: form(REQUEST) });
    const id = (created.body as unknown as { request: { id: string } }).request.id;
    server.violations.length = 0;
    const body = new FormData();
    body.append('file', new Blob(['x']), 'a.txt');
    const res = await fetch(`${url}/api/v3/requests/${id}/upload`, {
      method: 'PUT',
      headers: { Accept: SDP_ACCEPT, authtoken: 'tech-key-1' },
      body,
    });
    assert.equal(res.status, 400);
    assert.match(server.violations[0] ?? '', /one field input_file/);
  });
});
