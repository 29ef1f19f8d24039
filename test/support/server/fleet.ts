// Test helper: a store in a temporary directory with devices enrolled and inventoried through the
// store's own enrol and batch paths, as the ingest gateway drives them.
import assert from 'node:assert/strict';
import type { Os, Software } from '../../../shared/inventory.js';
import { planBatch } from '../../../server/ingest/plan-batch.js';
import { fullItem, hintsFor, machine } from './fixtures.js';
import { hashSecret } from '../../../server/store/secrets.js';
import { issueEnrolmentToken } from '../../../server/store/tokens.js';
import type { StoreLocation } from '../../../server/store/open-store.js';
import type { Store } from '../../../server/store/store.js';
import { freshStore, type Engine, type StoreUnderTest } from '../stores.js';

export interface FleetDevice {
  hostname: string;
  serial?: string;
  ip?: string;
  users?: string[];
  platform?: Os['platform'];
  software?: Software[];
  /** When it last reported (epoch ms). */
  at?: number;
}

export interface TestFleet {
  store: Store;
  where: StoreLocation;
  /** SQL on a connection of its own to the store's data (StoreUnderTest.sql). */
  sql: StoreUnderTest['sql'];
  /** Enrols the device and applies one full snapshot; returns its id. */
  add(device: FleetDevice): Promise<string>;
  close(): Promise<void>;
}

/** On SQLite unless told otherwise (the store tests run on both engines: test/support/stores.ts). */
export async function testFleet(engine: Engine = 'sqlite'): Promise<TestFleet> {
  const under = await freshStore(engine);
  const store = under.store;
  const token = await issueEnrolmentToken(store, {}, 0);
  let n = 0;
  return {
    store,
    where: under.where,
    sql: (text, params) => under.sql(text, params),
    async add(device) {
      n++;
      const at = device.at ?? 1_700_000_000_000 + n;
      const base = machine({
        hostname: device.hostname,
        ip: device.ip ?? `10.0.${Math.floor(n / 250)}.${n % 250}`,
        macs: [`3c:52:82:00:00:${(n % 256).toString(16).padStart(2, '0')}`],
        ...(device.serial ? { serial: device.serial } : {}),
        ...(device.software ? { software: device.software } : {}),
      });
      const snapshot = {
        ...base,
        os: { ...base.os, platform: device.platform ?? 'linux' },
        users: (device.users ?? []).map((name) => ({ name })),
      };
      const enrolled = await store.enrol({
        tokenHash: hashSecret(token),
        hints: hintsFor(snapshot, `inst-${n}-${device.hostname}`),
        agentVersion: 't',
        secretHash: hashSecret(`s${n}`),
        at: 1,
      });
      assert.ok(enrolled.ok);
      await store.applyBatch(enrolled.deviceId, at, (state) => planBatch(state, [fullItem(1, snapshot)]));
      return enrolled.deviceId;
    },
    close: () => under.dispose(),
  };
}
