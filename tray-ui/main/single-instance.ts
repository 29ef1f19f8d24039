// One tray per user session: a second launch (from the Start menu, a login item firing twice...)
// hands over to the running instance instead of adding a second icon.
import type { AppPort } from './electron-ports.js';

/** Returns false when another instance runs; this one then quits and sets nothing else up. */
export function setupSingleInstance(app: AppPort, onSecondInstance: () => void): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', onSecondInstance);
  return true;
}
