// The memory half of the desktop benchmark (scripts/desktop-bench.sh, issue 8): the real
// 公文通 window on the large seeded store, driven through tauri-driver + WebKitWebDriver.
// It opens GONGWEN_BENCH_OPEN documents from 待办 one after another (each: the 办理 view,
// its flow and the print preview drawn to the end, then back to 待办), and then sums the
// memory of the whole app: the gongwen-desktop process and every process under it (the
// WebKit web and network processes). WebKitWebDriver and tauri-driver are not counted.
//
// Prints one JSON line: { idle: {...}, opened: {...}, count } where each memory figure is
// { pssKb, rssKb, processes: [{ pid, name, pssKb, rssKb }] }, read from
// /proc/PID/smaps_rollup. PSS (proportional set size) shares each shared page among the
// processes that map it, so the sum over processes counts it once: that is the figure
// the benchmark reports. RSS counts shared pages (libraries, shared memory) once per
// process, so its sum overstates.
//
//   GONGWEN_E2E_APP, GONGWEN_E2E_DATA_DIR, GONGWEN_E2E_DRIVER_PORT: as for the e2e specs
//   GONGWEN_BENCH_OPEN: how many documents to open (default 20)
import { readFileSync, readdirSync, realpathSync } from "node:fs";
import { remote } from "webdriverio";

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; run this through scripts/desktop-bench.sh`);
  return value;
}

const application = required("GONGWEN_E2E_APP");
const dataDir = required("GONGWEN_E2E_DATA_DIR");
const port = Number.parseInt(process.env.GONGWEN_E2E_DRIVER_PORT ?? "4444", 10);
const toOpen = Number.parseInt(process.env.GONGWEN_BENCH_OPEN ?? "20", 10);
/** A hang guard for a loaded machine, not a speed target. */
const WAIT_MS = 120_000;

/** Every process: pid → { ppid, name }. */
function processTable() {
  const table = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid …; comm may hold spaces and parentheses.
      const close = stat.lastIndexOf(")");
      const name = stat.slice(stat.indexOf("(") + 1, close);
      const ppid = Number.parseInt(stat.slice(close + 2).split(" ")[1], 10);
      table.set(Number(entry), { ppid, name });
    } catch {
      // the process ended while we looked
    }
  }
  return table;
}

/** The app's own process: the one running our binary, started for this session. */
function appPid(table) {
  const wanted = realpathSync(application);
  const found = [];
  for (const pid of table.keys()) {
    try {
      if (realpathSync(`/proc/${pid}/exe`) === wanted) found.push(pid);
    } catch {
      // not ours to read, or gone
    }
  }
  if (found.length !== 1) throw new Error(`expected one ${wanted} process, found ${found.length}`);
  return found[0];
}

function smapsRollup(pid) {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const field = (name) => Number.parseInt(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? "0", 10);
  return { pssKb: field("Pss"), rssKb: field("Rss") };
}

/** The app process and all its descendants, with their memory. */
function appMemory() {
  const table = processTable();
  const root = appPid(table);
  const members = [root];
  for (let i = 0; i < members.length; i++) {
    for (const [pid, info] of table) if (info.ppid === members[i]) members.push(pid);
  }
  const processes = members.map((pid) => ({ pid, name: table.get(pid).name, ...smapsRollup(pid) }));
  return {
    pssKb: processes.reduce((sum, p) => sum + p.pssKb, 0),
    rssKb: processes.reduce((sum, p) => sum + p.rssKb, 0),
    processes,
  };
}

const browser = await remote({
  hostname: "127.0.0.1",
  port,
  logLevel: "warn",
  connectionRetryCount: 0,
  capabilities: {
    "wdio:enforceWebDriverClassic": true,
    "tauri:options": { application, args: ["--data-dir", dataDir] },
  },
});

try {
  const rowTitles = '[data-testid="queue-row"] [data-testid="queue-title"]';
  const waitForRows = () =>
    browser.waitUntil(async () => (await browser.$$(rowTitles)).length >= toOpen, {
      timeout: WAIT_MS,
      timeoutMsg: `待办 never listed ${toOpen} rows`,
    });
  await waitForRows();
  // Let the start settle (the count badge, the first poll) before the idle figure.
  await browser.pause(2_000);
  const idle = appMemory();

  for (let i = 0; i < toOpen; i++) {
    const title = await browser.execute(
      (s, n) => document.querySelectorAll(s)[n]?.textContent?.trim() ?? "",
      rowTitles,
      i,
    );
    const cell = (await browser.$$(rowTitles))[i];
    await cell.scrollIntoView();
    await cell.click();
    await browser.waitUntil(
      async () =>
        (await browser.execute(() => document.querySelector('[data-testid="task-title"]')?.textContent?.trim() ?? "")) ===
        title,
      { timeout: WAIT_MS, timeoutMsg: `document ${i + 1} (${title}) did not open` },
    );
    await browser.waitUntil(
      async () =>
        browser.execute(
          () =>
            document.querySelector('[data-testid="preview-pages"]')?.getAttribute("data-render") === "done" &&
            document.querySelectorAll("canvas.gw-preview-canvas").length > 0,
        ),
      { timeout: WAIT_MS, timeoutMsg: `document ${i + 1}: the print preview did not finish drawing` },
    );
    await (await browser.$('[data-testid="nav-todo"]')).click();
    await waitForRows();
  }
  await browser.pause(2_000);
  const opened = appMemory();
  console.log(JSON.stringify({ count: toOpen, idle, opened }));
} finally {
  await browser.deleteSession();
}
