import { LIST_PAGE_SIZE } from "../components/DocList";
import * as ipc from "./ipc";

/**
 * What the first screen needs from the store, asked as soon as the script runs, so the
 * answers are ready while React is still drawing the window (issue 8: the queue opens at
 * once on launch): the setup status, the settings and 待办's first page. Each answer is
 * taken once, by the code that would otherwise have asked; a failed early answer (a store
 * not open yet: first run, locked) is asked again then.
 */
const early = new Map<string, Promise<unknown>>();

function remember(key: string, answer: Promise<unknown>) {
  answer.catch(() => {});
  early.set(key, answer);
}

function take<T>(key: string, ask: () => Promise<T>): Promise<T> {
  const answer = early.get(key) as Promise<T> | undefined;
  if (!answer) return ask();
  early.delete(key);
  return answer.catch(ask);
}

/** Called first thing by main.tsx. */
export function askEarly() {
  remember("setup", ipc.setupStatus());
  remember("settings", ipc.getSettings());
  remember("todo", ipc.queue("todo", {}, 0, LIST_PAGE_SIZE));
}

/**
 * Drops what was asked early and not taken: the first screen is not the queue (first-run
 * setup), and by the time the queue shows, what it holds may have changed (a login syncs).
 */
export function forget() {
  early.clear();
}

/** The setup status: the early answer the first time, then asked. */
export function setupStatus(): Promise<ipc.SetupStatus> {
  return take("setup", ipc.setupStatus);
}

/** The settings: the early answer the first time, then asked. */
export function settings(): Promise<ipc.Settings> {
  return take("settings", ipc.getSettings);
}

/**
 * A queue page: the early answer when the list asks exactly what was asked early (待办,
 * first page, no filter) and it was not taken yet; else asked.
 */
export function queuePage(name: ipc.QueueName, query: ipc.QueueQuery, offset: number, limit: number): Promise<ipc.QueuePage> {
  const ask = () => ipc.queue(name, query, offset, limit);
  const unfiltered = Object.values(query).every((v) => v === undefined || v === null || v === "");
  if (name !== "todo" || offset !== 0 || limit !== LIST_PAGE_SIZE || !unfiltered) return ask();
  return take("todo", ask);
}
