// `outpost worklog add|list|retry`: remote-session worklogs through the local agent. The agent
// queues a worklog at once; the server's verdict (recorded, or rejected with a reason such as an
// unknown ticket number) shows in `worklog list`, and a rejected one is sent again with `retry`.
import { printable } from '../printable.js';
import { OutpostError } from '../../shared/errors.js';
import { TicketIdSchema, WorklogEntrySchema, type EndpointWorklog } from '../../shared/tickets.js';
import { callLocalAgent } from '../../agent/local-api/client.js';
import { agentStateDir, printJson, type CommonFlags } from './ticket.js';

export interface WorklogAddFlags extends CommonFlags {
  ticket: string;
  start: string;
  end: string;
  technician: string;
  description?: string;
}

const FLAG_OF: Record<string, string> = {
  ticketId: '--ticket',
  start: '--start',
  end: '--end',
  technician: '--technician',
  description: '--description',
};

export async function worklogAddCommand(flags: WorklogAddFlags): Promise<void> {
  // Checked here too, so a mistyped flag is a usage error (exit 2) naming the flag.
  const entry = WorklogEntrySchema.safeParse({
    ticketId: flags.ticket,
    start: flags.start,
    end: flags.end,
    technician: flags.technician,
    description: flags.description ?? '',
  });
  if (!entry.success) {
    const issue = entry.error.issues[0];
    const flag = FLAG_OF[String(issue?.path[0])] ?? 'worklog';
    const hint =
      issue?.code === 'invalid_format' && (flag === '--start' || flag === '--end')
        ? ' (an ISO date-time such as 2025-03-01T09:30:00Z)'
        : '';
    throw new OutpostError('E_CONFIG', `${flag}: ${issue?.message ?? 'invalid'}${hint}`);
  }
  const worklog = await callLocalAgent(agentStateDir(flags), 'worklog.add', entry.data);
  if (flags.json) return printJson(worklog);
  console.log(
    `Worklog queued: ${worklog.minutes} min on ticket ${worklog.ticketId} by ${printable(worklog.technician)} (ref ${worklog.ref}).`,
  );
}

export async function worklogListCommand(flags: CommonFlags): Promise<void> {
  const list = await callLocalAgent(agentStateDir(flags), 'worklog.list', {});
  if (flags.json) return printJson(list);
  if (list.running)
    console.log(`running   ticket ${list.running.ticketId}  since ${printable(list.running.start)}  ${printable(list.running.technician)}`);
  if (list.items.length === 0 && !list.running) return console.log('No worklogs.');
  for (const w of list.items) console.log(line(w));
}

export async function worklogRetryCommand(ref: string, flags: CommonFlags & { ticket: string }): Promise<void> {
  const ticketId = TicketIdSchema.safeParse(flags.ticket);
  if (!ticketId.success) throw new OutpostError('E_CONFIG', `--ticket: ${ticketId.error.issues[0]?.message ?? 'invalid'}`);
  const worklog = await callLocalAgent(agentStateDir(flags), 'worklog.retry', { ref, ticketId: ticketId.data });
  if (flags.json) return printJson(worklog);
  console.log(`Worklog sent again for ticket ${worklog.ticketId} (ref ${worklog.ref}).`);
}

function line(w: EndpointWorklog): string {
  const head = `${w.state.padEnd(8)}  ticket ${w.ticketId}  ${String(w.minutes).padStart(4)} min  ${printable(w.start)}  ${printable(w.technician)}  ref ${printable(w.ref)}`;
  return w.error ? `${head}\n          ${printable(w.error.code)}: ${printable(w.error.message)}` : head;
}
