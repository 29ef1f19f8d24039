import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TICKET_LIMITS } from '../../shared/tickets.js';
import { trayChannel, type PickFilesResult, type ScreenshotPreview, type TrayMethod, type TrayResult } from '../../shared/tray-api.js';
import { FakeNativeImage, type FakeBrowserWindow } from '../../test/fakes/electron.js';
import { StubAgent, startTestTray } from '../../test/support/tray/tray.js';

const MB = 1024 * 1024;
const draft = { subject: 'Screen flickers', description: 'Since this morning.' };

async function ticketWindow() {
  const agent = new StubAgent().answer('ticket.create', () => ({ ref: 'ref-00000007', status: 'queued', connected: false }));
  const t = await startTestTray({ agent });
  const win = t.tray.windows.open('ticket') as FakeBrowserWindow;
  await Promise.resolve();
  const invoke = async <T>(method: TrayMethod, arg?: unknown): Promise<T> => {
    const result = (await t.electron.ipcMain.invokeFrom(win, trayChannel(method), ...(arg === undefined ? [] : [arg]))) as TrayResult<T>;
    if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
    return result.value;
  };
  return { ...t, win, invoke };
}

describe('attaching files', () => {
  it('reads the picked files in the main process and sends them with the ticket', async (t) => {
    const { electron, files, agent, invoke, tray } = await ticketWindow();
    t.after(() => tray.stop());
    files.files.set('/home/ada/error.log', 'disk full');
    files.files.set('/home/ada/photo.JPG', Buffer.from([0xff, 0xd8, 0xff]));
    electron.dialog.choices.push(['/home/ada/error.log', '/home/ada/photo.JPG']);

    const picked = await invoke<PickFilesResult>('pickFiles');
    assert.deepEqual(
      picked.files.map((f) => [f.name, f.bytes]),
      [
        ['error.log', 9],
        ['photo.JPG', 3],
      ],
    );
    assert.deepEqual(picked.rejected, []);
    assert.ok(
      picked.files.every((f) => !('path' in f)),
      'the page never learns where files live',
    );

    await invoke('createTicket', { ...draft, fileIds: picked.files.map((f) => f.id) });
    const sent = agent.callsOf('ticket.create')[0] as { attachments: { name: string; type: string; contentBase64: string }[] };
    assert.deepEqual(sent.attachments, [
      { name: 'error.log', type: 'text/plain', contentBase64: Buffer.from('disk full').toString('base64') },
      { name: 'photo.JPG', type: 'image/jpeg', contentBase64: Buffer.from([0xff, 0xd8, 0xff]).toString('base64') },
    ]);
  });

  it('refuses a file over 10 MB without reading it, and says why', async (t) => {
    const { electron, files, invoke, tray } = await ticketWindow();
    t.after(() => tray.stop());
    files.sizes.set('/home/ada/video.mp4', 12.4 * MB);
    files.files.set('/home/ada/small.txt', 'ok');
    electron.dialog.choices.push(['/home/ada/video.mp4', '/home/ada/small.txt']);
    const picked = await invoke<PickFilesResult>('pickFiles');
    assert.deepEqual(picked.rejected, [{ name: 'video.mp4', message: 'video.mp4 is 12.4 MB; a file can be at most 10 MB.' }]);
    assert.deepEqual(
      picked.files.map((f) => f.name),
      ['small.txt'],
    );
    assert.deepEqual(files.reads, ['/home/ada/small.txt']);
  });

  it('refuses the file that would take the ticket past 25 MB, across several picks', async (t) => {
    const { electron, files, invoke, tray } = await ticketWindow();
    t.after(() => tray.stop());
    for (const name of ['a', 'b', 'c']) files.files.set(`/d/${name}.bin`, Buffer.alloc(9 * MB));
    electron.dialog.choices.push(['/d/a.bin', '/d/b.bin'], ['/d/c.bin']);
    await invoke('pickFiles');
    const second = await invoke<PickFilesResult>('pickFiles');
    assert.deepEqual(second.rejected, [
      { name: 'c.bin', message: 'c.bin would bring the attachments to 27 MB; a ticket can carry at most 25 MB.' },
    ]);
    assert.equal(second.files.length, 2);
  });

  it(`refuses the ${TICKET_LIMITS.attachmentsPerTicket + 1}th file`, async (t) => {
    const { electron, files, invoke, tray } = await ticketWindow();
    t.after(() => tray.stop());
    const paths = Array.from({ length: TICKET_LIMITS.attachmentsPerTicket + 1 }, (_, i) => `/d/f${i}.txt`);
    for (const p of paths) files.files.set(p, 'x');
    electron.dialog.choices.push(paths);
    const picked = await invoke<PickFilesResult>('pickFiles');
    assert.equal(picked.files.length, TICKET_LIMITS.attachmentsPerTicket);
    assert.deepEqual(picked.rejected, [{ name: 'f10.txt', message: 'A ticket can carry at most 10 files.' }]);
  });

  it('a cancelled dialog changes nothing; a removed file is not sent', async (t) => {
    const { electron, files, agent, invoke, tray } = await ticketWindow();
    t.after(() => tray.stop());
    files.files.set('/d/keep.txt', 'keep');
    files.files.set('/d/drop.txt', 'drop');
    electron.dialog.choices.push(['/d/keep.txt', '/d/drop.txt']);
    const picked = await invoke<PickFilesResult>('pickFiles');
    const cancelled = await invoke<PickFilesResult>('pickFiles');
    assert.deepEqual(cancelled.files, picked.files);
    const drop = picked.files.find((f) => f.name === 'drop.txt')!;
    const left = await invoke<{ files: PickFilesResult['files'] }>('removeFile', { id: drop.id });
    assert.deepEqual(
      left.files.map((f) => f.name),
      ['keep.txt'],
    );
    await assert.rejects(invoke('createTicket', { ...draft, fileIds: [drop.id] }), { code: 'E_NOT_FOUND' });
    assert.equal(agent.callsOf('ticket.create').length, 0);
  });

  it("one window cannot send another window's files", async (t) => {
    const { electron, files, invoke, tray } = await ticketWindow();
    t.after(() => tray.stop());
    files.files.set('/d/private.txt', 'mine');
    electron.dialog.choices.push(['/d/private.txt']);
    const {
      files: [mine],
    } = await invoke<PickFilesResult>('pickFiles');
    const other = tray.windows.open('session') as FakeBrowserWindow;
    const result = (await electron.ipcMain.invokeFrom(other, trayChannel('createTicket'), {
      ...draft,
      fileIds: [mine!.id],
    })) as TrayResult<unknown>;
    assert.ok(!result.ok);
    assert.equal(result.error.code, 'E_NOT_FOUND');
  });

  it('forgets a draft when its window closes', async (t) => {
    const { electron, files, win, invoke, tray } = await ticketWindow();
    t.after(() => tray.stop());
    files.files.set('/d/a.txt', 'a');
    electron.dialog.choices.push(['/d/a.txt']);
    await invoke('pickFiles');
    win.close();
    const again = tray.windows.open('ticket') as FakeBrowserWindow;
    const result = (await electron.ipcMain.invokeFrom(again, trayChannel('pickFiles'))) as TrayResult<PickFilesResult>;
    assert.ok(result.ok);
    assert.deepEqual(result.value.files, []);
  });
});

describe('screenshot', () => {
  it('steps the window aside, captures the screen and offers a PNG preview', async (t) => {
    const { electron, win, invoke, agent, tray } = await ticketWindow();
    t.after(() => tray.stop());
    electron.screen.display = { id: 1, size: { width: 1440, height: 900 }, scaleFactor: 2 };
    let visibleDuringCapture: boolean | undefined;
    const getSources = electron.desktopCapturer.getSources.bind(electron.desktopCapturer);
    electron.desktopCapturer.getSources = async (o) => {
      visibleDuringCapture = win.visible;
      return getSources(o);
    };
    const shot = await invoke<ScreenshotPreview>('captureScreenshot');
    assert.equal(visibleDuringCapture, false);
    assert.equal(win.visible, true, 'back after the capture');
    assert.deepEqual(electron.desktopCapturer.requests.at(-1)!.thumbnailSize, { width: 2880, height: 1800 });
    assert.match(shot.dataUrl, /^data:image\/png;base64,iVBORw0KGgo/);
    assert.deepEqual([shot.width, shot.height], [320, 200]);

    await invoke('createTicket', { ...draft, screenshotId: shot.id });
    const sent = agent.callsOf('ticket.create')[0] as { screenshot?: string };
    assert.equal(sent.screenshot, shot.dataUrl.slice('data:image/png;base64,'.length));
  });

  it('a removed screenshot is not sent', async (t) => {
    const { invoke, agent, tray } = await ticketWindow();
    t.after(() => tray.stop());
    const shot = await invoke<ScreenshotPreview>('captureScreenshot');
    await invoke('discardScreenshot', { id: shot.id });
    await assert.rejects(invoke('createTicket', { ...draft, screenshotId: shot.id }), { code: 'E_NOT_FOUND' });
    await invoke('createTicket', draft);
    assert.equal((agent.callsOf('ticket.create')[0] as { screenshot?: string }).screenshot, undefined);
  });

  it('halves a screenshot until it fits the 10 MB limit', async (t) => {
    const { electron, invoke, tray } = await ticketWindow();
    t.after(() => tray.stop());
    electron.desktopCapturer.image = new FakeNativeImage(2400, 1600, 'noise');
    const shot = await invoke<ScreenshotPreview>('captureScreenshot');
    assert.deepEqual([shot.width, shot.height], [1200, 800]);
    assert.ok(shot.bytes <= TICKET_LIMITS.screenshotBytes);
  });

  it('says so when the system refuses the capture, and shows the window again', async (t) => {
    const { electron, win, invoke, tray } = await ticketWindow();
    t.after(() => tray.stop());
    electron.desktopCapturer.failure = new Error('Screen recording permission denied');
    await assert.rejects(invoke('captureScreenshot'), {
      code: 'E_INTERNAL',
      message: 'The screen could not be captured (Screen recording permission denied).',
    });
    assert.equal(win.visible, true);
  });
});
