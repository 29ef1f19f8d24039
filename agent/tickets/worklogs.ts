// Remote-session worklogs a technician records against a ticket number. A running session is a row
// in SQLite, so it survives an agent restart. A finished worklog is kept here with its state: queued
// until the server answers, then recorded or rejected with the server's reason. A rejected worklog
// stays (listed with its error) until it is sent again with a corrected ticket ID: never dropped.
import { OutpostError } from '../../shared/errors.js';
import type { LocalParams, LocalResult } from '../../shared/local-api.js';
import type { Logger } from '../../shared/log.js';
import type { ServerMessageMap } from '../../shared/protocol.js';
import { WorklogEntrySchema, worklogMinutes, type EndpointWorklog } from '../../shared/tickets.js';
import type { Caller } from '../local-api/callers.js';
import type { Db } from '../outbox/database.js';
import type { Outbox } from '../outbox/outbox.js';
import { newRef } from './ticket-desk.js';

export interface WorklogsOptions {
  outbox: Outbox;
  notify: () => void;
  log: Logger;
  now?: () => Date;
  newId?: () => string;
}

type Entry = LocalParams<'worklog.add'>;
type Running = NonNullable<LocalResult<'worklog.list'>['running']>;

interface WorklogRow {
  ref: string;
  account: string;
  ticket_id: string;
  technician: string;
  start: string;
  end: string;
  minutes: number;
  description: string;
  state: EndpointWorklog['state'];
  error_code: string | null;
  error_message: string | null;
}

/** Most worklogs worklog.list returns: the newest. */
export const MAX_LISTED_WORKLOGS = 500;

export class Worklogs {
  private readonly now: () => Date;
  private readonly newId: () => string;

  constructor(private readonly opts: WorklogsOptions) {
    this.now = opts.now ?? (() => new Date());
    this.newId = opts.newId ?? newRef;
  }

  start(caller: Caller, { ticketId, technician }: LocalParams<'worklog.start'>): Running {
    const start = this.now().toISOString();
    return this.opts.outbox.transaction((db) => {
      const running = session(db, caller.account);
      if (running)
        throw new OutpostError(
          'E_CONFLICT',
          `A remote session for ticket ${running.ticketId} is already running since ${running.start}; stop it first.`,
        );
      db.prepare('INSERT INTO worklog_sessions (account, ticket_id, technician, start) VALUES (?, ?, ?, ?)').run(
        caller.account,
        ticketId,
        technician,
        start,
      );
      return { ticketId, technician, start };
    });
  }

  /** Ends the caller's running session and queues its worklog. */
  stop(caller: Caller, { description }: LocalParams<'worklog.stop'>): EndpointWorklog {
    const running = this.opts.outbox.transaction((db) => session(db, caller.account));
    if (!running) throw new OutpostError('E_CONFLICT', 'No remote session is running; start one first.');
    // A session stopped within the same millisecond still ends after it started.
    const end = new Date(Math.max(this.now().getTime(), Date.parse(running.start) + 1)).toISOString();
    const entry = WorklogEntrySchema.safeParse({ ...running, end, description });
    if (!entry.success) {
      throw new OutpostError(
        'E_BAD_REQUEST',
        `The session that started at ${running.start} cannot be recorded: ${entry.error.issues[0]?.message ?? 'invalid'}. Record it with worklog add and the real times.`,
      );
    }
    return this.record(caller, entry.data, (db) => db.prepare('DELETE FROM worklog_sessions WHERE account = ?').run(caller.account));
  }

  add(caller: Caller, entry: Entry): EndpointWorklog {
    return this.record(caller, entry);
  }

  list(caller: Caller): LocalResult<'worklog.list'> {
    return this.opts.outbox.transaction((db) => {
      const where = caller.admin ? '' : 'WHERE account = @account';
      const rows = db
        .prepare(`SELECT * FROM worklogs ${where} ORDER BY created_at DESC, rowid DESC LIMIT ${MAX_LISTED_WORKLOGS}`)
        .all({ account: caller.account }) as WorklogRow[];
      return { items: rows.map(view), running: session(db, caller.account) ?? null };
    });
  }

  /** Sends a rejected worklog again under a new reference, with the ticket ID corrected. */
  retry(caller: Caller, { ref, ticketId }: LocalParams<'worklog.retry'>): EndpointWorklog {
    const { outbox } = this.opts;
    const next = this.newId();
    const result = outbox.transaction((db) => {
      const row = db.prepare('SELECT * FROM worklogs WHERE ref = ?').get(ref) as WorklogRow | undefined;
      if (!row || (!caller.admin && row.account !== caller.account))
        throw new OutpostError('E_NOT_FOUND', `You have no worklog ${ref} on this machine.`);
      if (row.state !== 'rejected')
        throw new OutpostError('E_CONFLICT', `Worklog ${ref} is ${row.state}, not rejected: there is nothing to send again.`);
      const entry: Entry = { ticketId, technician: row.technician, start: row.start, end: row.end, description: row.description };
      outbox.enqueue('worklog', { ref: next, entry, minutes: row.minutes });
      db.prepare(`UPDATE worklogs SET ref = ?, ticket_id = ?, state = 'queued', error_code = NULL, error_message = NULL WHERE ref = ?`).run(
        next,
        ticketId,
        ref,
      );
      return view({ ...row, ref: next, ticket_id: ticketId, state: 'queued', error_code: null, error_message: null });
    });
    this.opts.log.info({ ref: next, previous: ref, ticketId }, 'rejected worklog sent again');
    this.opts.notify();
    return result;
  }

  /** The server's answer to a worklog item. */
  applyResult(msg: ServerMessageMap['worklog-result']): void {
    const error = msg.state === 'rejected' ? (msg.error ?? { code: 'E_BAD_REQUEST', message: 'The server refused the worklog.' }) : null;
    const changes = this.opts.outbox.transaction(
      (db) =>
        db
          .prepare('UPDATE worklogs SET state = ?, error_code = ?, error_message = ? WHERE ref = ?')
          .run(msg.state, error?.code.slice(0, 64) ?? null, error?.message.slice(0, 2000) ?? null, msg.ref).changes,
    );
    if (changes === 0) this.opts.log.warn({ ref: msg.ref.slice(0, 64) }, 'worklog result for an unknown worklog ignored');
    else if (error) this.opts.log.warn({ ref: msg.ref, code: error.code }, 'the server rejected a worklog; it is kept for correction');
    else this.opts.log.info({ ref: msg.ref }, 'worklog recorded by the server');
  }

  private record(caller: Caller, entry: Entry, alsoInTransaction?: (db: Db) => void): EndpointWorklog {
    const { outbox } = this.opts;
    const ref = this.newId();
    const minutes = worklogMinutes(entry.start, entry.end);
    const row: WorklogRow = {
      ref,
      account: caller.account,
      ticket_id: entry.ticketId,
      technician: entry.technician,
      start: entry.start,
      end: entry.end,
      minutes,
      description: entry.description,
      state: 'queued',
      error_code: null,
      error_message: null,
    };
    outbox.transaction((db) => {
      alsoInTransaction?.(db);
      outbox.enqueue('worklog', { ref, entry, minutes });
      db.prepare(
        `INSERT INTO worklogs (ref, account, ticket_id, technician, start, end, minutes, description, state, created_at)
         VALUES (@ref, @account, @ticket_id, @technician, @start, @end, @minutes, @description, 'queued', @created_at)`,
      ).run({ ...row, created_at: this.now().toISOString() });
    });
    this.opts.log.info({ ref, ticketId: entry.ticketId, minutes }, 'worklog queued');
    this.opts.notify();
    return view(row);
  }
}

function session(db: Db, account: string): Running | undefined {
  const row = db.prepare('SELECT ticket_id, technician, start FROM worklog_sessions WHERE account = ?').get(account) as
    { ticket_id: string; technician: string; start: string } | undefined;
  return row ? { ticketId: row.ticket_id, technician: row.technician, start: row.start } : undefined;
}

function view(row: WorklogRow): EndpointWorklog {
  return {
    ref: row.ref,
    ticketId: row.ticket_id,
    technician: row.technician,
    start: row.start,
    end: row.end,
    minutes: row.minutes,
    description: row.description,
    state: row.state,
    ...(row.error_code !== null ? { error: { code: row.error_code, message: row.error_message ?? '' } } : {}),
  };
}
