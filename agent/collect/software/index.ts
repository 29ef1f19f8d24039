// Every software source, and the runner that collects them all with a per-source time limit.
// A source that fails or times out is reported in `failed`, so the caller keeps that source's
// previous packages instead of reading the failure as "everything was uninstalled".
import type { Software, SoftwareSource } from '../../../shared/inventory.js';
import type { Logger } from '../../../shared/log.js';
import type { Host } from '../../host/host.js';
import type { SoftwareCollector } from './types.js';
import { dpkgCollector } from './dpkg.js';
import { flatpakCollector } from './flatpak.js';
import { rpmCollector } from './rpm.js';
import { snapCollector } from './snap.js';
import { hotfixCollector } from './hotfix.js';
import { macosAppsCollector } from './macos-apps.js';
import { msixCollector } from './msix.js';
import { pkgutilCollector } from './pkgutil.js';
import { windowsRegistryCollector } from './windows-registry.js';

export const SOFTWARE_COLLECTORS: readonly SoftwareCollector[] = [
  // Each source module adds its collector here.
  dpkgCollector,
  rpmCollector,
  snapCollector,
  flatpakCollector,
  macosAppsCollector,
  pkgutilCollector,
  windowsRegistryCollector,
  msixCollector,
  hotfixCollector,
];

export interface SoftwareResult {
  items: Software[];
  /** Sources that exist on this platform but could not be read this time. */
  failed: SoftwareSource[];
}

export async function collectSoftware(
  host: Host,
  log: Logger,
  options: { timeoutMs?: number; collectors?: readonly SoftwareCollector[] } = {},
): Promise<SoftwareResult> {
  const collectors = (options.collectors ?? SOFTWARE_COLLECTORS).filter((c) => c.platforms.includes(host.platform));
  const timeoutMs = options.timeoutMs ?? 60_000;
  const results = await Promise.all(
    collectors.map(async (c) => {
      try {
        return { source: c.source, items: await withTimeout(c.collect(host), c.timeoutMs ?? timeoutMs, c.source) };
      } catch (err) {
        log.warn({ source: c.source, err: (err as Error).message }, 'software source could not be read');
        return { source: c.source, items: undefined };
      }
    }),
  );
  return {
    items: results.flatMap((r) => r.items ?? []),
    failed: results.filter((r) => r.items === undefined).map((r) => r.source),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what} took longer than ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
