// Arguments that cross to the store worker (worker-client.ts, store-worker.ts). Data crosses as a
// structured clone; a function cannot, so it crosses as a handle: inside the worker it becomes a
// function that asks the main thread to call the original and waits for the answer (synchronously,
// since the store calls it inside a transaction: `isLive` during an enrolment, the desk's rules in a
// ticket change). An object with methods (a class instance, such as the desk's rules) crosses as its
// methods' handles and its getters' values at the time of the call. Such calls are few and cheap;
// the heavy work (an ingest batch's plan) is a store job (store-job.ts) that runs in the worker.
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';

const FN = '__outpostFn';
const OBJ = '__outpostObj';

/** The main thread's side: the functions of one call's arguments, by handle. */
export type Callbacks = Map<number, (...args: unknown[]) => unknown>;

/** A call from the worker to a function of the main thread, and its answer. */
export interface CallbackRequest {
  fn: number;
  args: unknown[];
}
export type CallbackAnswer = { ok: true; value: unknown } | { ok: false; message: string };

let nextHandle = 1;

/** Objects a structured clone carries whole (a SharedArrayBuffer stays shared). */
function clonedAsIs(value: object): boolean {
  return (
    value instanceof ArrayBuffer ||
    value instanceof SharedArrayBuffer ||
    value instanceof Date ||
    value instanceof Map ||
    value instanceof Set ||
    value instanceof RegExp
  );
}

/** Replaces the functions in `value` by handles registered in `callbacks` (main thread). */
export function marshal(value: unknown, callbacks: Callbacks): unknown {
  if (typeof value === 'function') {
    const id = nextHandle++;
    callbacks.set(id, value as (...args: unknown[]) => unknown);
    return { [FN]: id };
  }
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || clonedAsIs(value)) return value;
  const proto = Object.getPrototypeOf(value) as object | null;
  if (Array.isArray(value) || proto === Object.prototype || proto === null) return copyOnChange(value, (v) => marshal(v, callbacks));
  return { [OBJ]: instanceFace(value, proto, callbacks) };
}

/**
 * `value` with `each` applied to its members, copied only where a member changed: a batch's items
 * (thousands of plain objects, no function) cross as they are, without a walk that copies them.
 */
function copyOnChange(value: object, each: (v: unknown) => unknown): unknown {
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const m = each(v);
      if (m !== v) (copy ??= value.slice())[i] = m;
    }
    return copy ?? value;
  }
  let copy: Record<string, unknown> | null = null;
  for (const k in value) {
    const v = (value as Record<string, unknown>)[k];
    const m = each(v);
    if (m !== v) (copy ??= { ...value })[k] = m;
  }
  return copy ?? value;
}

/** A class instance's methods (as handles) and getters (their current values), up its prototype chain. */
function instanceFace(instance: object, proto: object | null, callbacks: Callbacks): Record<string, unknown> {
  const face: Record<string, unknown> = {};
  for (let p = proto; p && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const [name, d] of Object.entries(Object.getOwnPropertyDescriptors(p))) {
      if (name === 'constructor' || name in face) continue;
      if (typeof d.value === 'function') face[name] = marshal((d.value as (...a: unknown[]) => unknown).bind(instance), callbacks);
      else if (d.get) face[name] = marshal((instance as Record<string, unknown>)[name], callbacks);
    }
  }
  return face;
}

/** The worker's side: handles become functions that call the main thread and wait for its answer. */
export function unmarshal(value: unknown, callMain: (request: CallbackRequest) => unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value)) return asBuffer(value);
  if (clonedAsIs(value)) return value;
  if (Array.isArray(value)) return copyOnChange(value, (v) => unmarshal(v, callMain));
  const record = value as Record<string, unknown>;
  if (typeof record[FN] === 'number') {
    const fn = record[FN];
    return (...args: unknown[]) => callMain({ fn, args });
  }
  if (record[OBJ] !== undefined) return unmarshal(record[OBJ], callMain);
  return copyOnChange(record, (v) => unmarshal(v, callMain));
}

/**
 * The worker's synchronous call to the main thread: posts the request, then sleeps on `signal`
 * until the main thread has posted the answer on the same port (answerCallback).
 */
export function blockingCaller(port: MessagePort, signal: Int32Array): (request: CallbackRequest) => unknown {
  return (request) => {
    Atomics.store(signal, 0, 0);
    port.postMessage(request);
    for (;;) {
      const got = receiveMessageOnPort(port);
      if (got) {
        const answer = got.message as CallbackAnswer;
        if (answer.ok) return answer.value;
        throw new Error(answer.message);
      }
      Atomics.wait(signal, 0, 0, 1000);
      Atomics.store(signal, 0, 0);
    }
  };
}

/** The main thread's answer to one callback request; wakes the waiting worker. */
export function answerCallback(port: MessagePort, signal: Int32Array, callbacks: Callbacks, request: CallbackRequest): void {
  let answer: CallbackAnswer;
  try {
    const fn = callbacks.get(request.fn);
    if (!fn) throw new Error('the call this function belonged to has ended');
    answer = { ok: true, value: marshal(fn(...request.args), new Map()) };
  } catch (err) {
    answer = { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(answer);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
}

/** A Buffer arrives as a plain Uint8Array: the store's callers and SQLite's bindings want a Buffer again. */
function asBuffer(view: ArrayBufferView): ArrayBufferView {
  return view instanceof Uint8Array && !Buffer.isBuffer(view) ? Buffer.from(view.buffer, view.byteOffset, view.byteLength) : view;
}

/** A result from the worker with its Buffers made Buffers again (main thread). */
export function revive(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value)) return asBuffer(value);
  if (Array.isArray(value)) return value.map(revive);
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, revive(v)]));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  for (const [k, v] of Object.entries(value)) (value as Record<string, unknown>)[k] = revive(v);
  return value;
}
