import { lazy, type ComponentType } from "react";

/**
 * A component loaded on first use from its own chunk, so the start-up bundle holds only what
 * the 待办 list needs (issue 8: cold start to 待办 ≤ 1.5 s). `load` is kept so the chunk can be
 * fetched ahead of time, once the window is idle ({@link preloadWhenIdle}).
 */
export function lazyNamed<M extends { [P in K]: ComponentType<any> }, K extends keyof M & string>(
  load: () => Promise<M>,
  name: K,
) {
  const Component = lazy(async () => ({ default: (await load())[name] }));
  return Object.assign(Component, { preload: load });
}

/**
 * Fetches the given chunks after the first screen is drawn and the window has nothing else to
 * do, so the first 办理 or 起草 does not wait for its code. Failures are ignored: the page then
 * loads its chunk when it is opened, as usual.
 */
export function preloadWhenIdle(loaders: Array<() => Promise<unknown>>, delayMs = 1500) {
  const run = () => {
    for (const load of loaders) load().catch(() => {});
  };
  const timer = window.setTimeout(() => {
    if ("requestIdleCallback" in window) window.requestIdleCallback(run, { timeout: 5000 });
    else run();
  }, delayMs);
  return () => window.clearTimeout(timer);
}
