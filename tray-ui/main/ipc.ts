// The main process's side of window.outpost: one ipcMain.handle per TrayApi method. A call is
// answered only for our own windows, and only after its argument passed the method's schema; the
// agent never sees a call that failed either check. Every answer is a TrayResult.
import { z } from 'zod';
import { isOutpostError } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';
import {
  TRAY_METHODS,
  TrayArgs,
  trayChannel,
  type TrayError,
  type TrayMethod,
  type TrayParsedArg,
  type TrayResult,
  type TrayResults,
} from '../../shared/tray-api.js';
import type { IpcMainInvokeEventPort, IpcMainPort } from './electron-ports.js';

export interface CallContext {
  /** The webContents id of the window that called: drafts belong to it. */
  senderId: number;
}

export type TrayHandlers = {
  [M in TrayMethod]: (arg: TrayParsedArg<M>, ctx: CallContext) => Promise<TrayResults[M]>;
};

export interface IpcOptions {
  ipcMain: IpcMainPort;
  isOwnSender: (event: IpcMainInvokeEventPort) => boolean;
  handlers: TrayHandlers;
  log: Logger;
}

/** A call from a page that is not ours: refused without an answer it could learn from. */
export class ForeignSenderError extends Error {
  constructor() {
    super('Refused: not an Outpost window.');
    this.name = 'ForeignSenderError';
  }
}

export function setupIpc(opts: IpcOptions): () => void {
  for (const method of TRAY_METHODS) {
    opts.ipcMain.handle(trayChannel(method), async (event, ...args) => {
      if (!opts.isOwnSender(event)) {
        opts.log.warn({ method, senderId: event.sender.id }, 'IPC from a foreign page refused');
        throw new ForeignSenderError();
      }
      return answer(opts, method, args, { senderId: event.sender.id });
    });
  }
  return () => TRAY_METHODS.forEach((m) => opts.ipcMain.removeHandler(trayChannel(m)));
}

async function answer<M extends TrayMethod>(
  opts: IpcOptions,
  method: M,
  args: unknown[],
  ctx: CallContext,
): Promise<TrayResult<TrayResults[M]>> {
  if (args.length > 1) return failure({ code: 'E_BAD_REQUEST', message: `${method} takes at most one argument.` });
  const schema: z.ZodType = TrayArgs[method];
  const parsed = schema.safeParse(args[0]);
  if (!parsed.success) return failure(validationError(parsed.error));
  try {
    const handler = opts.handlers[method] as (arg: unknown, ctx: CallContext) => Promise<TrayResults[M]>;
    return { ok: true, value: await handler(parsed.data, ctx) };
  } catch (err) {
    if (isOutpostError(err)) return failure({ code: err.code, message: err.message });
    opts.log.error({ method, err: (err as Error).message }, 'tray IPC handler failed');
    return failure({ code: 'E_INTERNAL', message: 'Something went wrong in Outpost. Please try again.' });
  }
}

function failure(error: TrayError): { ok: false; error: TrayError } {
  return { ok: false, error };
}

/** "Subject is required.": the first problem, named after the field a person sees. */
export function validationError(error: z.ZodError): TrayError {
  const issue = error.issues[0];
  if (!issue) return { code: 'E_BAD_REQUEST', message: 'The request is not valid.' };
  const field = issue.path.map(String).join('.') || undefined;
  const label = field ? fieldLabel(field) : 'The request';
  return { code: 'E_BAD_REQUEST', message: `${label} ${problem(issue)}.`, ...(field ? { field } : {}) };
}

/** The shared schemas' own messages ("is required") read well; Zod's defaults are for developers. */
function problem(issue: z.core.$ZodIssue): string {
  if (/^[a-z]/.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'too_big':
      if (issue.origin === 'string') return `is too long (at most ${Number(issue.maximum).toLocaleString('en')} characters)`;
      if (issue.origin === 'array') return `has too many items (at most ${Number(issue.maximum)})`;
      return 'is too large';
    case 'too_small':
      return issue.origin === 'string' && Number(issue.minimum) <= 1 ? 'is required' : 'is too short';
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'invalid_format':
      return issue.format === 'datetime' ? 'must be a date and time' : 'is not in a form Outpost accepts';
    case 'unrecognized_keys':
      return `has a field Outpost does not know: ${issue.keys.join(', ')}`;
    case 'invalid_type':
      return issue.expected === 'undefined'
        ? 'takes no argument'
        : `must be ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
    default:
      return issue.message.replace(/\.$/, '');
  }
}

const LABELS: Record<string, string> = {
  subject: 'Subject',
  description: 'Description',
  priority: 'Priority',
  category: 'Category',
  template: 'The template',
  text: 'The note',
  ticketId: 'Ticket ID',
  technician: 'Technician',
  start: 'Start',
  end: 'End',
  fileIds: 'Attachments',
  ref: 'The ticket reference',
  view: 'The view',
  screenshotId: 'The screenshot',
  id: 'The draft id',
  enabled: 'The setting',
};

function fieldLabel(field: string): string {
  return LABELS[field.split('.')[0]!] ?? field;
}
