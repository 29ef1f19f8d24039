// Tells the person when IT answers: asks the agent what happened on their tickets that was not
// shown yet, shows one native notification per event (one summary when many arrive at once), and
// tells the agent it was shown, so nothing is shown twice, also after a restart of either. The
// unread count it learns on the way drives the tray icon's badge.
import type { TicketNotification } from '../../shared/local-api.js';
import { shownNumber } from '../../shared/ticket-label.js';
import type { Logger } from '../../shared/log.js';
import type { AgentCall } from './agent.js';
import type { NotificationClass } from './electron-ports.js';
import { inQuietHours, type NotificationSettings } from './notification-settings.js';

/** How often the tray asks; the agent is on a local socket, so this costs next to nothing. */
export const NOTIFY_INTERVAL_MS = 15_000;
/** More events than this at once become one summary notification. */
export const MAX_SEPARATE_NOTIFICATIONS = 3;

export interface NotifierOptions {
  agent: AgentCall;
  Notification: NotificationClass;
  settings: () => Promise<NotificationSettings>;
  /** Opens My tickets at this ticket, or at the list when undefined. */
  openTickets: (ref?: string) => void;
  /** The number of tickets with something unread, whenever the tray learns it. */
  onUnread: (count: number) => void;
  log: Logger;
  now?: () => Date;
  intervalMs?: number;
}

export class Notifier {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  /** Shown by this process; kept in case telling the agent failed, so they are not shown again. */
  private readonly shownHere = new Set<number>();

  constructor(private readonly opts: NotifierOptions) {}

  start(): void {
    if (this.timer) return;
    void this.check();
    this.timer = setInterval(() => void this.check(), this.opts.intervalMs ?? NOTIFY_INTERVAL_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Asks the agent now; a check already running is shared. */
  check(): Promise<void> {
    this.inFlight ??= this.run()
      .catch((err: unknown) => this.opts.log.debug({ err: (err as Error).message }, 'could not check for ticket news'))
      .finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async run(): Promise<void> {
    const { items, unreadTickets } = await this.opts.agent('notifications.pending', {});
    this.opts.onUnread(unreadTickets);
    if (items.length === 0) return;
    const settings = await this.opts.settings();
    // During quiet hours they wait, unshown; with notifications off they are let go unshown.
    if (settings.enabled && inQuietHours(settings.quietHours, this.opts.now?.() ?? new Date())) return;
    const fresh = items.filter((n) => !this.shownHere.has(n.id));
    if (settings.enabled && this.opts.Notification.isSupported() && fresh.length > 0) this.show(fresh);
    for (const n of items) this.shownHere.add(n.id);
    await this.opts.agent('notifications.shown', { ids: items.map((n) => n.id) });
  }

  private show(items: TicketNotification[]): void {
    const { Notification } = this.opts;
    if (items.length > MAX_SEPARATE_NOTIFICATIONS) {
      const tickets = new Set(items.map((n) => n.ref));
      const note = new Notification({
        title: `${items.length} updates from IT`,
        body: tickets.size === 1 ? items[0]!.subject : `On ${tickets.size} of your tickets`,
      });
      note.on('click', () => this.opts.openTickets(tickets.size === 1 ? items[0]!.ref : undefined));
      note.show();
      return;
    }
    for (const item of items) {
      const note = new Notification(notificationText(item));
      note.on('click', () => this.opts.openTickets(item.ref));
      note.show();
    }
  }
}

const STATUS_WORDS: Record<TicketNotification['status'], string> = {
  queued: 'waiting to be sent',
  new: 'new',
  open: 'being worked on',
  pending: 'waiting for you',
  resolved: 'resolved',
  closed: 'closed',
};

/** What the notification says: who did what on which ticket, in the person's words. */
export function notificationText(n: TicketNotification): { title: string; body: string } {
  const shown = shownNumber(n);
  const ticket = shown !== null ? `Ticket ${shown}` : 'Your ticket';
  switch (n.kind) {
    case 'reply':
      return { title: `IT replied: ${n.subject}`, body: n.text };
    case 'waiting':
      return { title: `IT is waiting for your answer`, body: `${ticket}: ${n.subject}` };
    case 'status':
      return {
        title: n.status === 'resolved' ? `${ticket} is resolved` : `${ticket} is ${STATUS_WORDS[n.status]}`,
        body: n.status === 'resolved' ? `${n.subject} — is it fixed? Open the ticket to confirm or reopen it.` : n.subject,
      };
  }
}
