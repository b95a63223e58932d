import { useCallback, useEffect, useRef, useState } from "react";

/** Save this long after the last keystroke … */
export const AUTOSAVE_DEBOUNCE_MS = 900;
/** … but never leave an edit unsaved longer than this, even while typing on (the 2-second promise). */
export const AUTOSAVE_MAX_WAIT_MS = 1800;

export type SaveState =
  | { kind: "clean" }
  | { kind: "dirty" }
  | { kind: "saving" }
  | { kind: "saved"; at: Date }
  | { kind: "error"; message: string };

export interface Autosave<T> {
  state: SaveState;
  /** Records a change; a save follows on the debounce. */
  changed: (value: T) => void;
  /** Saves now if anything is unsaved (blur, Ctrl+S, leaving the page); false when the save failed. */
  flush: () => Promise<boolean>;
}

/**
 * Never lose a keystroke: every change is saved within {@link AUTOSAVE_MAX_WAIT_MS}, saves run
 * one at a time in order, and a change made while a save runs is saved right after it.
 * `save` receives the newest value; a failure keeps the value unsaved and says why.
 */
export function useAutosave<T>(save: (value: T) => Promise<void>): Autosave<T> {
  const [state, setState] = useState<SaveState>({ kind: "clean" });
  const latest = useRef<{ value: T } | null>(null);
  const running = useRef<Promise<void> | null>(null);
  const debounce = useRef<number | undefined>(undefined);
  const maxWait = useRef<number | undefined>(undefined);
  const saveRef = useRef(save);
  saveRef.current = save;

  const clearTimers = () => {
    window.clearTimeout(debounce.current);
    window.clearTimeout(maxWait.current);
    debounce.current = undefined;
    maxWait.current = undefined;
  };

  const flush = useCallback(async (): Promise<boolean> => {
    clearTimers();
    while (running.current) {
      await running.current;
    }
    const pending = latest.current;
    if (!pending) return true;
    latest.current = null;
    setState({ kind: "saving" });
    let failed = false;
    const run = saveRef
      .current(pending.value)
      .then(() => {
        if (!latest.current) setState({ kind: "saved", at: new Date() });
      })
      .catch((error: unknown) => {
        // Keep the unsaved value (unless a newer one arrived) so the next flush retries it.
        failed = true;
        latest.current ??= pending;
        setState({ kind: "error", message: error instanceof Error ? error.message : String(error) });
      });
    running.current = run;
    await run;
    if (running.current === run) running.current = null;
    // A change made during the save is saved right after it; a failure waits for the next
    // change, blur or Ctrl+S instead of retrying in a loop.
    if (latest.current && !failed) return flush();
    return !failed;
  }, []);

  const changed = useCallback(
    (value: T) => {
      latest.current = { value };
      setState((s) => (s.kind === "saving" ? s : { kind: "dirty" }));
      window.clearTimeout(debounce.current);
      debounce.current = window.setTimeout(() => void flush(), AUTOSAVE_DEBOUNCE_MS);
      if (maxWait.current === undefined) {
        maxWait.current = window.setTimeout(() => void flush(), AUTOSAVE_MAX_WAIT_MS);
      }
    },
    [flush],
  );

  // Leaving the editor saves what is left.
  useEffect(
    () => () => {
      if (latest.current) void flush();
    },
    [flush],
  );

  return { state, changed, flush };
}
