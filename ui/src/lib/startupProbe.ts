import * as ipc from "./ipc";

/**
 * Startup milestones for the desktop benchmark (scripts/desktop-bench.sh, issue 8): when the
 * UI's script started, and when the 待办 list's first page was painted. Each is sent once per
 * launch; the app writes them down only when started with GONGWEN_STARTUP_PROBE.
 */
const sent = new Set<string>();

function now(): number {
  return performance.timeOrigin + performance.now();
}

function send(name: string, epochMs: number) {
  if (sent.has(name)) return;
  sent.add(name);
  // A probe never disturbs the app: outside the bench (or in tests) it may fail quietly.
  try {
    ipc.startupMark(name, epochMs).catch(() => {});
  } catch {
    // no bridge (unit tests)
  }
}

/**
 * The web view started loading the page (`navigation`), and the UI's bundle has been
 * loaded and evaluated (`script`; called first thing in main.tsx, after its imports).
 */
export function markScriptStart() {
  send("navigation", performance.timeOrigin);
  // What the page waited for before the bundle ran: the HTML, then each stylesheet and
  // script (when its last byte arrived; parsing follows).
  const page = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
  if (page) send("html-loaded", performance.timeOrigin + page.responseEnd);
  for (const entry of performance.getEntriesByType("resource") as PerformanceResourceTiming[]) {
    const kind = entry.name.endsWith(".css") ? "css" : entry.name.endsWith(".js") ? "js" : undefined;
    // index-EcSlKI6p.css → css-loaded:index (the build's hash dropped).
    const file = (entry.name.split("/").pop() ?? "").replace(/-[^-]*$/, "");
    if (kind) send(`${kind}-loaded:${file}`, performance.timeOrigin + entry.responseEnd);
  }
  send("script", now());
}

/**
 * The 待办 rows are in the DOM (React committed them): the browser paints them with the
 * next frame, so the moment is taken at the start of the frame after that one.
 */
export function markTodoPainted() {
  if (sent.has("todo-painted")) return;
  const committed = now();
  requestAnimationFrame(() => {
    const frame = now();
    requestAnimationFrame(() => {
      const painted = now();
      // The commands' milestones first: the bench stops the app once it reads `todo-painted`.
      const marks = ipc.takeStartupCalls();
      // React committed the rows; the next frame began (its style, layout and paint follow).
      marks.set("rows-committed", committed);
      marks.set("rows-frame", frame);
      void flush(marks).then(() => send("todo-painted", painted));
    });
  });
}

async function flush(marks: Map<string, number>) {
  for (const [name, at] of marks) {
    if (sent.has(name)) continue;
    sent.add(name);
    try {
      await ipc.startupMark(name, at);
    } catch {
      // outside the bench: nothing to write to
    }
  }
}
