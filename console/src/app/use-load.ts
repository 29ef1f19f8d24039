// Loads data for a page: cancelled when the inputs change or the page goes away, reloadable on demand.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage } from '../api/errors.js';
import { announce } from './announce.js';

export interface Loaded<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  /** Fetch again; `quiet` keeps the current data on screen meanwhile (live refresh). */
  reload(quiet?: boolean): void;
  /** Replace the data locally (a live event told us what changed). */
  setData(update: (data: T) => T): void;
}

export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setDataState] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [version, setVersion] = useState(0);
  const quietRef = useRef(false);

  useEffect(() => {
    const controller = new AbortController();
    if (!quietRef.current) setLoading(true);
    quietRef.current = false;
    load(controller.signal).then(
      (value) => {
        if (controller.signal.aborted) return;
        setDataState(value);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (controller.signal.aborted) return;
        setError(err);
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [...deps, version]);

  const reload = useCallback((quiet = false) => {
    quietRef.current = quiet;
    setVersion((v) => v + 1);
  }, []);
  const setData = useCallback((update: (data: T) => T) => setDataState((d) => (d === null ? d : update(d))), []);
  return { data, error, loading, reload, setData };
}

/** A list the server pages with a `before` cursor, newest first. */
export interface CursorPage<I> {
  items: I[];
  nextBefore: number | null;
}

/**
 * "Load older" for a cursor-paged list: appends the page before `nextBefore` to what is loaded.
 * A failure is announced as `${failure}: <message>`.
 */
export function useLoadOlder<I, T extends CursorPage<I>>(
  list: Loaded<T>,
  fetchPage: (before: number) => Promise<CursorPage<I>>,
  failure: string,
) {
  const [busy, setBusy] = useState(false);
  async function loadOlder() {
    const before = list.data?.nextBefore;
    if (!before) return;
    setBusy(true);
    try {
      const page = await fetchPage(before);
      list.setData((current) => ({ ...current, items: [...current.items, ...page.items], nextBefore: page.nextBefore }));
    } catch (err) {
      announce(`${failure}: ${errorMessage(err)}`);
    } finally {
      setBusy(false);
    }
  }
  return { busy, loadOlder };
}
