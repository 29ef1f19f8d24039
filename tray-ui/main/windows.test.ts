import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TRAY_VIEWS } from '../../shared/tray-api.js';
import { startTestTray } from '../../test/support/tray/tray.js';
import { RENDERER_CSP, RENDERER_CSP_META, TRAY_PARTITION, isAllowedRequest, serveRendererFile } from './content.js';
import { viewUrl } from './windows.js';

const rendererSrc = new URL('../renderer/', import.meta.url).pathname;

describe('tray windows', () => {
  for (const view of TRAY_VIEWS) {
    it(`the ${view} window is isolated, sandboxed and cannot navigate or open windows`, async (t) => {
      const { electron, tray } = await startTestTray();
      t.after(() => tray.stop());
      const win = tray.windows.open(view);
      const fake = electron.windows.at(-1)!;
      assert.equal(fake, win);
      const prefs = fake.options.webPreferences;
      assert.equal(prefs.contextIsolation, true);
      assert.equal(prefs.nodeIntegration, false);
      assert.equal(prefs.nodeIntegrationInSubFrames, false);
      assert.equal(prefs.sandbox, true);
      assert.equal(prefs.webSecurity, true);
      assert.equal(prefs.allowRunningInsecureContent, false);
      assert.equal(prefs.webviewTag, false);
      assert.equal(prefs.partition, TRAY_PARTITION);
      assert.match(prefs.preload, /preload\.cjs$/);
      assert.equal(fake.options.show, false, 'shown only once painted');

      assert.equal(fake.webContents.getURL(), viewUrl(view));
      assert.equal(fake.webContents.tryNavigate('https://evil.example/'), true, 'navigation stopped');
      assert.equal(fake.webContents.tryNavigate(viewUrl('status')), true, 'even to our own pages');
      assert.equal(fake.webContents.tryOpenWindow('https://evil.example/'), 'deny');
      assert.equal(fake.webContents.tryAttachWebview(), true, '<webview> refused');
    });
  }
});

describe('tray content', () => {
  const root = mkdtempSync(join(tmpdir(), 'outpost-renderer-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'renderer');
  mkdirSync(dir);
  writeFileSync(join(dir, 'ticket.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(dir, 'secret.txt'), 'not for pages');
  writeFileSync(join(root, 'outside.html'), 'beside the renderer folder');

  it('serves the pages from outpost://tray/ with the strict CSP header', async (t) => {
    const { electron, tray } = await startTestTray({ rendererDir: dir });
    t.after(() => tray.stop());
    const session = electron.sessionFor(TRAY_PARTITION);
    const res = await session.fetch('outpost://tray/ticket.html');
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '<!doctype html><title>t</title>');
    assert.equal(res.headers.get('content-security-policy'), RENDERER_CSP);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.deepEqual(electron.privilegedSchemes, [], 'registered by main.ts before ready, not here');
  });

  it('answers 404 for files outside the renderer folder, unknown kinds and other hosts', async () => {
    for (const url of [
      'outpost://tray/../../etc/passwd',
      'outpost://tray/%2e%2e/%2e%2e/etc/passwd.html',
      'outpost://tray/..%2foutside.html',
      'outpost://tray/%2e%2e%2foutside.html',
      'outpost://tray/secret.txt',
      'outpost://tray/missing.html',
      'outpost://other/ticket.html',
    ]) {
      const res = await serveRendererFile(dir, url);
      assert.equal(res.status, 404, url);
    }
  });

  it('lets the windows load nothing from the network and grants no permission', async (t) => {
    const { electron, tray } = await startTestTray({ rendererDir: dir });
    t.after(() => tray.stop());
    const session = electron.sessionFor(TRAY_PARTITION);
    assert.equal(session.allowsRequest('outpost://tray/ticket.js'), true);
    assert.equal(session.allowsRequest('data:image/png;base64,AAAA'), true);
    for (const url of ['https://cdn.example/lib.js', 'http://127.0.0.1:7040/api/tickets', 'file:///etc/passwd', 'ws://evil.example/']) {
      assert.equal(session.allowsRequest(url), false, url);
      assert.equal(isAllowedRequest(url), false);
    }
    assert.deepEqual(session.headersFor('outpost://tray/ticket.html')['Content-Security-Policy'], [RENDERER_CSP]);
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal']) {
      assert.equal(await session.requestPermission(permission), false, permission);
      assert.equal(session.checkPermission(permission), false, permission);
    }
  });

  it('every page carries the same policy in a <meta>, loads only its own script, and has no inline script', () => {
    const pages = readdirSync(rendererSrc).filter((f) => f.endsWith('.html'));
    assert.deepEqual(pages.sort(), ['session.html', 'software.html', 'status.html', 'ticket.html', 'tickets.html']);
    for (const page of pages) {
      const html = readFileSync(join(rendererSrc, page), 'utf8');
      const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html);
      assert.equal(meta?.[1], RENDERER_CSP_META, page);
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
      assert.equal(scripts.length, 1, page);
      assert.match(scripts[0]![1]!, new RegExp(`src="${page.replace('.html', '.js')}"`), page);
      assert.equal(scripts[0]![2]!.trim(), '', `${page}: no inline script`);
      assert.doesNotMatch(html, /\son[a-z]+=/i, `${page}: no inline event handlers`);
      assert.doesNotMatch(html, /https?:\/\//, `${page}: no remote content`);
    }
  });
});
