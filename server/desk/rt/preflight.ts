// The RT setup checked against what the connector needs, with the calls RT's REST 2.0 really
// offers: the API user's own record (privileged, disabled, group memberships, timezone), the
// queue's and catalogs' records (their `create` hyperlinks stand for CreateTicket / CreateAsset,
// their custom field lists for the fields), another user's record (AdminUsers shows `Disabled`),
// and searches for signs that people use the API user. One actionable line per problem.
import { z } from 'zod';
import { isDeskError } from '../errors.js';
import type { DeskProblem } from '../types.js';
import type { RtClient } from './client.js';
import type { RtConfig } from './config.js';
import { sharedUser, timezone } from './preflight-usage.js';

const LOAD =
  'run rt-setup-database-5 --action insert --datafile server/desk/rt/initialdata.pl on the RT host (or create it: Admin > Custom Fields)';

const Link = z.object({ ref: z.string(), type: z.string().optional() });
const Named = z.object({ name: z.string() });
const UserSchema = z.object({
  Name: z.string().optional(),
  Privileged: z.union([z.number(), z.string()]).transform(Number).optional(),
  Disabled: z.union([z.number(), z.string()]).transform(Number).optional(),
  Timezone: z.string().nullish(),
  Memberships: z.array(z.object({ id: z.union([z.string(), z.number()]).transform(String) })).default([]),
});
const QueueSchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  TicketCustomFields: z.array(Named).default([]),
  TicketTransactionCustomFields: z.array(Named).default([]),
  _hyperlinks: z.array(Link).default([]),
});
const CatalogSchema = z.object({ id: z.union([z.string(), z.number()]).transform(String), _hyperlinks: z.array(Link).default([]) });
const CfSchema = z.object({ Name: z.string() });

const problem = (check: string, severity: DeskProblem['severity'], message: string): DeskProblem => ({ check, severity, message });

export interface RtPreflightResult {
  problems: DeskProblem[];
  /** Outpost's ticket key field is on the queue: polls find Outpost's tickets by it. */
  ticketKeyField: boolean;
}

/** Rejects only when RT cannot be asked at all (unreachable, not RT): the engine reports that error. */
export async function rtPreflight(client: RtClient, config: RtConfig): Promise<RtPreflightResult> {
  const problems: DeskProblem[] = [];
  const user = await apiUser(client, config, problems);
  if (!user) return { problems, ticketKeyField: false };
  const ticketKeyField = await queues(client, config, problems);
  await catalog(
    client,
    config,
    config.catalog,
    assetFieldNames(config),
    { without: 'devices are written without it', none: 'devices are not kept in RT' },
    problems,
  );
  await catalog(
    client,
    config,
    config.softwareCatalog,
    softwareFieldNames(config),
    { without: 'packages are written without it', none: 'the software catalog is not kept in RT' },
    problems,
  );
  await catalog(client, config, config.packageCatalog, [], { without: '', none: 'software packages are not sent to RT' }, problems);
  await adminUsers(client, config, problems);
  await sharedUser(client, config, ticketKeyField, problems);
  await timezone(client, config, user.Timezone ?? null, problems);
  return { problems, ticketKeyField };
}

/** The API user's own record: RT shows it in full to the user itself. */
async function apiUser(client: RtClient, config: RtConfig, out: DeskProblem[]) {
  try {
    const user = await client.get(`/user/${encodeURIComponent(config.user)}`, UserSchema);
    if (user.Disabled === 1)
      out.push(problem('user', 'blocking', `RT user '${config.user}' is disabled: enable it (Admin > Users > ${config.user}).`));
    if (user.Privileged === 0) {
      out.push(
        problem(
          'user',
          'blocking',
          `RT user '${config.user}' is not privileged: tick "Let this user be granted rights" (Admin > Users > ${config.user}).`,
        ),
      );
    }
    if (user.Memberships.length) {
      out.push(
        problem(
          'shared-user',
          'advice',
          `RT user '${config.user}' is a member of ${user.Memberships.length} group(s) (ids ${user.Memberships.map((m) => m.id).join(', ')}): an API user belongs to no group of people; grant its rights to the user itself and take it out of the groups.`,
        ),
      );
    }
    return user;
  } catch (err) {
    if (!isDeskError(err)) throw err;
    if (err.code === 'E_DESK_AUTH') {
      out.push(
        problem(
          'connection',
          'blocking',
          `RT refuses the credentials for user '${config.user}' (${err.message}): check the desk secret (token or password) and that it belongs to '${config.user}'.`,
        ),
      );
      return null;
    }
    if (err.code === 'E_DESK_NOT_FOUND') {
      out.push(
        problem(
          'user',
          'blocking',
          `RT has no user '${config.user}': create it (Admin > Users > Create) or set the desk user to the token's owner.`,
        ),
      );
      return null;
    }
    throw err;
  }
}

/** The default queue and every category queue: visible, CreateTicket, Outpost's key fields. */
async function queues(client: RtClient, config: RtConfig, out: DeskProblem[]): Promise<boolean> {
  let keyField = true;
  const names = [...new Set([config.queue, ...Object.values(config.categoryQueues)])];
  for (const name of names) {
    const isDefault = name === config.queue;
    let q: z.output<typeof QueueSchema>;
    try {
      q = await client.get(`/queue/${encodeURIComponent(name)}`, QueueSchema);
    } catch (err) {
      if (!isDeskError(err) || (err.code !== 'E_DESK_NOT_FOUND' && err.code !== 'E_DESK_AUTH')) throw err;
      const what = `Queue '${name}' does not exist or RT user '${config.user}' cannot see it: create the queue or grant SeeQueue on it`;
      out.push(
        problem(
          'queue',
          isDefault ? 'blocking' : 'degraded',
          isDefault ? `${what}; no ticket reaches RT until then.` : `${what}; tickets of its category fail.`,
        ),
      );
      if (isDefault) keyField = false;
      continue;
    }
    if (!q._hyperlinks.some((l) => l.ref === 'create')) {
      out.push(
        problem(
          'rights',
          isDefault ? 'blocking' : 'degraded',
          `RT user '${config.user}' lacks CreateTicket on queue '${name}': grant it (Admin > Queues > ${name} > User Rights).`,
        ),
      );
    }
    const ticketCfs = new Set(q.TicketCustomFields.map((c) => c.name));
    if (!ticketCfs.has(config.fields.ticketKey)) {
      if (isDefault) keyField = false;
      out.push(
        problem(
          'fields',
          'degraded',
          `Custom field '${config.fields.ticketKey}' is missing on queue '${name}' (or '${config.user}' lacks SeeCustomField): tickets still reach RT, but a retry may double one and RT's changes to them are not read back; ${LOAD}.`,
        ),
      );
    }
    if (!q.TicketTransactionCustomFields.some((c) => c.name === config.fields.noteKey)) {
      out.push(
        problem(
          'fields',
          'degraded',
          `Custom field '${config.fields.noteKey}' is missing on queue '${name}' (ticket transactions): notes and worklogs still reach RT, but a retry may double one; ${LOAD}.`,
        ),
      );
    }
  }
  return keyField;
}

export function assetFieldNames(config: RtConfig): string[] {
  const f = config.fields;
  return [
    ...[f.serviceTag, f.macs, f.os, f.model, f.lastSeen, f.loggedOnUser, f.outpostDeviceId],
    ...[f.cpu, f.memory, f.disks, f.osBuild, f.bios, f.encryption, f.volumes, f.software],
  ];
}

function softwareFieldNames(config: RtConfig): string[] {
  const f = config.fields;
  return [f.publisher, f.versions, f.installations];
}

async function catalog(
  client: RtClient,
  config: RtConfig,
  name: string,
  fields: string[],
  what: { without: string; none: string },
  out: DeskProblem[],
): Promise<void> {
  let c: z.output<typeof CatalogSchema>;
  try {
    c = await client.get(`/catalog/${encodeURIComponent(name)}`, CatalogSchema);
  } catch (err) {
    if (!isDeskError(err) || (err.code !== 'E_DESK_NOT_FOUND' && err.code !== 'E_DESK_AUTH')) throw err;
    out.push(
      problem(
        'catalog',
        'degraded',
        `Catalog '${name}' does not exist or '${config.user}' lacks ShowCatalog on it: ${what.none}; ${LOAD.replace(' (or create it: Admin > Custom Fields)', ' (or create it: Admin > Assets > Catalogs)')}.`,
      ),
    );
    return;
  }
  if (!c._hyperlinks.some((l) => l.ref === 'create')) {
    out.push(
      problem(
        'rights',
        'degraded',
        `RT user '${config.user}' lacks CreateAsset on catalog '${name}': grant it (Admin > Assets > Catalogs > ${name} > User Rights).`,
      ),
    );
  }
  const page = await client.page(`/catalog/${c.id}/customfields`, CfSchema, { fields: 'Name', per_page: '100' });
  const present = new Set(page.items.map((cf) => cf.Name));
  for (const field of fields) {
    if (present.has(field)) continue;
    out.push(
      problem(
        'fields',
        'degraded',
        `Custom field '${field}' is missing on catalog '${name}' (or '${config.user}' lacks SeeCustomField): ${what.without}; ${LOAD}.`,
      ),
    );
  }
}

/** RT shows `Disabled` on another user's record only to holders of AdminUsers. */
async function adminUsers(client: RtClient, config: RtConfig, out: DeskProblem[]): Promise<void> {
  const other = await client.get('/user/RT_System', UserSchema);
  if (other.Disabled === undefined) {
    out.push(
      problem(
        'rights',
        'degraded',
        `RT user '${config.user}' lacks AdminUsers: requesters cannot be found by email or created; grant it (Admin > Global > User Rights).`,
      ),
    );
  }
}
