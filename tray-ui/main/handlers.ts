// What each TrayApi method does. Calls to the agent go through its local API only; files and
// screenshots stay in the main process until a ticket is sent.
import { OutpostError } from '../../shared/errors.js';
import type { AgentCall } from './agent.js';
import type { Drafts } from './drafts.js';
import type { DialogPort } from './electron-ports.js';
import { pickFiles, type FileReader } from './files.js';
import type { TrayHandlers } from './ipc.js';
import type { LoginItem } from './login-item.js';
import type { NotificationSettingsFile } from './notification-settings.js';
import { captureForDraft, type CaptureDeps } from './screenshot.js';
import type { StatusMonitor } from './status.js';
import type { TrayWindows } from './windows.js';

export interface HandlerDeps {
  agent: AgentCall;
  monitor: StatusMonitor;
  drafts: Drafts;
  windows: Pick<TrayWindows, 'open' | 'windowOf'>;
  dialog: DialogPort;
  files: FileReader;
  capture: CaptureDeps;
  loginItem: Pick<LoginItem, 'isEnabled' | 'setEnabled'>;
  notificationSettings: Pick<NotificationSettingsFile, 'get' | 'set'>;
  /** Told the unread count after the person read a ticket, so the badge goes at once. */
  onUnread: (count: number) => void;
}

export function createTrayHandlers(deps: HandlerDeps): TrayHandlers {
  const { agent, drafts } = deps;
  const settings = async () => {
    const n = await deps.notificationSettings.get();
    return { openAtLogin: await deps.loginItem.isEnabled(), notifications: n.enabled, quietHours: n.quietHours };
  };
  const afterChange = <T>(value: T): T => {
    // Pending items changed: the tray's status line should say so soon.
    void deps.monitor.refresh();
    return value;
  };
  return {
    status: async () => {
      const state = await deps.monitor.refresh();
      if (!state.reachable) throw new OutpostError(state.code, state.message);
      return state.status;
    },
    scanNow: async () => afterChange(await agent('scan.now', {})),
    createTicket: async (draft, { senderId }) => {
      const { attachments, screenshot } = drafts.take(senderId, draft.fileIds, draft.screenshotId);
      const result = await agent('ticket.create', {
        subject: draft.subject,
        description: draft.description,
        priority: draft.priority,
        ...(draft.category ? { category: draft.category } : {}),
        ...(draft.template ? { template: draft.template } : {}),
        attachments,
        ...(screenshot ? { screenshot } : {}),
      });
      drafts.clear(senderId);
      return afterChange(result);
    },
    listTickets: async () => agent('ticket.list', {}),
    listTemplates: async () => agent('templates.list', {}),
    listSoftware: async () => agent('software.catalog', {}),
    requestSoftware: async (arg) => afterChange(await agent('software.request', arg)),
    getTicket: async ({ ref }) => agent('ticket.get', { ref }),
    addNote: async (arg) => afterChange(await agent('ticket.note', arg)),
    closeTicket: async ({ ref }) => afterChange(await agent('ticket.close', { ref })),
    markRead: async ({ ref }) => {
      const result = await agent('ticket.markRead', { ref });
      deps.onUnread(result.unreadTickets);
      return result;
    },
    reopenTicket: async (arg) => afterChange(await agent('ticket.reopen', arg)),
    startWorklog: async (arg) => agent('worklog.start', arg),
    stopWorklog: async (arg) => afterChange(await agent('worklog.stop', arg)),
    addWorklog: async (arg) => afterChange(await agent('worklog.add', arg)),
    listWorklogs: async () => agent('worklog.list', {}),
    retryWorklog: async (arg) => afterChange(await agent('worklog.retry', arg)),
    pickFiles: async (_arg, { senderId }) => pickFiles(deps.dialog, deps.files, drafts, senderId),
    removeFile: async ({ id }, { senderId }) => {
      drafts.removeFile(senderId, id);
      return { files: drafts.files(senderId) };
    },
    captureScreenshot: async (_arg, { senderId }) => captureForDraft(deps.capture, drafts, senderId, deps.windows.windowOf(senderId)),
    discardScreenshot: async ({ id }, { senderId }) => {
      drafts.discardScreenshot(senderId, id);
      return {};
    },
    getSettings: settings,
    setOpenAtLogin: async ({ enabled }) => {
      await deps.loginItem.setEnabled(enabled);
      return settings();
    },
    setNotifications: async ({ enabled, quietHours }) => {
      await deps.notificationSettings.set({ enabled, quietHours });
      return settings();
    },
    openView: async ({ view }) => {
      deps.windows.open(view);
      return {};
    },
  };
}
