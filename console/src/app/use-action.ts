// A form's one async action at a time: busy while it runs, its error in plain words when it fails.
import { useCallback, useState } from 'preact/hooks';
import { errorMessage } from '../api/errors.js';

export interface Action {
  busy: boolean;
  /** The last failure's message (errors.ts wording), cleared when the next run starts. */
  error: string | null;
  /** Runs `fn` with busy set; resolves true when it succeeded, false when it threw (error set). */
  run: (fn: () => Promise<void>) => Promise<boolean>;
}

/** The hook's core without Preact, so node:test can check it. */
export async function runAction(
  fn: () => Promise<void>,
  setBusy: (busy: boolean) => void,
  setError: (error: string | null) => void,
): Promise<boolean> {
  setBusy(true);
  setError(null);
  try {
    await fn();
    return true;
  } catch (err) {
    setError(errorMessage(err));
    return false;
  } finally {
    setBusy(false);
  }
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback((fn: () => Promise<void>) => runAction(fn, setBusy, setError), []);
  return { busy, error, run };
}
