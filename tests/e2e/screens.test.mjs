// End-to-end: the screens of the 办理 and 起草 views in the real 公文通 window — the 稿纸 tab of
// the print preview, 打印 without a printer, 导出PDF, the directory pickers, the queue filters,
// the 已阅 page and the draft editor's lint and navigation. Run by scripts/e2e.sh after
// app.test.mjs, on the same seeded data folder (see that file for the environment).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { Key, remote } from "webdriverio";

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
  exportDir = mkdtempSync(path.join(os.tmpdir(), "gongwen-export-"));
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

async function textOf(selector) {
  return browser.execute((s) => document.querySelector(s)?.textContent ?? "", selector);
}

async function bodyText() {
  return browser.execute(() => document.body.textContent ?? "");
}

async function waitForBody(predicate, what) {
  let text = "";
  await browser.waitUntil(
    async () => {
      text = await bodyText();
      return predicate(text);
    },
    { timeout: UI_WAIT_MS, timeoutMsg: what },
  );
  return text;
}

/** Waits until the print preview has drawn every page of what it shows now. */
async function waitForPreview(what) {
  const pages = await browser.$('[data-testid="preview-pages"]');
  await browser.waitUntil(
    async () =>
      (await pages.getAttribute("data-render")) === "done" && (await browser.$$("canvas.gw-preview-canvas")).length > 0,
    { timeout: UI_WAIT_MS, timeoutMsg: `${what}: the preview did not finish drawing` },
  );
}

/**
 * Waits until no finite animation runs: Ant Design's dialogs, drawers and drop-downs zoom,
 * fade and slide in and out, and a WebDriver click during that lands on the moving mask
 * ("element click intercepted"). Endless ones (spinners, skeletons) do not count.
 */
async function settle(what) {
  await browser.waitUntil(
    async () =>
      browser.execute(
        () =>
          document
            .getAnimations()
            .filter((a) => a.playState === "running" && a.effect?.getTiming().iterations !== Infinity).length === 0,
      ),
    { timeout: UI_WAIT_MS, timeoutMsg: `${what}: animations did not finish` },
  );
}

/** Clicks the element's centre through JavaScript (WebKitWebDriver misses some Ant Design targets). */
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

let taskId = "";
let taskTitle = "";

test("the 办理 view previews the 发文稿纸 with the flow's opinions", async () => {
  const first = await browser.$('[data-testid="queue-row"] [data-testid="queue-title"]');
  await first.waitForDisplayed({ timeout: UI_WAIT_MS });
  taskTitle = (await textOf('[data-testid="queue-row"] [data-testid="queue-title"]')).trim();
  await first.click();
  await browser.waitUntil(async () => (await textOf('[data-testid="task-title"]')).trim() === taskTitle, {
    timeout: UI_WAIT_MS,
    timeoutMsg: "the task did not open",
  });
  taskId = await browser.execute(() => document.querySelector("[data-task-id]")?.getAttribute("data-task-id") ?? "");
  assert.ok(taskId, "the task view names its task");
  await waitForPreview("正文");

  const tabs = await textOf('[data-testid="preview-tabs"]');
  assert.match(tabs, /正文/);
  assert.match(tabs, /发文稿纸/);
  await (await browser.$('[data-testid="preview-tabs"] label:nth-child(2)')).click();
  // The preview redraws with the form.
  await browser.waitUntil(async () => (await browser.$('[data-testid="preview-pages"]').getAttribute("data-render")) !== "done", {
    timeout: 5_000,
  }).catch(() => {});
  await waitForPreview("发文稿纸");
  screenshot("task-sheet.png");
});

test("导出PDF writes the form with its title and the drafter", async () => {
  const sheetPath = path.join(exportDir, "发文稿纸");
  const sheet = await invoke("export_pdf", { job: { form: "draftSheet", taskId }, path: sheetPath });
  assert.ok(sheet.ok, `export_pdf failed: ${JSON.stringify(sheet.error)}`);
  assert.equal(sheet.value.path, `${sheetPath}.pdf`);
  assert.ok(existsSync(sheet.value.path));
  const sheetText = execFileSync("pdftotext", [sheet.value.path, "-"], { encoding: "utf8" }).replace(/\s+/g, "");
  assert.ok(sheetText.includes("发文稿纸"), `the form lacks its title: ${sheetText.slice(0, 200)}`);
  assert.ok(sheetText.includes("李明"), `the form lacks the drafter: ${sheetText.slice(0, 300)}`);

  assert.equal(readFileSync(sheet.value.path).subarray(0, 4).toString(), "%PDF");
});

test("打印 without a printer says so in Chinese and offers 导出PDF", async () => {
  await jsClick('[data-testid="print"]');
  await waitForBody((t) => t.includes("打印份数") || t.includes("份数"), "the print dialog did not open");
  const ok = await browser.$(".ant-modal-footer .ant-btn-primary");
  await ok.waitForClickable({ timeout: UI_WAIT_MS });
  await settle("the print dialog opening");
  await ok.click();
  const error = await browser.$('[data-testid="print-error"]');
  await error.waitForDisplayed({ timeout: UI_WAIT_MS });
  const message = await error.getText();
  assert.match(message, /打印机|CUPS/, message);
  assert.match(message, /导出PDF/, message);
  screenshot("print-error.png");
  await browser.keys([Key.Escape]);
  await browser.waitUntil(async () => !(await error.isExisting()), { timeout: UI_WAIT_MS, timeoutMsg: "the print dialog did not close" });
  await settle("the print dialog closing");
});

test("转办 picks the person from the directory by pinyin initials", async () => {
  // Ant Design spaces two-character labels ("转 办"): find the button by its letters.
  const clicked = await browser.execute(() => {
    const button = [...document.querySelectorAll(".gw-task-actions button")].find((b) => b.textContent.replace(/\s/g, "") === "转办");
    button?.click();
    return Boolean(button);
  });
  assert.ok(clicked, "the task offers no 转办");
  const picker = await browser.$('.ant-modal [data-testid="person-picker"] input');
  await picker.waitForDisplayed({ timeout: UI_WAIT_MS });
  await picker.click();
  await picker.setValue("ww");
  await browser.waitUntil(
    async () => {
      const names = await browser.execute(() => [...document.querySelectorAll('[data-testid="person-option"]')].map((o) => o.textContent));
      return names.length === 1 && names[0].startsWith("王五");
    },
    { timeout: UI_WAIT_MS, timeoutMsg: "typing ww did not narrow the directory to 王五" },
  );
  screenshot("person-picker.png");
  await browser.keys([Key.Escape]);
  await jsClick(".ant-modal-footer .ant-btn:not(.ant-btn-primary)");
  await browser.waitUntil(
    async () =>
      browser.execute(() => [...document.querySelectorAll(".ant-modal-wrap")].every((w) => getComputedStyle(w).display === "none")),
    { timeout: UI_WAIT_MS, timeoutMsg: "the 转办 dialog did not close" },
  );
  await settle("the 转办 dialog closing");
});

test("the queue filters narrow 待办 and say when nothing matches; 已阅 has its own page", async () => {
  await (await browser.$('[data-testid="nav-todo"]')).click();
  await (await browser.$('[data-testid="queue-row"]')).waitForDisplayed({ timeout: UI_WAIT_MS });
  const before = (await browser.$$('[data-testid="queue-row"]')).length;
  assert.ok(before >= 1);

  // 文种: no seeded 请示.
  const docType = await browser.$('[aria-label="按文种筛选"]');
  await docType.click();
  const option = await browser.$('.ant-select-dropdown:not(.ant-select-dropdown-hidden) [title="请示"]');
  await option.waitForDisplayed({ timeout: UI_WAIT_MS });
  await settle("the 文种 drop-down opening");
  await option.click();
  await waitForBody((t) => t.includes("没有符合条件的公文"), "filtering by 请示 did not empty the list");
  await browser.keys([Key.Escape]);
  await settle("the 文种 drop-down closing");
  screenshot("queue-filtered.png");
  await jsClick('[data-testid="clear-filters"]');
  await browser.waitUntil(async () => (await browser.$$('[data-testid="queue-row"]')).length === before, {
    timeout: UI_WAIT_MS,
    timeoutMsg: "清除筛选 did not bring the rows back",
  });

  await (await browser.$('[data-testid="nav-read"]')).click();
  assert.equal(await (await browser.$('[data-testid="page-title"]')).getText(), "已阅");
  await waitForBody((t) => t.includes("暂无已阅公文"), "已阅 did not show its empty state");
  screenshot("read.png");
});

test("the editor highlights 草稿 and its lint follows the title as it is typed", async () => {
  await (await browser.$('[data-testid="nav-todo"]')).click();
  await (await browser.$('[data-testid="new-draft"]')).click();
  const title = await browser.$('[data-testid="field-title"]');
  await title.waitForDisplayed({ timeout: UI_WAIT_MS });
  const selected = await textOf(".ant-menu-item-selected");
  assert.ok(selected.includes("草稿"), `the navigation highlights ${selected} while the editor is open`);

  // A fresh draft has no title: the lint says so beside it …
  let missing = "";
  await browser.waitUntil(
    async () => {
      missing = (await textOf('[data-testid="lint-title"]')).trim();
      return missing.length > 0;
    },
    { timeout: UI_WAIT_MS, timeoutMsg: "no lint beside the empty title" },
  );
  await title.click();
  await title.setValue("鹤山市人民政府办公室关于做好寒潮天气防御工作的通知");
  await browser.waitUntil(async () => (await textOf('[data-testid="save-state"]')).startsWith("已保存"), {
    timeout: UI_WAIT_MS,
    timeoutMsg: "the editor never said 已保存",
  });
  // … and not once it was typed and saved.
  await browser.waitUntil(async () => !(await textOf('[data-testid="lint-title"]')).includes(missing), {
    timeout: UI_WAIT_MS,
    timeoutMsg: "the title's lint is stale after typing and saving",
  });
  await waitForPreview("the draft");
  screenshot("editor.png");
});
