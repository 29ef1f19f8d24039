// The shared desk behaviour (../behaviour.ts) against the Autotask contract server.
import { silentLogger } from '../../../shared/log.js';
import { AutotaskConnector } from '../../../server/desk/autotask/connector.js';
import { deskBehaviour } from '../behaviour.js';
import { AutotaskContractServer } from './contract-server.js';

const CREDS = { integrationCode: 'TRACKINGID0123456789ABCDEFG', user: 'outpost-api@example.com', secret: 's3cret-autotask' };
const server = new AutotaskContractServer(CREDS);
const tom = server.addResource('Tom', 'Tech', 'tom@example.com');

deskBehaviour({
  name: 'Autotask (contract server)',
  async start() {
    const url = await server.start();
    return new AutotaskConnector({ ...CREDS, discoveryUrl: url, ticketKeyUdf: 'Outpost Key' }, silentLogger);
  },
  stop: () => server.stop(),
  // The device's company is the ticket's company (the seed's field mapping).
  account: { assetField: 'companyID', ticketField: 'companyID' },
  async registerDevice(serial, hostname, account) {
    const company = Number(account.replace(/\D/g, ''));
    return String(server.addDevice({ referenceTitle: hostname, serialNumber: serial, companyID: company }).id);
  },
  async ticket(id) {
    const t = server.state.get('Tickets', Number(id));
    const notes = [...server.state.rows.TicketNotes.values()].filter((n) => n.ticketID === t.id);
    const entries = [...server.state.rows.TimeEntries.values()].filter((e) => e.ticketID === t.id);
    return {
      assetIds: typeof t.configurationItemID === 'number' ? [String(t.configurationItemID)] : [],
      account: typeof t.companyID === 'number' ? `ACCT-${t.companyID}` : null,
      publicNotes: notes.filter((n) => n.publish === 1).map((n) => String(n.description)),
      worklogMinutes: entries.map((e) => Math.round((e.hoursWorked as number) * 60)),
    };
  },
  async ticketsWithSubject(subject) {
    return [...server.state.rows.Tickets.values()].filter((t) => t.title === subject).map((t) => String(t.id));
  },
  async personReplies(id, text) {
    server.personAddsNote(id, text, 'All Autotask Users', tom);
  },
  async personResolves(id) {
    server.personSetsStatus(id, 'Complete', tom);
  },
  async outage(down) {
    server.down = down;
  },
  async loseNextCreateAnswer() {
    server.loseAnswerOf = /^POST \/ATServicesRest\/v1\.0\/Tickets$/i;
  },
});
