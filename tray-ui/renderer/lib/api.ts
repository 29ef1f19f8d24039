// window.outpost, put there by the preload. Every call answers with a TrayResult; call() turns a
// failure into a thrown TrayFailure so a page can handle errors in one place.
import type { TrayApi, TrayError, TrayResult } from '../../../shared/tray-api.js';

declare global {
  interface Window {
    outpost: TrayApi;
  }
}

export class TrayFailure extends Error {
  constructor(readonly error: TrayError) {
    super(error.message);
    this.name = 'TrayFailure';
  }
}

export function api(): TrayApi {
  return window.outpost;
}

export async function call<T>(pending: Promise<TrayResult<T>>): Promise<T> {
  let result: TrayResult<T>;
  try {
    result = await pending;
  } catch {
    throw new TrayFailure({ code: 'E_INTERNAL', message: 'Outpost did not answer. Please try again.' });
  }
  if (!result.ok) throw new TrayFailure(result.error);
  return result.value;
}

export function errorMessage(err: unknown): string {
  return err instanceof TrayFailure ? err.message : 'Something went wrong. Please try again.';
}
