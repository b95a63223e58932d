// End-to-end: the 发文登记簿 in the real 公文通 window. The seed (tests/e2e/seed) registered
// two 发文 three weeks ago: 鹤府办〔this year〕15号, printed and sent, with a 回执 from one of
// its four recipient organs, and 16号, waiting at 印制. The register lists them newest number
// first; the sent one opens read-only as it prints, with its 文号 on the page, its 回执 and its
// flow, and 导出PDF writes it with the 文号. Run by scripts/e2e.sh on the seeded data folder
// (see app.test.mjs for the environment).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { remote } from "webdriverio";

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; run this test through scripts/e2e.sh`);
  return value;
}

const application = required("GONGWEN_E2E_APP");
const dataDir = required("GONGWEN_E2E_DATA_DIR");
const artifacts = process.env.GONGWEN_E2E_ARTIFACTS ?? "artifacts/e2e";
const port = Number.parseInt(process.env.GONGWEN_E2E_DRIVER_PORT ?? "4444", 10);

/** How long the UI may take to answer (slow CI machines); a hang guard, not a speed target. */
const UI_WAIT_MS = 60_000;

/** The seed numbers its 发文 in the current year, China time. */
const YEAR = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
const SENT_NUMBER = `鹤府办〔${YEAR}〕15号`;
const PRINTING_NUMBER = `鹤府办〔${YEAR}〕16号`;
const SENT_TITLE = "鹤山市人民政府办公室关于做好2026年冬季安全生产工作的通知";

let browser;
let exportDir;

/** Saves the whole X screen (see app.test.mjs for why not WebDriver's screenshot). */
function screenshot(name) {
  try {
    execFileSync("import", ["-window", "root", path.join(artifacts, name)]);
  } catch (error) {
    console.error(`screenshot ${name} failed: ${error.message}`);
  }
}

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  exportDir = mkdtempSync(path.join(os.tmpdir(), "gongwen-outgoing-"));
  browser = await remote({
    hostname: "127.0.0.1",
    port,
    logLevel: "warn",
    connectionRetryCount: 0,
    capabilities: {
      "wdio:enforceWebDriverClassic": true,
      "tauri:options": { application, args: ["--data-dir", dataDir] },
    },
  });
});

after(async () => {
  if (exportDir) rmSync(exportDir, { recursive: true, force: true });
  if (!browser) return;
  await browser.deleteSession();
});

/** Text content (WebDriver's getText answers "" for cells cut with an ellipsis under WebKit). */
async function textOf(selector) {
  return browser.execute((s) => document.querySelector(s)?.textContent ?? "", selector);
}

async function textsOf(selector) {
  return browser.execute((s) => [...document.querySelectorAll(s)].map((e) => e.textContent ?? ""), selector);
}

async function waitFor(predicate, what) {
  await browser.waitUntil(predicate, { timeout: UI_WAIT_MS, timeoutMsg: what });
}

/** Clicks through JavaScript (WebKitWebDriver misses some Ant Design targets). */
async function jsClick(selector) {
  const found = await browser.execute((s) => {
    const el = document.querySelector(s);
    if (!el) return false;
    el.click();
    return true;
  }, selector);
  assert.ok(found, `nothing matches ${selector}`);
}

/** Calls a command of the app the way the UI does; a refusal comes back as `{ ok: false, error }`. */
async function invoke(cmd, args) {
  return browser.execute(
    async (c, a) => {
      try {
        return { ok: true, value: await window.__TAURI_INTERNALS__.invoke(c, a) };
      } catch (e) {
        return { ok: false, error: { code: e?.code ?? "", message: e?.message ?? String(e) } };
      }
    },
    cmd,
    args,
  );
}

let sentDocumentId = "";

test("发文 lists this year's registered documents, newest 文号 first, with 核发 and 回执", async () => {
  await (await browser.$('[data-testid="nav-outgoing"]')).waitForDisplayed({ timeout: UI_WAIT_MS });
  await jsClick('[data-testid="nav-outgoing"]');
  await waitFor(async () => (await textOf('[data-testid="page-title"]')) === "发文", "the 发文 page did not open");
  await waitFor(async () => (await browser.$$('[data-testid="outgoing-row"]')).length === 2, "the register does not list the two seeded 发文");
  const numbers = await textsOf('[data-testid="outgoing-row"] [data-testid="outgoing-number"]');
  assert.deepEqual(numbers, [PRINTING_NUMBER, SENT_NUMBER], "newest number first");
  const states = await textsOf('[data-testid="outgoing-row"] [data-testid="outgoing-state"]');
  assert.equal(states[0], "待印制");
  assert.match(states[1], /^已核发 /);
  assert.equal(await textOf('[data-testid="outgoing-row"] [data-testid="outgoing-receipts"]'), "1/4 已签收");
  const rows = await textsOf('[data-testid="outgoing-row"]');
  assert.ok(rows[1].includes(SENT_TITLE), `the sent row lacks its title: ${rows[1]}`);
  assert.ok(rows[1].includes("赵六"), `the sent row lacks its 签发人: ${rows[1]}`);
  assert.ok(rows[1].includes("各镇人民政府、市政府各部门"), `the sent row lacks its 主送: ${rows[1]}`);
  assert.match(await textOf(".gw-queue-filters"), /共 2 件/);
  sentDocumentId = await browser.execute(() => document.querySelectorAll('[data-testid="outgoing-row"]')[1]?.getAttribute("data-document-id") ?? "");
  assert.ok(sentDocumentId, "rows name their document");
  screenshot("outgoing-list.png");
});

test("the 文号 search finds a document typed with square brackets; the order turns round", async () => {
  // The test id lands on the input or on its wrapper, depending on the Ant Design version.
  const box = await browser.$('input[data-testid="outgoing-search"], [data-testid="outgoing-search"] input');
  await box.click();
  await box.setValue(`鹤府办[${YEAR}]15号`);
  await browser.keys(["Enter"]);
  await waitFor(async () => (await browser.$$('[data-testid="outgoing-row"]')).length === 1, "the search did not narrow the register to one 发文");
  assert.equal(await textOf('[data-testid="outgoing-row"] [data-testid="outgoing-number"]'), SENT_NUMBER);
  await jsClick('[data-testid="clear-filters"]');
  await waitFor(async () => (await browser.$$('[data-testid="outgoing-row"]')).length === 2, "清除筛选 did not bring both back");
  await jsClick('[data-testid="sort-number"]');
  await waitFor(
    async () => (await textsOf('[data-testid="outgoing-row"] [data-testid="outgoing-number"]'))[0] === SENT_NUMBER,
    "the oldest number did not come first",
  );
  await jsClick('[data-testid="sort-number"]');
  await waitFor(
    async () => (await textsOf('[data-testid="outgoing-row"] [data-testid="outgoing-number"]'))[0] === PRINTING_NUMBER,
    "the newest number did not come first again",
  );
});

test("a 发文 opens as it prints, with its 文号, 回执 and flow", async () => {
  const title = await browser.$(`[data-testid="outgoing-row"][data-document-id="${sentDocumentId}"] [data-testid="outgoing-title"]`);
  await title.scrollIntoView();
  await title.click();
  await waitFor(async () => (await textOf('[data-testid="outgoing-detail-title"]')).trim() === SENT_TITLE, "the 发文 did not open");
  assert.equal(await textOf('[data-testid="outgoing-detail"] [data-testid="outgoing-number"]'), SENT_NUMBER);
  const recipients = await browser.execute(() =>
    [...document.querySelectorAll('[data-testid="outgoing-recipient"]')].map((r) => [r.textContent, r.getAttribute("data-state")]),
  );
  assert.equal(recipients.length, 4, JSON.stringify(recipients));
  assert.deepEqual(
    recipients.filter(([, state]) => state === "signed").map(([text]) => text),
    ["各镇人民政府已签收 · 黄秘书"],
  );
  assert.equal(await textOf('[data-testid="outgoing-receipt-progress"]'), "已签收 1/4");
  const handlers = await textsOf('[data-testid="flow-handler"]');
  assert.ok(handlers.some((h) => h.startsWith("赵六 同意")), `the flow lacks the 签发: ${handlers}`);
  assert.ok(handlers.some((h) => h.startsWith("孙八 同意")), `the flow lacks 登记 and 核发: ${handlers}`);
  const pages = await browser.$('[data-testid="preview-pages"]');
  await waitFor(
    async () => (await pages.getAttribute("data-render")) === "done" && (await browser.$$("canvas.gw-preview-canvas")).length > 0,
    "the print preview did not finish drawing",
  );
  assert.ok(await (await browser.$('[data-testid="print"]')).isExisting(), "no 打印 in the preview's toolbar");
  screenshot("outgoing-detail.png");
});

test("the document as it prints carries its 文号 (导出PDF)", async () => {
  const detail = await invoke("outgoing_detail", { documentId: sentDocumentId });
  assert.ok(detail.ok, `outgoing_detail failed: ${JSON.stringify(detail.error)}`);
  assert.equal(detail.value.row.docNumber, SENT_NUMBER);
  const target = path.join(exportDir, "发文");
  const exported = await invoke("export_pdf", { job: { form: "document", document: detail.value.document }, path: target });
  assert.ok(exported.ok, `export_pdf failed: ${JSON.stringify(exported.error)}`);
  assert.ok(existsSync(exported.value.path));
  const text = execFileSync("pdftotext", [exported.value.path, "-"], { encoding: "utf8" }).replace(/\s+/g, "");
  assert.ok(text.includes(SENT_NUMBER), `the printed document lacks its 文号: ${text.slice(0, 300)}`);
  assert.ok(text.includes("冬季安全生产工作"), `the printed document lacks its title: ${text.slice(0, 300)}`);

  await jsClick('[data-testid="outgoing-back"]');
  await waitFor(async () => (await browser.$$('[data-testid="outgoing-row"]')).length === 2, "back did not return to the register");
});
