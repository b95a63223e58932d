import { useCallback, useEffect, useRef, useState } from "react";
import { CommandError } from "./ipc";

export interface Polled<T> {
  /** The last value that loaded; kept while a refresh is under way or after it fails. */
  data: T | undefined;
  /** The error of the last attempt, cleared by the next success. */
  error: CommandError | undefined;
  loading: boolean;
  refresh: () => void;
}

/**
 * Loads `fetcher` now, again every `intervalMs`, and whenever the window regains focus.
 * The local store answers in microseconds, so polling it is cheap and keeps the
 * navigation counts and the status bar honest without a push channel.
 */
export function usePolled<T>(fetcher: () => Promise<T>, intervalMs: number): Polled<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<CommandError>();
  const [loading, setLoading] = useState(true);
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  const generation = useRef(0);

  const refresh = useCallback(() => {
    const mine = ++generation.current;
    setLoading(true);
    fetcherRef
      .current()
      .then((value) => {
        if (mine !== generation.current) return;
        setData(value);
        setError(undefined);
      })
      .catch((raw: unknown) => {
        if (mine !== generation.current) return;
        setError(CommandError.from(raw));
      })
      .finally(() => {
        if (mine === generation.current) setLoading(false);
      });
  }, []);

  useEffect(() => {
    refresh();
    const timer = window.setInterval(refresh, intervalMs);
    window.addEventListener("focus", refresh);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener("focus", refresh);
      generation.current++;
    };
  }, [refresh, intervalMs]);

  return { data, error, loading, refresh };
}
