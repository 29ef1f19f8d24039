// Who the desk records as a ticket's requester. Rules, in order: the endpoint account's email; the
// desk's user with the account's login name; account@requesterDomain; the fallback requester (a
// setting, by default the desk's API user), with the account named in the ticket. An end user's
// ticket is never parked for want of an email; only a fallback the desk does not know parks it.
import type { DeskRequesterJson } from '../../../shared/http-api.js';
import type { Requester } from '../../../shared/tickets.js';
import type { DeskConnector } from '../connector.js';
import { DeskError } from '../errors.js';
import type { NewDeskTicket } from '../types.js';
import { requesterEmail } from './records.js';

export interface RequesterSettings {
  requesterDomain?: string | undefined;
  /** A desk login name or an email; the desk's API user when absent. */
  fallbackRequester?: string | undefined;
  /** The desk's API user (settings `user`): the fallback when none is set. */
  deskUser?: string | undefined;
}

export interface ResolvedRequester {
  /** What the new desk ticket carries: an email, or an existing desk user. */
  fields: Pick<NewDeskTicket, 'requesterEmail' | 'requesterUser'>;
  /** Stored with the ticket and shown in the console. */
  record: DeskRequesterJson;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** The account's login name without its domain: CORP\alice, corp/alice and alice@corp.local -> alice. */
export function loginName(account: string): string | null {
  const name = (account.split(/[\\/]/).pop() ?? account).split('@')[0]!.trim();
  return /^[^\s\\/@]{1,128}$/.test(name) ? name : null;
}

export async function resolveRequester(desk: DeskConnector, r: Requester, s: RequesterSettings): Promise<ResolvedRequester> {
  if (r.email && EMAIL.test(r.email)) return byEmail(r.email, 'email');
  const login = loginName(r.account);
  const user = login ? await desk.findUserByLogin(login) : null;
  if (user)
    return { fields: { requesterEmail: user.email, requesterUser: user }, record: { rule: 'login', requester: user.login ?? login! } };
  const made = requesterEmail(r, s.requesterDomain);
  if (made) return byEmail(made, 'domain');
  return fallback(desk, s);
}

/** The fallback requester alone (asset-event tickets have no account of their own). */
export async function fallback(desk: DeskConnector, s: RequesterSettings): Promise<ResolvedRequester> {
  const name = s.fallbackRequester ?? s.deskUser;
  if (!name) throw new DeskError('E_DESK_REJECTED', 'No fallback requester: set deskFallbackRequester.');
  if (EMAIL.test(name)) return byEmail(name, 'fallback');
  const user = await desk.findUserByLogin(name);
  if (!user) {
    throw new DeskError(
      'E_DESK_REJECTED',
      `The fallback requester ${name} is not a user in the desk: set deskFallbackRequester to one that is.`,
    );
  }
  return { fields: { requesterEmail: user.email, requesterUser: user }, record: { rule: 'fallback', requester: user.login ?? name } };
}

function byEmail(email: string, rule: DeskRequesterJson['rule']): ResolvedRequester {
  return { fields: { requesterEmail: email }, record: { rule, requester: email } };
}

/** The line a ticket raised for the fallback requester carries, so IT knows whose it is. */
export function accountLine(r: Requester): string {
  const account = r.domain ? `${r.domain}\\${r.account}` : r.account;
  return `--- Requester ---\nRaised by ${account}${r.fullName ? ` (${r.fullName})` : ''}, who has no email or user in the desk.`;
}
