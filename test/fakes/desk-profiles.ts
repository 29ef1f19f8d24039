// The capabilities of each real connector, for sync tests that run once per desk: the sync engine
// must do the right thing with what RT can do and with what ServiceDesk Plus can do (no attachments,
// ticket keys only with a request key field). Taken from the connectors themselves, so a change
// in a connector's capabilities reaches these tests.
import { silentLogger } from '../../shared/log.js';
import type { DeskCapabilities } from '../../server/desk/connector.js';
import { RT_CAPABILITIES } from '../../server/desk/rt/connector.js';
import { SdpConnector } from '../../server/desk/sdp/connector.js';

const sdp = (requestKeyField?: string) =>
  new SdpConnector(
    {
      url: 'http://127.0.0.1:1',
      flavour: 'onprem',
      token: 'unused',
      technician: 'Outpost',
      ...(requestKeyField ? { requestKeyField } : {}),
    },
    silentLogger,
  ).capabilities;

export const DESK_PROFILES: readonly { name: string; capabilities: DeskCapabilities }[] = [
  { name: 'Request Tracker', capabilities: { ...RT_CAPABILITIES } },
  { name: 'ServiceDesk Plus', capabilities: sdp('udf_sline_301') },
  { name: 'ServiceDesk Plus without a request key field', capabilities: sdp() },
];
