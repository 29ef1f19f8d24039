// One job, one desk write. Every write is keyed (./keys.ts) and goes through ../once.ts, so running
// a job again after an unknown outcome never doubles a ticket, note or worklog.
import { isMatchableMac } from '../../../shared/junk.js';
import type { DeskJob } from '../../store/desk-records.js';
import type { Store } from '../../store/store.js';
import type { DeskCapabilities, DeskConnector } from '../connector.js';
import { isDeskError } from '../errors.js';
import { addNoteOnce, addWorklogOnce, createTicketOnce, type Written } from '../once.js';
import type { AssetLookup, DeskAsset, DeskAttachment, DeskId, NewDeskTicket } from '../types.js';
import { pushCatalog } from './catalog.js';
import { pushPackages } from './packages.js';
import { deskKey, deskStatusKey } from './keys.js';
import { assetFingerprint, assetUnchanged, assetWritten } from './asset-fingerprint.js';
import { DEFAULT_MAPPING, effectiveCapabilities, mapAssetFields, mapNewTicket, type FieldMapping } from './mapping.js';
import { assetFields, cloneNote, newDeskTicket } from './records.js';
import { accountLine, fallback, resolveRequester } from './requester.js';
import { deskRequesterKey } from '../../store/desk-records.js';

export interface FlowContext {
  desk: DeskConnector;
  store: Store;
  requesterDomain?: string | undefined;
  /** The desk requester for accounts with no email or desk user (./requester.ts); the desk user when absent. */
  fallbackRequester?: string | undefined;
  /** The desk's API user (settings `user`). */
  deskUser?: string | undefined;
  /**
   * No earlier attempt reached the desk (attempts are counted durably before each call), so a
   * write cannot be a repeat and the search for its key is skipped: one desk call less per write.
   */
  firstAttempt?: boolean;
  now?: () => number;
  /** The desk's field mapping; today's behaviour when absent. */
  mapping?: FieldMapping;
}

/** What the sync does with this desk: the connector's capabilities as the mapping narrows them. */
function caps(ctx: FlowContext): DeskCapabilities {
  return effectiveCapabilities(ctx.desk.capabilities, ctx.mapping ?? DEFAULT_MAPPING);
}

/** How long a new ticket waits for the files its endpoint said would follow it. */
export const ATTACHMENT_WAIT_MS = 60_000;

function createOnce(ctx: FlowContext, t: NewDeskTicket): Promise<Written> {
  return ctx.firstAttempt ? ctx.desk.createTicket(t).then((id) => ({ id, created: true })) : createTicketOnce(ctx.desk, t);
}

/** A job that must wait for another (a note for its ticket): held and tried again, never failed. */
export class NotYet extends Error {}

export async function runJob(ctx: FlowContext, job: DeskJob): Promise<void> {
  switch (job.kind) {
    case 'asset':
      await syncAsset(ctx, job.payload.deviceId);
      return;
    case 'ticket.create':
      await createTicket(ctx, job.payload.deviceId, job.payload.ref);
      return;
    case 'ticket.note': {
      // A ticketId marks a note IT added through the server API; otherwise it came from an endpoint.
      const p = job.payload;
      if ('ticketId' in p) await addServerNote(ctx, p.ticketId, p.noteId);
      else await addNote(ctx, p.deviceId, p.ref, p.noteId);
      return;
    }
    case 'ticket.close':
      await closeTicket(ctx, job.payload.deviceId, job.payload.ref);
      return;
    case 'ticket.status':
      // A status IT set through the server API.
      await sendStatus(ctx, job.payload.ticketId);
      return;
    case 'worklog':
      await addWorklog(ctx, job.payload.deviceId, job.payload.ref, job.payload.ticketId);
      return;
    case 'event':
      await createEventTicket(ctx, job.key, job.payload);
      return;
    case 'catalog':
      await pushCatalog(ctx);
      return;
    case 'packages':
      await pushPackages(ctx);
      return;
  }
}

/**
 * Known to both: overwrite the desk's asset; only Outpost: create; only the desk: never touched here.
 * A suspected clone gets an asset of its own, marked as such: never its original's, never one found by name.
 */
export async function syncAsset(ctx: FlowContext, deviceId: string): Promise<DeskId | undefined> {
  if (!caps(ctx).assets) return undefined;
  const device = await ctx.store.getDevice(deviceId);
  if (!device) return undefined;
  let fields = assetFields(device);
  if (device.cloneOf) {
    const original = await ctx.store.getDevice(device.cloneOf);
    fields.description = cloneNote(original?.hostname ?? device.cloneOf, device.cloneOf);
  }
  fields = mapAssetFields(fields, ctx.mapping ?? DEFAULT_MAPPING);
  const linked = await ctx.store.desk.deskIdFor('asset', deviceId);
  // Nothing the desk shows has changed since our last write: no desk call (lastSeen is refreshed daily).
  const fingerprint = assetFingerprint(fields);
  const now = (ctx.now ?? Date.now)();
  if (linked && (await assetUnchanged(ctx.store.desk, deviceId, linked, fingerprint, now))) return linked;
  const id = linked ?? (await matchAsset(ctx, fields, device.cloneOf !== null));
  let saved: DeskAsset;
  try {
    saved = await ctx.desk.saveAsset(fields, id ?? undefined);
  } catch (err) {
    // A desk that only looks devices up (Autotask): no match means a ticket without a device.
    if (id === null && isDeskError(err) && err.code === 'E_DESK_UNSUPPORTED') return undefined;
    throw err;
  }
  await ctx.store.desk.setLink('asset', deviceId, saved.id);
  await assetWritten(ctx.store.desk, deviceId, saved.id, fingerprint, now);
  return saved.id;
}

/** Outpost's own id first (our earlier write), then service tag, MACs, name; junk never reached here. */
async function matchAsset(ctx: FlowContext, f: ReturnType<typeof assetFields>, clone: boolean): Promise<DeskId | null> {
  const lookups: AssetLookup[] = [];
  if (f.outpostDeviceId) lookups.push({ by: 'outpostDeviceId', value: f.outpostDeviceId });
  if (f.serviceTag) lookups.push({ by: 'serviceTag', value: f.serviceTag });
  const macs = f.macs.filter((m) => isMatchableMac(m));
  if (macs.length) lookups.push({ by: 'mac', values: macs });
  // A clone carries its original's name: the name would find the original's asset.
  if (f.name && !clone) lookups.push({ by: 'name', value: f.name });
  for (const lookup of lookups) {
    const found = await unclaimed(ctx, await ctx.desk.findAssets(lookup), f.outpostDeviceId);
    // Two desk assets with the same tag or name: ambiguous, so neither is overwritten.
    if (found.length === 1) return found[0]!.id;
    if (found.length > 1 && lookup.by !== 'name') return found[0]!.id;
  }
  return null;
}

/** Desk assets another Outpost device already owns are never taken over (a clone, a moved adapter). */
async function unclaimed(ctx: FlowContext, assets: DeskAsset[], deviceId: string | undefined): Promise<DeskAsset[]> {
  const out: DeskAsset[] = [];
  for (const a of assets) {
    if (a.outpostDeviceId && a.outpostDeviceId !== deviceId) continue;
    const owner = await ctx.store.desk.outpostIdFor('asset', a.id);
    if (owner === null || owner === deviceId) out.push(a);
  }
  return out;
}

async function ticketOf(ctx: FlowContext, deviceId: string, ref: string) {
  const id = await ctx.store.desk.ticketIdByRef(deviceId, ref);
  return id === null ? null : ctx.store.getTicket(id);
}

async function createTicket(ctx: FlowContext, deviceId: string, ref: string): Promise<void> {
  const t = await ticketOf(ctx, deviceId, ref);
  if (!t) return; // deleted since: nothing to send
  if (await ctx.store.desk.deskIdFor('ticket', String(t.id))) return;
  const age = (ctx.now ?? Date.now)() - t.receivedAt;
  if (t.attachments.length < t.attachmentsExpected && age < ATTACHMENT_WAIT_MS) {
    throw new NotYet(`Ticket #${t.id} waits for ${t.attachmentsExpected - t.attachments.length} more file(s).`);
  }
  const requester = await resolveRequester(ctx.desk, t.requester, ctx);
  const assetId = t.deviceId ? await assetForTicket(ctx, t.deviceId) : undefined;
  const ticket = await mappedTicket(ctx, { ...newDeskTicket(t, deskKey('ticket', deviceId, ref), '', assetId), ...requester.fields });
  if (requester.record.rule === 'fallback') ticket.description += `\n\n${accountLine(t.requester)}`;
  // The template as IT defines it now: a template removed since leaves the filled block, without categorisation.
  const template = t.template ? await ctx.store.templates.get(t.template.id) : null;
  if (template) ticket.classification = template.desk;
  if (caps(ctx).attachments && t.attachments.length)
    ticket.attachments = await attachmentsOf(
      ctx,
      t.id,
      t.attachments.map((a) => a.id),
    );
  const written = await createOnce(ctx, ticket);
  await ctx.store.desk.setLink('ticket', String(t.id), written.id);
  await ctx.store.desk.setState(deskRequesterKey(t.id), JSON.stringify(requester.record));
  // The desk's status as far as Outpost knows: the starting status sent, else the one the ticket had
  // when the desk took it (the desk's own default; a poll corrects it when the desk names another).
  await ctx.store.desk.setState(deskStatusKey(t.id), ticket.status ?? t.status);
}

/**
 * The device's desk asset, written first when it has none. An asset the desk refuses (a missing
 * field, a right) does not hold the ticket back: it goes without the link, the asset job keeps
 * the refusal for the status page. An outage still holds the ticket (retryable errors rethrown).
 */
async function assetForTicket(ctx: FlowContext, deviceId: string): Promise<DeskId | undefined> {
  const linked = await ctx.store.desk.deskIdFor('asset', deviceId);
  if (linked) return linked;
  try {
    return await syncAsset(ctx, deviceId);
  } catch (err) {
    if (isDeskError(err) && !err.retryable) return undefined;
    throw err;
  }
}

/** The mapping applied: starting status, and the account reference read from the ticket's asset. */
async function mappedTicket(ctx: FlowContext, ticket: NewDeskTicket): Promise<NewDeskTicket> {
  const mapping = ctx.mapping ?? DEFAULT_MAPPING;
  const { assetId } = ticket;
  const account =
    mapping.account && assetId && caps(ctx).accountLookup ? await ctx.desk.readAssetField(assetId, mapping.account.assetField) : null;
  return mapNewTicket(ticket, mapping, account);
}

async function attachmentsOf(ctx: FlowContext, ticketId: number, ids: number[]): Promise<DeskAttachment[]> {
  const out: DeskAttachment[] = [];
  for (const id of ids) {
    const file = await ctx.store.getAttachment(ticketId, id);
    if (file) out.push({ name: file.name, type: file.type, contentBase64: file.content.toString('base64') });
  }
  return out;
}

async function linkedTicket(ctx: FlowContext, ticketId: number): Promise<DeskId> {
  const deskId = await ctx.store.desk.deskIdFor('ticket', String(ticketId));
  if (!deskId) throw new NotYet(`Ticket #${ticketId} is not in the desk yet.`);
  return deskId;
}

async function addNote(ctx: FlowContext, deviceId: string, ref: string, noteId: string): Promise<void> {
  if (!caps(ctx).notesToDesk) return;
  const t = await ticketOf(ctx, deviceId, ref);
  const note = t?.notes.find((n) => n.id === noteId);
  if (!t || !note) return;
  const ticketId = await linkedTicket(ctx, t.id);
  await addNoteOnce(ctx.desk, { ticketId, visibility: 'public', text: note.text, idempotencyKey: deskKey('note', deviceId, noteId) });
}

async function closeTicket(ctx: FlowContext, deviceId: string, ref: string): Promise<void> {
  if (!caps(ctx).updateStatus) return; // the level does not allow it: the desk keeps its status
  const t = await ticketOf(ctx, deviceId, ref);
  if (!t) return;
  await ctx.desk.updateTicket(await linkedTicket(ctx, t.id), { status: 'closed' });
  await ctx.store.desk.setState(deskStatusKey(t.id), 'closed');
}

/** A note IT added through the server API: customer-facing or internal, as IT chose. */
async function addServerNote(ctx: FlowContext, ticketId: number, noteId: string): Promise<void> {
  if (!caps(ctx).notesToDesk) return;
  const t = await ctx.store.getTicket(ticketId);
  const note = t?.notes.find((n) => n.id === noteId);
  if (!t || !note) return;
  await addNoteOnce(ctx.desk, {
    ticketId: await linkedTicket(ctx, t.id),
    visibility: note.visibility === 'customer' ? 'public' : 'internal',
    text: note.text,
    idempotencyKey: deskKey('note', 'server', noteId),
  });
}

/**
 * A status IT set through the server API. The ticket's status as it is now is written, so jobs of
 * changes made in quick succession end with the last one; one the desk already has is not written.
 */
async function sendStatus(ctx: FlowContext, ticketId: number): Promise<void> {
  if (!caps(ctx).updateStatus) return; // status sync or log only: the desk keeps its status
  const t = await ctx.store.getTicket(ticketId);
  if (!t) return;
  const key = deskStatusKey(t.id);
  if ((await ctx.store.desk.getState(key)) === t.status) return;
  await ctx.desk.updateTicket(await linkedTicket(ctx, t.id), { status: t.status });
  await ctx.store.desk.setState(key, t.status);
}

async function addWorklog(ctx: FlowContext, deviceId: string, ref: string, ticketId: number): Promise<void> {
  if (!caps(ctx).worklogs) return;
  const t = await ctx.store.getTicket(ticketId);
  const w = t?.worklogs.find((x) => x.ref === ref && x.deviceId === deviceId);
  if (!t || !w) return;
  await addWorklogOnce(ctx.desk, {
    ticketId: await linkedTicket(ctx, t.id),
    technician: w.technician,
    start: w.start,
    end: w.end,
    minutes: w.minutes,
    description: w.description,
    idempotencyKey: deskKey('worklog', deviceId, ref),
  });
}

/** An asset event (payload from the rules module): one desk ticket per event key, linked to the asset. */
async function createEventTicket(ctx: FlowContext, key: string, p: Extract<DeskJob, { kind: 'event' }>['payload']): Promise<void> {
  const assetId = await assetForTicket(ctx, p.deviceId);
  // Earlier versions stored an email with the job; otherwise outpost@requesterDomain, else the fallback requester.
  const email = p.email ?? (ctx.requesterDomain ? `outpost@${ctx.requesterDomain}` : null);
  const requester = email ? { requesterEmail: email } : (await fallback(ctx.desk, ctx)).fields;
  const ticket: NewDeskTicket = {
    idempotencyKey: deskKey('event', key),
    ...requester,
    subject: p.subject,
    description: p.description,
    priority: 'normal',
    ...(assetId ? { assetId } : {}),
  };
  await createOnce(ctx, await mappedTicket(ctx, ticket));
}
