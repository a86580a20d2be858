import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

// Each page fetches its data in one loader (its `*.data.ts`); this runs it and keeps only the
// answer of the latest run, so a slow earlier answer never replaces a newer one.

export type Loaded<T> = { state: 'loading' } | { state: 'error'; error: unknown } | { state: 'ready'; data: T };

/**
 * Runs `load` when `deps` change (showing the loading state) and on `reload()` (keeping what is on
 * screen until the new answer arrives, so a refresh after an action does not flicker).
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): [Loaded<T>, () => void] {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  const [run, setRun] = useState(0);
  const refreshing = useRef(false);
  useEffect(() => {
    let latest = true;
    if (!refreshing.current) setResult({ state: 'loading' });
    refreshing.current = false;
    load().then(
      (data) => latest && setResult({ state: 'ready', data }),
      (error: unknown) => latest && setResult({ state: 'error', error }),
    );
    return () => {
      latest = false;
    };
  }, [...deps, run]);
  const reload = useCallback(() => {
    refreshing.current = true;
    setRun((n) => n + 1);
  }, []);
  return [result, reload];
}
