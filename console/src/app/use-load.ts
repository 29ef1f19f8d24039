// Loads data for a page: cancelled when the inputs change or the page goes away, reloadable on demand.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

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
