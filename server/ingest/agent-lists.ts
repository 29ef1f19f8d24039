// The lists every agent keeps (ticket templates, the package store behind the self-service catalog),
// read once for many hellos. In a reconnect storm every hello used to read both lists (and parse each
// template through its schema): hundreds of identical reads a second. A read is now reused for up to
// `maxAgeMs`, and a change IT makes (the gateway's push) drops it at once, so an agent never gets a
// list older than the last change it was told of; a read that was in flight when a change came is
// not kept (its result may predate the change).
import type { Store } from '../store/store.js';
import type { TicketTemplate } from '../store/template-records.js';

/** How long one read of the lists serves the hellos that follow it. */
export const AGENT_LISTS_MAX_AGE_MS = 1000;

type PackageRecords = Awaited<ReturnType<Store['deploy']['listPackages']>>;

export interface AgentLists {
  templates: TicketTemplate[];
  packages: PackageRecords;
}

export class AgentListsCache {
  private kept: { lists: AgentLists; at: number } | null = null;
  private generation = 0;

  constructor(
    private readonly store: Pick<Store, 'templates' | 'deploy'>,
    private readonly now: () => number,
    private readonly maxAgeMs = AGENT_LISTS_MAX_AGE_MS,
  ) {}

  /** The lists as of at most `maxAgeMs` ago and not older than the last `changed()`. */
  async read(): Promise<AgentLists> {
    const kept = this.kept;
    if (kept && this.now() - kept.at < this.maxAgeMs) return kept.lists;
    const generation = this.generation;
    const at = this.now();
    const [templates, packages] = await Promise.all([this.store.templates.list(), this.store.deploy.listPackages()]);
    const lists = { templates, packages };
    if (generation === this.generation) this.kept = { lists, at };
    return lists;
  }

  /** IT changed a list: the next read goes to the store. */
  changed(): void {
    this.generation++;
    this.kept = null;
  }
}
