// A picture of the screen for a ticket. The window asking for it steps aside while the picture is
// taken, so the ticket form is not what IT sees. The picture is a preview the person can remove.
import { OutpostError } from '../../shared/errors.js';
import { TICKET_LIMITS } from '../../shared/tickets.js';
import type { ScreenshotPreview } from '../../shared/tray-api.js';
import type { Drafts } from './drafts.js';
import type { BrowserWindowPort, DesktopCapturerPort, NativeImagePort, ScreenPort } from './electron-ports.js';

export interface CaptureDeps {
  desktopCapturer: DesktopCapturerPort;
  screen: ScreenPort;
  /** Time for the window to leave the screen before the picture is taken. */
  sleep: (ms: number) => Promise<void>;
}

const STEP_ASIDE_MS = 250;

/** PNG of the primary display, halved until it fits the screenshot limit. */
export async function captureScreen(deps: Omit<CaptureDeps, 'sleep'>): Promise<NativeImagePort> {
  const display = deps.screen.getPrimaryDisplay();
  const thumbnailSize = {
    width: Math.round(display.size.width * display.scaleFactor),
    height: Math.round(display.size.height * display.scaleFactor),
  };
  let sources;
  try {
    sources = await deps.desktopCapturer.getSources({ types: ['screen'], thumbnailSize });
  } catch (err) {
    throw new OutpostError('E_INTERNAL', `The screen could not be captured (${(err as Error).message}).`);
  }
  const source = sources.find((s) => s.display_id === String(display.id)) ?? sources[0];
  if (!source || source.thumbnail.isEmpty()) {
    throw new OutpostError('E_INTERNAL', 'The screen could not be captured: the system did not allow it.');
  }
  let image = source.thumbnail;
  for (let i = 0; i < 4 && image.toPNG().length > TICKET_LIMITS.screenshotBytes; i++) {
    image = image.resize({ width: Math.round(image.getSize().width / 2) });
  }
  if (image.toPNG().length > TICKET_LIMITS.screenshotBytes) throw new OutpostError('E_TOO_LARGE', 'The screenshot is too large to attach.');
  return image;
}

export async function captureForDraft(
  deps: CaptureDeps,
  drafts: Drafts,
  owner: number,
  window: BrowserWindowPort | undefined,
): Promise<ScreenshotPreview> {
  const wasVisible = window?.isVisible() ?? false;
  if (wasVisible) {
    window!.hide();
    await deps.sleep(STEP_ASIDE_MS);
  }
  try {
    const image = await captureScreen(deps);
    const png = image.toPNG();
    const id = drafts.addScreenshot(owner, png);
    const { width, height } = image.getSize();
    return { id, dataUrl: `data:image/png;base64,${png.toString('base64')}`, width, height, bytes: png.length };
  } finally {
    if (wasVisible && !window!.isDestroyed()) {
      window!.show();
      window!.focus();
    }
  }
}
