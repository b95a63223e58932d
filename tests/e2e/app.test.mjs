// End-to-end: the real 公文通 binary in a real WebKitGTK window, driven through
// tauri-driver + WebKitWebDriver. Run by scripts/e2e.sh, which prepares the display,
// the keychain, a seeded data folder and tauri-driver, and passes them in here:
//
//   GONGWEN_E2E_APP         path to the built gongwen-desktop binary
//   GONGWEN_E2E_DATA_DIR    data folder seeded with a known number of 待办
//   GONGWEN_E2E_EXPECT_TODO that number
//   GONGWEN_E2E_ARTIFACTS   where screenshots go
//   GONGWEN_E2E_DRIVER_PORT tauri-driver's port (default 4444)
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
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

test("the window is titled 公文通", async () => {
  // The page's title, as WebDriver sees it …
  assert.equal(await browser.getTitle(), "公文通");
  // … and the native window's, as the X server (and so the taskbar) sees it.
  const tree = execFileSync("xwininfo", ["-root", "-tree"], { encoding: "utf8" });
  assert.ok(tree.includes('"公文通"'), `no X window named 公文通:\n${tree}`);
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
