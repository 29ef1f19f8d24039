// The preload as Electron runs it: bundled into one CommonJS file and evaluated with 'electron' as
// the only module it may require. The test supplies that module and watches what the page gets.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { TRAY_METHODS, TrayArgs, trayChannel } from '../../shared/tray-api.js';

async function loadPreload() {
  const out = await build({
    entryPoints: [new URL('./preload.ts', import.meta.url).pathname],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    external: ['electron'],
    logLevel: 'silent',
  });
  const exposed = new Map<string, unknown>();
  const invoked: { channel: string; args: unknown[] }[] = [];
  const required: string[] = [];
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
    ipcRenderer: {
      invoke: async (channel: string, ...args: unknown[]) => {
        invoked.push({ channel, args });
        return { ok: true, value: channel };
      },
    },
  };
  const require = (name: string) => {
    required.push(name);
    if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
    return electron;
  };
  const module = { exports: {} };
  runInNewContext(out.outputFiles[0]!.text, { require, module, exports: module.exports });
  return { exposed, invoked, required };
}

describe('preload', () => {
  it('exposes only window.outpost, with exactly the TrayApi methods', async () => {
    const { exposed, required } = await loadPreload();
    assert.deepEqual([...exposed.keys()], ['outpost']);
    assert.deepEqual(Object.keys(exposed.get('outpost') as object).sort(), [...TRAY_METHODS].sort());
    assert.deepEqual([...new Set(required)], ['electron']);
  });

  it('each method is one ipcRenderer.invoke on the channel the main process handles', async () => {
    const { exposed, invoked } = await loadPreload();
    const api = exposed.get('outpost') as Record<string, (arg?: unknown) => Promise<unknown>>;
    for (const method of TRAY_METHODS) {
      const arg = { probe: method };
      const takesNone = TrayArgs[method].safeParse(undefined).success;
      assert.deepEqual(await api[method]!(arg), { ok: true, value: trayChannel(method) });
      assert.deepEqual(invoked.at(-1), { channel: trayChannel(method), args: takesNone ? [] : [arg] }, method);
    }
  });
});
