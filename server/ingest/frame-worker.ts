// The frame reader's worker thread (frame-reader.ts): reads large frames off the event loop. It gets
// the frame's bytes and answers with what readAgentFrame made of them, which is only what the schema
// keeps (validated, within the entry budget), so handing the answer back costs the event loop
// O(that), not O(the frame): a 16 MB frame of small objects is parsed and mostly thrown away here.
import { parentPort } from 'node:worker_threads';
import { readAgentFrame, type FrameReading } from './read-frame.js';

export interface FrameJob {
  id: number;
  bytes: Uint8Array;
  authenticated: boolean;
}

export interface FrameAnswer {
  id: number;
  reading: FrameReading;
}

parentPort?.on('message', (job: FrameJob) => {
  const reading = readAgentFrame(
    Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength).toString('utf8'),
    job.authenticated,
  );
  parentPort!.postMessage({ id: job.id, reading } satisfies FrameAnswer);
});
