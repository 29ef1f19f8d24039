// The one fake desk for sync tests: an in-memory desk with every capability, an on/off switch for
// outages, one-shot failures, and changes a test feeds to the next poll.
import { RT_CAPABILITIES } from '../../server/desk/rt/connector.js';
import type { DeskCapabilities, DeskConnector, DeskQueues, DeskTechnician } from '../../server/desk/connector.js';
import { DeskError, type DeskErrorCode } from '../../server/desk/errors.js';
import type {
  AssetLookup,
  DeskAsset,
  DeskAssetFields,
  DeskChanges,
  DeskCursor,
  DeskId,
  DeskNote,
  DeskProblem,
  DeskPackage,
  DeskSoftware,
  DeskTicket,
  DeskTicketChange,
  DeskUser,
  NewDeskNote,
  NewDeskTicket,
  NewDeskWorklog,
  TicketUpdate,
} from '../../server/desk/types.js';

export class FakeDesk implements DeskConnector {
  readonly kind = 'rt' as const;
  capabilities: DeskCapabilities = { ...RT_CAPABILITIES };
  /** While true every call fails as an unreachable desk would. */
  down = false;
  readonly tickets = new Map<DeskId, NewDeskTicket & { status: string }>();
  readonly notes: NewDeskNote[] = [];
  readonly worklogs: NewDeskWorklog[] = [];
  readonly assets = new Map<DeskId, DeskAsset>();
  /** Asset fields a person set in the desk (the account lookup reads them): asset id -> field -> value. */
  readonly assetExtras = new Map<DeskId, Record<string, string>>();
  readonly software = new Map<DeskId, DeskSoftware>();
  /** The catalog of software packages, once keepPackages() made this desk keep one. */
  readonly packages = new Map<DeskId, DeskPackage>();
  findPackage?: (pkg: DeskPackage) => Promise<DeskId | null>;
  savePackage?: (pkg: DeskPackage, id?: DeskId) => Promise<DeskId>;
  retirePackage?: (pkg: DeskPackage, id: DeskId) => Promise<void>;
  /** Package records marked retired (retirePackage). */
  readonly retiredPackages = new Set<DeskId>();
  readonly calls: string[] = [];
  /** The desk's queues (RT) / categories (SDP) and the configured default. */
  queues: DeskQueues = { names: ['General', 'Hardware', 'Network'], default: 'General' };
  /** Technicians (RT privileged users) and their desk passwords: username -> password. */
  readonly technicians = new Map<string, string>();
  /** Desk users by login name (people the desk knows; findUserByLogin reads them). */
  readonly users = new Map<string, DeskUser>();
  /** The next createTicket writes the ticket, then fails as a timeout would: an unknown outcome. */
  loseNextAnswer = false;
  private failures: DeskErrorCode[] = [];
  private readonly failuresByCall = new Map<string, DeskErrorCode>();
  private pending: DeskTicketChange[] = [];
  private nextId = 1;

  /** The next calls fail with these codes, one each. */
  failNext(...codes: DeskErrorCode[]): void {
    this.failures.push(...codes);
  }

  /** Absent (checkHealth stands for it) until a test gives the desk a setup to report. */
  preflight?: () => Promise<DeskProblem[]>;

  /** From now on the preflight reports these problems (a copy each time). */
  reportSetup(problems: DeskProblem[]): void {
    this.preflight = async () => {
      this.call('preflight');
      return problems.map((p) => ({ ...p }));
    };
  }

  /** The next call of this method fails with this code (other calls go through). */
  failNextCall(name: string, code: DeskErrorCode): void {
    this.failuresByCall.set(name, code);
  }

  /** Reported by the next poll. */
  queueChange(change: DeskTicketChange): void {
    this.pending.push(change);
  }

  private call(name: string): void {
    this.calls.push(name);
    if (this.down) throw new DeskError('E_DESK_UNREACHABLE', 'The desk is down (fake).');
    const code = this.failuresByCall.get(name) ?? this.failures.shift();
    this.failuresByCall.delete(name);
    if (code) throw new DeskError(code, `Injected ${code}.`);
  }

  private id(): DeskId {
    return String(this.nextId++);
  }

  async checkHealth(): Promise<void> {
    this.call('checkHealth');
  }
  async findOrCreateUser(email: string): Promise<DeskUser> {
    this.call('findOrCreateUser');
    return { id: email, email };
  }
  async findUserByLogin(login: string): Promise<DeskUser | null> {
    this.call('findUserByLogin');
    return [...this.users.values()].find((u) => u.login?.toLowerCase() === login.toLowerCase()) ?? null;
  }
  async findTicketByNumber(number: string): Promise<DeskTicket | null> {
    this.call('findTicketByNumber');
    const t = this.tickets.get(number);
    return t ? ticketView(number, t) : null;
  }
  /** A ticket someone raised in the desk itself (by phone): Outpost never saw it. */
  raiseInDesk(subject: string, requester = 'caller@example.com'): DeskId {
    const id = this.id();
    this.tickets.set(id, {
      idempotencyKey: `phone-${id}`,
      requesterEmail: requester,
      subject,
      description: '',
      priority: 'normal',
      status: 'open',
    });
    return id;
  }
  async createTicket(t: NewDeskTicket): Promise<DeskId> {
    this.call('createTicket');
    const id = this.id();
    this.tickets.set(id, { ...t, status: t.status ?? 'new' });
    if (this.loseNextAnswer) {
      this.loseNextAnswer = false;
      throw new DeskError('E_DESK_UNREACHABLE', 'Timed out after the desk wrote the ticket (fake).');
    }
    return id;
  }
  async findTicketByKey(key: string): Promise<DeskId | null> {
    this.call('findTicketByKey');
    for (const [id, t] of this.tickets) if (t.idempotencyKey === key) return id;
    return null;
  }
  async fetchTicket(id: DeskId): Promise<DeskTicket> {
    this.call('fetchTicket');
    const t = this.tickets.get(id);
    if (!t) throw new DeskError('E_DESK_NOT_FOUND', `No ticket ${id}.`);
    return ticketView(id, t);
  }
  async updateTicket(id: DeskId, update: TicketUpdate): Promise<void> {
    this.call('updateTicket');
    const t = this.tickets.get(id);
    if (!t) throw new DeskError('E_DESK_NOT_FOUND', `No ticket ${id}.`);
    if (update.status) t.status = update.status;
  }
  async addNote(note: NewDeskNote): Promise<DeskId> {
    this.call('addNote');
    this.notes.push(note);
    return `n${this.notes.length}`;
  }
  async findNoteByKey(_ticketId: DeskId, key: string): Promise<DeskId | null> {
    this.call('findNoteByKey');
    const i = this.notes.findIndex((n) => n.idempotencyKey === key);
    return i < 0 ? null : `n${i + 1}`;
  }
  async fetchNotes(): Promise<DeskNote[]> {
    this.call('fetchNotes');
    return [];
  }
  async addWorklog(w: NewDeskWorklog): Promise<DeskId> {
    this.call('addWorklog');
    this.worklogs.push(w);
    return `w${this.worklogs.length}`;
  }
  async findWorklogByKey(_ticketId: DeskId, key: string): Promise<DeskId | null> {
    this.call('findWorklogByKey');
    const i = this.worklogs.findIndex((w) => w.idempotencyKey === key);
    return i < 0 ? null : `w${i + 1}`;
  }
  async listChangedSince(cursor: DeskCursor): Promise<DeskChanges> {
    this.call('listChangedSince');
    const changes = this.pending;
    this.pending = [];
    return { changes, cursor: { since: cursor.since, seen: [...cursor.seen, `poll${this.calls.length}`] } };
  }
  async saveAsset(fields: DeskAssetFields, id?: DeskId): Promise<DeskAsset> {
    this.call('saveAsset');
    const asset = { ...fields, id: id ?? this.id() };
    this.assets.set(asset.id, asset);
    return asset;
  }
  async readAssetField(id: DeskId, field: string): Promise<string | null> {
    this.call('readAssetField');
    if (!this.assets.has(id)) throw new DeskError('E_DESK_NOT_FOUND', `No asset ${id}.`);
    return this.assetExtras.get(id)?.[field] ?? null;
  }
  /** Makes this desk keep a catalog of software packages, found by name and Outpost's id (off by default). */
  keepPackages(): this {
    this.findPackage = async (pkg) => {
      this.call('findPackage');
      for (const [id, p] of this.packages) if (p.outpostId === pkg.outpostId) return id;
      return null;
    };
    this.savePackage = async (pkg, id) => {
      this.call('savePackage');
      if (id !== undefined && !this.packages.has(id)) throw new DeskError('E_DESK_NOT_FOUND', `No package record ${id}.`);
      const key = id ?? this.id();
      this.packages.set(key, structuredClone(pkg));
      return key;
    };
    this.retirePackage = async (_pkg, id) => {
      this.call('retirePackage');
      if (!this.packages.has(id)) throw new DeskError('E_DESK_NOT_FOUND', `No package record ${id}.`);
      this.retiredPackages.add(id);
    };
    return this;
  }
  async findSoftware(name: string): Promise<DeskId | null> {
    this.call('findSoftware');
    for (const [id, sw] of this.software) if (sw.name.toLowerCase() === name.toLowerCase()) return id;
    return null;
  }
  async saveSoftware(sw: DeskSoftware, id?: DeskId): Promise<DeskId> {
    this.call('saveSoftware');
    const key = id ?? this.id();
    this.software.set(key, structuredClone(sw));
    return key;
  }
  async assetTickets(assetId: DeskId, limit: number): Promise<DeskTicket[]> {
    this.call('assetTickets');
    const linked = [...this.tickets].filter(([, t]) => t.assetId === assetId).map(([id, t]) => ticketView(id, t));
    return linked.reverse().slice(0, limit);
  }
  async listQueues(): Promise<DeskQueues> {
    this.call('listQueues');
    return structuredClone(this.queues);
  }
  async findTechnician(username: string): Promise<DeskTechnician | null> {
    this.call('findTechnician');
    const name = [...this.technicians.keys()].find((n) => n.toLowerCase() === username.toLowerCase());
    return name ? { username: name } : null;
  }
  async verifyTechnician(username: string, password: string): Promise<boolean> {
    this.call('verifyTechnician');
    const name = [...this.technicians.keys()].find((n) => n.toLowerCase() === username.toLowerCase());
    return name !== undefined && this.technicians.get(name) === password;
  }
  async findAssets(lookup: AssetLookup): Promise<DeskAsset[]> {
    this.call('findAssets');
    return [...this.assets.values()].filter((a) => {
      if (lookup.by === 'serviceTag') return a.serviceTag === lookup.value;
      if (lookup.by === 'mac') return a.macs.some((m) => lookup.values.includes(m));
      if (lookup.by === 'name') return a.name.toLowerCase() === lookup.value.toLowerCase();
      return a.outpostDeviceId === lookup.value;
    });
  }
}

export function ticketView(id: DeskId, t: NewDeskTicket & { status: string }): DeskTicket {
  return {
    id,
    subject: t.subject,
    status: t.status,
    deskStatus: t.status,
    priority: t.priority,
    requesters: [t.requesterUser ? (t.requesterUser.login ?? t.requesterUser.email) : t.requesterEmail],
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    timeWorkedMinutes: null,
    idempotencyKey: t.idempotencyKey,
    assetIds: t.assetId ? [t.assetId] : [],
  };
}
