import { LIST_PAGE_SIZE as FIRST_PAGE } from "../components/DocList";
import * as ipc from "./ipc";

let early: Promise<ipc.QueuePage> | undefined;

/**
 * Asks the store for 待办's first page as soon as the script runs, so the answer is ready
 * while React is still drawing the window around it (issue 8: the queue opens at once on
 * launch). A store that is not open yet (first run, locked) answers with an error, which
 * is dropped: the list then asks again as usual.
 */
export function askTodoEarly() {
  early = ipc.queue("todo", {}, 0, FIRST_PAGE);
  early.catch(() => {});
}

/**
 * The early answer, once, when the list asks exactly what was asked early (待办, first page,
 * no filter); `undefined` otherwise. A failed early answer is asked again.
 */
export function takeEarlyPage(name: ipc.QueueName, query: ipc.QueueQuery, offset: number, limit: number) {
  const unfiltered = Object.values(query).every((v) => v === undefined || v === null || v === "");
  if (!early || name !== "todo" || offset !== 0 || limit !== FIRST_PAGE || !unfiltered) return undefined;
  const page = early;
  early = undefined;
  return page.catch(() => ipc.queue(name, query, offset, limit));
}
