#!/usr/bin/env node
// CPU of the two steps of a first snapshot's ingest that issue 15's plancpu work cut, on the fleet's
// synthetic snapshots (~650 packages): the store worker's normalising and digesting (the batch plan's
// largest part), and the event loop's share of passing a snapshot from the frame worker to the store
// worker (taking the frame worker's message, sending it on), with the body as objects and packed
// (server/ingest/packed-items.ts). CPU time, not wall time; median of 7 rounds of 30 snapshots.
// Run after `npm run build`: node bench/plan-cost.mjs
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { deviceModel, digestsOf, snapshotOf } from './fleet/inventory.mjs';

const dist = new URL('../dist/', import.meta.url);
const load = (p) => import(new URL(p, dist).href);
const { combineDigests, sectionDigests } = await load('shared/digest.js');
const { normaliseSnapshot } = await load('shared/normalise.js');
// Absent before the packing existed: the bench then compares nothing for it (run on an older build).
const packItems = await load('server/ingest/packed-items.js').then(
  (m) => m.packItems,
  () => null,
);

const N = 30;
const cpuMs = (f) => {
  const a = process.cpuUsage();
  f();
  const b = process.cpuUsage(a);
  return (b.user + b.system) / 1000 / N;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const texts = Array.from({ length: N }, (_, i) => {
  const model = deviceModel(5000 + i);
  const item = {
    seq: 1,
    at: new Date().toISOString(),
    kind: 'inventory.full',
    body: { trigger: 'startup', digest: digestsOf(model).digest, snapshot: snapshotOf(model) },
  };
  return JSON.stringify(item);
});
const fresh = () => texts.map((t) => JSON.parse(t));

const { port1: fromFrameWorker, port2: loopIn } = new MessageChannel();
const { port1: toStore, port2: storeIn } = new MessageChannel();
/** The loop's share: take each answer off its port, post it on to the store's port. */
const passOn = () => {
  for (let i = 0; i < N; i++) toStore.postMessage(receiveMessageOnPort(loopIn).message);
};
const drain = () => {
  while (receiveMessageOnPort(storeIn));
};

const plan = [];
const asObjects = [];
const asPacked = [];
for (let round = 0; round < 7; round++) {
  const items = fresh();
  plan.push(cpuMs(() => items.forEach((item) => combineDigests(sectionDigests(normaliseSnapshot(item.body.snapshot))))));
  for (const item of fresh()) fromFrameWorker.postMessage({ id: 1, reading: { ok: true, message: { type: 'items', items: [item] } } });
  asObjects.push(cpuMs(passOn));
  drain();
  if (!packItems) continue;
  for (const item of fresh()) {
    const { items: packed, transfer } = packItems([item]);
    fromFrameWorker.postMessage({ id: 1, reading: { ok: true, message: { type: 'items', items: packed } } }, transfer);
  }
  asPacked.push(cpuMs(passOn));
  drain();
}
fromFrameWorker.close();
toStore.close();
const row = (what, xs) =>
  console.log(`${what.padEnd(70)} ${median(xs).toFixed(3).padStart(7)} ms  (${xs.map((x) => x.toFixed(2)).join(', ')})`);
console.log(
  `a first snapshot's plan and its trip through the event loop, per snapshot; load average ${(await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
row('  store worker: normalise + section digests + snapshot digest', plan);
row('  event loop: take the frame worker message, send it on (body as objects)', asObjects);
if (packItems) row('  event loop: the same with the body packed', asPacked);
