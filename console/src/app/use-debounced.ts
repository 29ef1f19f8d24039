import { useEffect, useState } from 'preact/hooks';

/** The value, once it has stopped changing for `ms` (search boxes query as you type, not per key). */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/**
 * A list page's search box whose search lives in the address: the typed text, and `apply` called
 * with it (trimmed) once typing pauses and it differs from `current`, the search the address holds.
 */
export function useSearchBox(current: string, apply: (q: string) => void): [text: string, setText: (text: string) => void] {
  const [text, setText] = useState(current);
  const settled = useDebounced(text, 250);
  useEffect(() => {
    if (settled.trim() !== current) apply(settled.trim());
    // Only the typed text drives this; the rest of the view comes from the address.
  }, [settled]);
  return [text, setText];
}
