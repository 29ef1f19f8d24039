// One software source (dpkg, rpm, snap, ...). A source returns the packages it knows, or throws;
// the caller (collect/software/index.ts) applies the timeout and treats a thrown error as "this source
// is unknown this time", never as "everything was uninstalled".
import type { Software, SoftwareSource } from '../../../shared/inventory.js';
import type { Host } from '../../host/host.js';

export interface SoftwareCollector {
  readonly source: SoftwareSource;
  /** Platforms the source exists on. */
  readonly platforms: readonly NodeJS.Platform[];
  /** This source's own time limit, for slow tools such as system_profiler; default the runner's. */
  readonly timeoutMs?: number;
  /** Files or folders whose change means this source's packages changed (install watchers). */
  watchPaths?(host: Host): Promise<string[]>;
  /** Returns [] quietly when the tool or database is absent on this machine. */
  collect(host: Host): Promise<Software[]>;
}
