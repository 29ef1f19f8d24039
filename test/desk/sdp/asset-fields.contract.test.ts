// The workstation's BIOS (computer_system.bios_*, Asset Computer page) and Outpost's summaries in
// the additional fields an admin configured, on the per-product API and on a build before 15100,
// against the contract server built from the documented samples (fixtures/workstations.json).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../../shared/log.js';
import { SdpConnector } from '../../../server/desk/sdp/connector.js';
import type { DeskAssetFields } from '../../../server/desk/types.js';
import { SdpContractServer } from './contract-server.js';

const API = { id: '9001', name: 'Outpost API', email_id: 'outpost@example.com' };
const UDFS = { cpu: 'udf_sline_11', osBuild: 'udf_sline_12', volumes: 'udf_mline_13', software: 'udf_mline_14' };

const rich = (name: string): DeskAssetFields => ({
  name,
  serviceTag: `SN-${name}`,
  macs: ['aa:bb:cc:00:00:77'],
  cpu: 'Intel Core i5-8500 (6 cores)',
  memory: '16 GB',
  osBuild: '22631.4460',
  bios: { vendor: 'Dell Inc.', version: '1.21.0', releaseDate: '2023-05-10' },
  volumes: ['C: 42 % free of 255.0 GB', 'D: 9 % free of 1.0 TB'],
  software: ['7-Zip 23.01', 'Firefox 120'],
});

for (const assetApi of ['per-product', 'old-only'] as const) {
  describe(`ServiceDesk Plus workstation fields (${assetApi === 'per-product' ? 'per-product API' : 'before build 15100'})`, () => {
    const server = new SdpContractServer({ flavour: 'onprem', token: 'tech-key-1', technicians: [API], assetApi });
    let desk: SdpConnector;

    before(async () => {
      const url = await server.start();
      desk = new SdpConnector({ url, flavour: 'onprem', token: 'tech-key-1', technician: API.name, assetUdfFields: UDFS }, silentLogger);
    });
    after(() => server.stop());

    it('writes the BIOS to computer_system and the configured summaries to additional fields, one list item a line', async () => {
      const ws = await desk.saveAsset(rich('ws-70'));
      const stored = server.state.workstations.get(ws.id)!;
      assert.deepEqual(stored.bios, { manufacturer: 'Dell Inc.', version: '1.21.0', date: '2023-05-10' });
      assert.deepEqual(stored.udf, {
        udf_sline_11: 'Intel Core i5-8500 (6 cores)',
        udf_sline_12: '22631.4460',
        udf_mline_13: 'C: 42 % free of 255.0 GB\nD: 9 % free of 1.0 TB',
        udf_mline_14: '7-Zip 23.01\nFirefox 120',
      });
      assert.ok(
        server.calls.includes(assetApi === 'per-product' ? 'POST /api/v3/asset_workstations' : 'POST /api/v3/workstations'),
        server.calls.join(', '),
      );
      assert.deepEqual(server.violations, []);
    });

    it('sends nothing for a field the mapping leaves to the desk, so what SDP holds stays', async () => {
      const ws = await desk.saveAsset(rich('ws-71'));
      await desk.saveAsset(
        { ...rich('ws-71'), macs: [], cpu: 'Other CPU', bios: { version: '9.9' }, deskOwned: ['macs', 'cpu', 'bios'] },
        ws.id,
      );
      const stored = server.state.workstations.get(ws.id)!;
      assert.deepEqual(stored.macs, ['aa:bb:cc:00:00:77']);
      assert.equal(stored.udf.udf_sline_11, 'Intel Core i5-8500 (6 cores)');
      assert.equal(stored.bios?.version, '1.21.0');
      assert.deepEqual(server.violations, []);
    });
  });
}

it('refuses an additional field setting that is not a udf_ API name', () => {
  assert.throws(
    () =>
      new SdpConnector(
        { url: 'http://127.0.0.1:1', flavour: 'onprem', token: 't', technician: 'x', assetUdfFields: { cpu: 'CPU field' } },
        silentLogger,
      ),
    /assetUdfFields\.cpu/,
  );
});
