// The only bridge between a window and the main process: window.outpost, one method per IPC
// channel, each an ipcRenderer.invoke. Nothing else from Electron or Node reaches the page. Built
// as one CommonJS file, since sandboxed preloads may require only 'electron'; it imports types from
// shared/ and no code, so the bundle stays a few lines that can be read in full.
import { contextBridge, ipcRenderer } from 'electron';
import type { TrayApi, TrayArg, TrayMethod, TrayResult, TrayResults } from '../../shared/tray-api.js';

function invoke<M extends TrayMethod>(method: M, arg?: TrayArg<M>): Promise<TrayResult<TrayResults[M]>> {
  // The channel naming of trayChannel() in shared/tray-api.ts; a test holds the two together.
  return ipcRenderer.invoke(`outpost:${method}`, ...(arg === undefined ? [] : [arg])) as Promise<TrayResult<TrayResults[M]>>;
}

const api: TrayApi = {
  status: () => invoke('status'),
  scanNow: () => invoke('scanNow'),
  createTicket: (draft) => invoke('createTicket', draft),
  listTickets: () => invoke('listTickets'),
  listTemplates: () => invoke('listTemplates'),
  listSoftware: () => invoke('listSoftware'),
  requestSoftware: (arg) => invoke('requestSoftware', arg),
  getTicket: (arg) => invoke('getTicket', arg),
  addNote: (arg) => invoke('addNote', arg),
  closeTicket: (arg) => invoke('closeTicket', arg),
  markRead: (arg) => invoke('markRead', arg),
  reopenTicket: (arg) => invoke('reopenTicket', arg),
  startWorklog: (arg) => invoke('startWorklog', arg),
  stopWorklog: (arg) => invoke('stopWorklog', arg),
  addWorklog: (arg) => invoke('addWorklog', arg),
  listWorklogs: () => invoke('listWorklogs'),
  retryWorklog: (arg) => invoke('retryWorklog', arg),
  pickFiles: () => invoke('pickFiles'),
  removeFile: (arg) => invoke('removeFile', arg),
  captureScreenshot: () => invoke('captureScreenshot'),
  discardScreenshot: (arg) => invoke('discardScreenshot', arg),
  getSettings: () => invoke('getSettings'),
  setOpenAtLogin: (arg) => invoke('setOpenAtLogin', arg),
  setNotifications: (arg) => invoke('setNotifications', arg),
  openView: (arg) => invoke('openView', arg),
};

contextBridge.exposeInMainWorld('outpost', api);
