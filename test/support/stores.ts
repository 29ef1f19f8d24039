// Every store test runs once per engine: `describeStores('...', (engine) => ...)` opens a describe
// block for SQLite (a temp data dir) and one for PostgreSQL (a fresh database in the test cluster,
// test/support/postgres.ts). Nothing is skipped: a PostgreSQL that cannot start fails the tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'node:test';
import { openStore, type StoreLocation } from '../../server/store/open-store.js';
import type { Store } from '../../server/store/store.js';
import { freshDatabase } from './postgres.js';

export type Engine = 'sqlite' | 'postgres';
export const ENGINES: readonly Engine[] = ['sqlite', 'postgres'];
export const ENGINE_NAMES: Record<Engine, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

export interface StoreUnderTest {
  engine: Engine;
  /** Where it lives: a second connection (the CLI, a restart) opens the same data. */
  where: StoreLocation;
  store: Store;
  /** Closes the store and removes its data. */
  dispose(): Promise<void>;
}

/** A new, empty store (schema in place) on `engine`. */
export async function freshStore(engine: Engine): Promise<StoreUnderTest> {
  const dataDir = mkdtempSync(join(tmpdir(), 'outpost-store-'));
  const where: StoreLocation = engine === 'postgres' ? { dataDir, store: await freshDatabase() } : { dataDir };
  const store = await openStore(where);
  return {
    engine,
    where,
    store,
    dispose: async () => {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** One describe block per engine, named "<name> (SQLite)" and "<name> (PostgreSQL)". */
export function describeStores(name: string, body: (engine: Engine) => void): void {
  for (const engine of ENGINES) describe(`${name} (${ENGINE_NAMES[engine]})`, () => body(engine));
}
