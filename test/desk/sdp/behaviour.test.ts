// The shared desk behaviour (../behaviour.ts) against the ServiceDesk Plus contract server.
import { silentLogger } from '../../../shared/log.js';
import { SdpConnector } from '../../../server/desk/sdp/connector.js';
import { deskBehaviour } from '../behaviour.js';
import { SdpContractServer } from './contract-server.js';

const API = { id: '9001', name: 'Outpost API', email_id: 'outpost@example.com' };
const TOM = { id: '9002', name: 'Tom Tech', email_id: 'tom@example.com' };
const server = new SdpContractServer({ flavour: 'onprem', token: 'tech-key-1', technicians: [API, TOM] });
let desk: SdpConnector;

deskBehaviour({
  name: 'ServiceDesk Plus (contract server)',
  async start() {
    const url = await server.start();
    desk = new SdpConnector(
      { url, flavour: 'onprem', token: 'tech-key-1', technician: API.name, requestKeyField: 'udf_sline_301' },
      silentLogger,
    );
    return desk;
  },
  stop: () => server.stop(),
  account: { assetField: 'udf_sline_9', ticketField: 'udf_sline_302' },
  async registerDevice(serial, hostname, account) {
    // A person adds the workstation (through the API here) and fills its account field.
    const ws = await desk.saveAsset({ name: hostname, serviceTag: serial, macs: [] });
    server.personSetsWorkstationField(ws.id, 'udf_sline_9', account);
    return ws.id;
  },
  async ticket(id) {
    const r = server.request(id);
    return {
      assetIds: r.assets,
      account: r.udf.udf_sline_302 ?? null,
      publicNotes: r.notes.filter((n) => n.show_to_requester).map((n) => n.description.replace(/<!--.*?-->/g, '').replace(/<[^>]+>/g, '')),
      worklogMinutes: r.worklogs.map((w) => w.minutes),
    };
  },
  async ticketsWithSubject(subject) {
    return [...server.state.requests.values()].filter((r) => r.subject === subject).map((r) => r.id);
  },
  async personReplies(id, text) {
    server.personAddsNote(id, text, true, TOM);
  },
  async personResolves(id) {
    server.personSetsStatus(id, 'Resolved', TOM);
  },
  async outage(down) {
    server.down = down;
  },
  async loseNextCreateAnswer() {
    server.loseAnswerOf = /^POST \/api\/v3\/requests$/;
  },
});
