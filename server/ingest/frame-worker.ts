// The frame reader's worker thread (frame-reader.ts): reads large frames off the event loop. It gets
// the frame's bytes and answers with what readAgentFrame made of them, which is only what the schema
// keeps (validated, within the entry budget), so handing the answer back costs the event loop
// O(that), not O(the frame): a 16 MB frame of small objects is parsed and mostly thrown away here.
// A full snapshot's body (or a part's) is handed back packed (packed-items.ts): the loop never
// unpacks it, the store's job does.
import { parentPort } from 'node:worker_threads';
import type { CarriedReading } from './frame-reader.js';
import { packItems } from './packed-items.js';
import { readAgentFrame } from './read-frame.js';

export interface FrameJob {
  id: number;
  bytes: Uint8Array;
  authenticated: boolean;
}

export interface FrameAnswer {
  id: number;
  reading: CarriedReading;
}

parentPort?.on('message', (job: FrameJob) => {
  const reading = readAgentFrame(
    Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength).toString('utf8'),
    job.authenticated,
  );
  if (!reading.ok || reading.message?.type !== 'items') return parentPort!.postMessage({ id: job.id, reading } satisfies FrameAnswer);
  // A snapshot's bodies go on packed: the event loop passes them to the store's job unread (packed-items.ts).
  const { items, transfer } = packItems(reading.message.items);
  const answer: FrameAnswer = { id: job.id, reading: { ...reading, message: { ...reading.message, items } } };
  parentPort!.postMessage(answer, transfer);
});
