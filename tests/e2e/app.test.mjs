// End-to-end: the real 公文通 binary in a real WebKitGTK window, driven through
// tauri-driver + WebKitWebDriver. Run by scripts/e2e.sh, which prepares the display,
// the keychain, a seeded data folder and tauri-driver, and passes them in here:
//
//   GONGWEN_E2E_APP         path to the built gongwen-desktop binary
//   GONGWEN_E2E_DATA_DIR    data folder seeded with a known number of 待办
//   GONGWEN_E2E_EXPECT_TODO that number (at least 2: one is approved here)
//   GONGWEN_E2E_ARTIFACTS   where screenshots go
//   GONGWEN_E2E_DRIVER_PORT tauri-driver's port (default 4444)
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
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
const expectedTodo = Number.parseInt(required("GONGWEN_E2E_EXPECT_TODO"), 10);
const artifacts = process.env.GONGWEN_E2E_ARTIFACTS ?? "artifacts/e2e";
const port = Number.parseInt(process.env.GONGWEN_E2E_DRIVER_PORT ?? "4444", 10);

/** How long the UI may take to show the first answer from the store (slow CI machines). */
const UI_WAIT_MS = 60_000;

let browser;

/**
 * Saves the whole X screen. WebDriver's own screenshot needs WebKit's GPU compositing,
 * which is off under Xvfb (see scripts/e2e.sh), so the X server is asked instead.
 */
function screenshot(name) {
  try {
    execFileSync("import", ["-window", "root", path.join(artifacts, name)]);
  } catch (error) {
    console.error(`screenshot ${name} failed: ${error.message}`);
  }
}

before(async () => {
  mkdirSync(artifacts, { recursive: true });
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
  if (!browser) return;
  screenshot("final.png");
  await browser.deleteSession();
});

test("the window is titled 公文通, with the 待办 count for the taskbar", async () => {
  // The page's title, as WebDriver sees it …
  assert.equal(await browser.getTitle(), "公文通");
  // … and the native window's, as the X server (and so the taskbar) sees it: Linux
  // desktops have no app badge, so the count of open 待办 is in the title.
  const expected = `"公文通（${expectedTodo} 件待办）"`;
  let tree = "";
  await browser.waitUntil(
    async () => {
      tree = execFileSync("xwininfo", ["-root", "-tree"], { encoding: "utf8" });
      return tree.includes(expected);
    },
    { timeout: UI_WAIT_MS, timeoutMsg: `no X window named ${expected}` },
  ).catch(() => {});
  assert.ok(tree.includes(expected), `no X window named ${expected}:\n${tree}`);
});

test("the 待办 count comes from the seeded local store", async () => {
  const badge = await browser.$('[data-testid="nav-count-todo"]');
  await badge.waitForDisplayed({ timeout: UI_WAIT_MS });
  // The badge animates its digits in; wait until it settles on a whole number.
  let shown = "";
  await browser.waitUntil(
    async () => {
      shown = (await badge.getText()).trim();
      return /^\d+$/.test(shown) && Number(shown) === expectedTodo;
    },
    { timeout: UI_WAIT_MS, timeoutMsg: `待办 badge did not settle on ${expectedTodo}` },
  ).catch(() => {});
  assert.equal(shown, String(expectedTodo), `待办 badge shows "${shown}", expected ${expectedTodo}`);
  screenshot("todo.png");
});

test("the main layout has the navigation, the 待办 page and the status bar", async () => {
  const nav = await browser.$('[aria-label="主导航"]');
  const navText = await nav.getText();
  for (const label of ["待办", "已办", "待阅", "草稿", "发文", "收文", "搜索", "设置"]) {
    assert.ok(navText.includes(label), `navigation lacks ${label}: ${navText}`);
  }
  assert.equal(await (await browser.$('[data-testid="page-title"]')).getText(), "待办");
  const connection = await (await browser.$('[data-testid="connection"]')).getText();
  assert.match(connection, /^(● 在线|○ 离线)$/);
  const pending = await browser.$('[data-testid="pending"]');
  await browser.waitUntil(async () => /^待同步 \d+$/.test(await pending.getText()), {
    timeout: UI_WAIT_MS,
    timeoutMsg: "the status bar never showed 待同步 N",
  });
});

/**
 * The text content of the first element matching `selector`. WebDriver's getText answers ""
 * for cells cut with an ellipsis under WebKit, so table text is read from the DOM.
 */
async function textOf(selector) {
  return browser.execute((s) => document.querySelector(s)?.textContent ?? "", selector);
}

/** Waits until `selector` matches `count` elements, and returns them. */
async function waitForAll(selector, count, what) {
  let found = [];
  await browser.waitUntil(
    async () => {
      found = await browser.$$(selector);
      return found.length === count;
    },
    { timeout: UI_WAIT_MS, timeoutMsg: `expected ${count} ${what}, found ${found.length}` },
  );
  return found;
}

async function waitForText(selector, predicate, what) {
  const element = await browser.$(selector);
  let text = "";
  await browser.waitUntil(
    async () => {
      if (!(await element.isExisting())) return false;
      text = (await element.getText()).trim();
      return predicate(text);
    },
    { timeout: UI_WAIT_MS, timeoutMsg: `${what}: last text was "${text}"` },
  );
  return text;
}

let approvedTitle = "";

test("待办 lists the seeded tasks; one opens in the 办理 view with its flow and preview", async () => {
  await waitForAll('[data-testid="queue-row"]', expectedTodo, "待办 rows");
  approvedTitle = (await textOf('[data-testid="queue-row"] [data-testid="queue-title"]')).trim();
  assert.ok(approvedTitle.startsWith("鹤山市人民政府办公室关于"), `unexpected first row: ${approvedTitle}`);
  // The first row is the overdue one (sorted first), its 办理时限 in words.
  assert.match(await textOf('[data-testid="queue-row"]'), /超期\d+天|已超期/);
  screenshot("todo-list.png");

  // Open it by clicking its title (WebKitWebDriver does not click table rows themselves).
  const firstTitle = await browser.$('[data-testid="queue-row"] [data-testid="queue-title"]');
  await firstTitle.scrollIntoView();
  await firstTitle.click();
  const title = await waitForText('[data-testid="task-title"]', (t) => t.length > 0, "the task view never showed its title");
  assert.equal(title, approvedTitle);
  assert.match(await (await browser.$('[data-testid="page-title"]')).getText(), /^待办 · 办理$/);
  const handlers = await browser.$$('[data-testid="flow-handler"]');
  assert.ok(handlers.length >= 2, "the flow shows the drafter and the current handler");
  // The print preview draws at least one page.
  await browser.waitUntil(async () => (await browser.$$("canvas.gw-preview-canvas")).length > 0, {
    timeout: UI_WAIT_MS,
    timeoutMsg: "the print preview drew no page",
  });
  // … and finishes drawing it.
  const pages = await browser.$('[data-testid="preview-pages"]');
  await browser.waitUntil(async () => (await pages.getAttribute("data-render")) === "done", {
    timeout: UI_WAIT_MS,
    timeoutMsg: "the print preview did not finish drawing",
  }).catch(async (error) => {
    const state = await browser.execute(() => ({
      render: document.querySelector('[data-testid="preview-pages"]')?.getAttribute("data-render"),
      canvases: [...document.querySelectorAll("canvas.gw-preview-canvas")].map((c) => `${c.width}x${c.height}`),
    }));
    throw new Error(`${error.message}: ${JSON.stringify(state)}`);
  });
  screenshot("task.png");
});

test("Ctrl+Enter approves with the typed opinion and the task moves to 已办", async () => {
  const opinion = await browser.$('[data-testid="opinion"]');
  await opinion.click();
  await opinion.setValue("同意。请王主任审核。");
  await browser.keys([Key.Ctrl, Key.Enter]);
  // The 待办 badge drops by one …
  await waitForText('[data-testid="nav-count-todo"]', (t) => t === String(expectedTodo - 1), "待办 badge after approving");
  // … and the next task opens (the seeded queue has more).
  await waitForText('[data-testid="task-title"]', (t) => t.length > 0 && t !== approvedTitle, "the next task did not open");

  await (await browser.$('[data-testid="nav-done"]')).click();
  await waitForAll('[data-testid="queue-row"]', 1, "已办 rows");
  const text = await textOf('[data-testid="queue-row"]');
  assert.ok(text.includes(approvedTitle), `已办 row lacks the title: ${text}`);
  assert.ok(text.includes("同意。请王主任审核。"), `已办 row lacks the opinion: ${text}`);
  assert.ok(text.includes("待同步"), `已办 row lacks the 待同步 mark: ${text}`);
  assert.match(await (await browser.$('[data-testid="pending"]')).getText(), /^待同步 [1-9]\d*$/);
  screenshot("done.png");
});

test("a new draft saves itself as the title is typed", async () => {
  await (await browser.$('[data-testid="new-draft"]')).click();
  assert.equal(await (await browser.$('[data-testid="page-title"]')).getText(), "起草公文");
  const title = await browser.$('[data-testid="field-title"]');
  await title.waitForDisplayed({ timeout: UI_WAIT_MS });
  await title.click();
  await title.setValue("鹤山市人民政府办公室关于做好元旦春节期间值班工作的通知");
  await waitForText('[data-testid="save-state"]', (t) => t.startsWith("已保存"), "the editor never said 已保存");
  screenshot("draft.png");

  // A second edit is a second version; the 版本 drawer compares them.
  const body = await browser.$("#field-body");
  await body.click();
  await body.setValue("一、值班安排\n各单位要落实领导带班和24小时值班制度。");
  await waitForText('[data-testid="save-state"]', (t) => t.startsWith("已保存"), "the second edit was not saved");
  // Autosave keeps a working copy; Ctrl+S makes the version.
  await browser.keys([Key.Ctrl, "s"]);
  await browser.waitUntil(async () => /第(?:[2-9]|[1-9]\d+)版/.test(await (await browser.$("body")).getText()), {
    timeout: UI_WAIT_MS,
    timeoutMsg: "the editor never reached version 2",
  });
  await (await browser.$('[data-testid="versions"]')).click();
  await (await browser.$('[data-testid="diff"]')).waitForDisplayed({ timeout: UI_WAIT_MS });
  screenshot("versions.png");
  await (await browser.$(".ant-drawer-close")).click();
  await browser.waitUntil(async () => !(await (await browser.$('[data-testid="diff"]')).isExisting()), {
    timeout: UI_WAIT_MS,
    timeoutMsg: "the 版本 drawer did not close",
  });

  await (await browser.$('[data-testid="nav-drafts"]')).click();
  await browser.waitUntil(
    async () => (await textOf(".ant-table-tbody")).includes("关于做好元旦春节期间值班工作的通知"),
    { timeout: UI_WAIT_MS, timeoutMsg: "the new draft is not in 草稿" },
  );
  screenshot("drafts.png");
});

test("同步详情 opens from the status bar and lists what waits to sync", async () => {
  await (await browser.$('[data-testid="pending"]')).click();
  await browser.waitUntil(async () => (await (await browser.$("body")).getText()).includes("同步详情"), {
    timeout: UI_WAIT_MS,
    timeoutMsg: "同步详情 did not open",
  });
  await browser.waitUntil(async () => /待同步（[1-9]\d*）/.test(await (await browser.$("body")).getText()), {
    timeout: UI_WAIT_MS,
    timeoutMsg: "同步详情 lists nothing pending",
  });
  screenshot("sync.png");
  await browser.keys([Key.Escape]);
});
