import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react';

export type Loadable<T> =
  | { state: 'loading'; data: null; error: null }
  | { state: 'ready'; data: T; error: null }
  | { state: 'error'; data: null; error: Error };

/** Runs `load` on mount and when `deps` change; aborts stale requests. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList): Loadable<T> & { reload(): void } {
  const [value, setValue] = useState<Loadable<T>>({ state: 'loading', data: null, error: null });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const ac = new AbortController();
    setValue((v) => (v.state === 'loading' ? v : { state: 'loading', data: null, error: null }));
    loadRef
      .current(ac.signal)
      .then((data) => {
        if (!ac.signal.aborted) setValue({ state: 'ready', data, error: null });
      })
      .catch((error: unknown) => {
        if (!ac.signal.aborted) setValue({ state: 'error', data: null, error: error as Error });
      });
    return () => ac.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...value, reload };
}

/** Sets the document title for a page. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · ShowMeTheStock`;
  }, [title]);
}
