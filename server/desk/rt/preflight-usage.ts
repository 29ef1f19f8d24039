// The RT preflight's checks of how the API user is used: signs that people work as it (tickets it
// owns, replies or comments Outpost did not write) and the timezone RT reads Outpost's dates in.
import { z } from 'zod';
import type { DeskProblem } from '../types.js';
import type { RtClient } from './client.js';
import type { RtConfig } from './config.js';
import { rtSqlDate, rtSqlString } from './mapping.js';

const problem = (check: string, severity: DeskProblem['severity'], message: string): DeskProblem => ({ check, severity, message });
const TicketSchema = z.object({ id: z.union([z.string(), z.number()]).transform(String), Created: z.string().optional() });

/** Signs that people use the API user: tickets it owns, replies or comments Outpost did not write. */
export async function sharedUser(client: RtClient, config: RtConfig, noteKeyKnown: boolean, out: DeskProblem[]): Promise<void> {
  const me = rtSqlString(config.user);
  const ownedCount = await total(client, '/tickets', `Owner = ${me}`);
  if (ownedCount > 0) {
    out.push(
      problem(
        'shared-user',
        'advice',
        `RT user '${config.user}' owns ${ownedCount} ticket(s), which Outpost never does: people work as this user; give them their own RT accounts.`,
      ),
    );
  }
  if (!noteKeyKnown) return;
  const query = `Creator = ${me} AND (Type = 'Correspond' OR Type = 'Comment') AND 'CF.{${config.fields.noteKey}}' IS NULL`;
  const foreign = await total(client, '/transactions', query);
  if (foreign > 0) {
    out.push(
      problem(
        'shared-user',
        'advice',
        `${foreign} repl(ies) or comment(s) were written in RT as '${config.user}' without Outpost's key: people or another integration use this account; their changes still reach endpoints, but give them their own RT accounts.`,
      ),
    );
  }
}

async function total(client: RtClient, path: string, query: string): Promise<number> {
  const res = await client.get(path, z.object({ total: z.number().nullish(), count: z.number() }), { query, per_page: '1' });
  return res.total ?? res.count;
}

/**
 * Outpost's change searches give dates in UTC, and RT reads them in the API user's timezone. The
 * user's own setting is read; without one RT's $Timezone applies, which only a search can show:
 * the newest ticket is looked up by its exact creation time written in UTC.
 */
export async function timezone(client: RtClient, config: RtConfig, own: string | null, out: DeskProblem[]): Promise<void> {
  const fix = `set RT user '${config.user}' to UTC (Admin > Users > ${config.user} > Timezone): RT reads the dates of Outpost's change searches in it, and changes would be missed`;
  if (own) {
    if (!/^(UTC|Etc\/UTC|GMT|Etc\/GMT|Z|Universal|Zulu)$/i.test(own))
      out.push(problem('timezone', 'degraded', `RT user '${config.user}' has timezone '${own}': ${fix}.`));
    return;
  }
  const newest = await client.page('/tickets', TicketSchema, {
    query: 'id > 0',
    fields: 'Created',
    per_page: '1',
    orderby: 'id',
    order: 'DESC',
  });
  const t = newest.items[0];
  const created = t?.Created ? Date.parse(t.Created) : NaN;
  if (!t || Number.isNaN(created)) return; // an empty RT: nothing to compare with yet
  const at = new Date(created).toISOString();
  const found = await total(client, '/tickets', `id = ${t.id} AND Created = '${rtSqlDate(at)}'`);
  if (found === 0) out.push(problem('timezone', 'degraded', `RT reads dates in a timezone other than UTC (its $Timezone): ${fix}.`));
}
