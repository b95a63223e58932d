// End-to-end: the first run of 公文通 on an empty data folder, in the real window.
// Run by scripts/e2e.sh, which passes (besides what app.test.mjs reads):
//
//   GONGWEN_E2E_FRESH_DIR   an empty data folder (a first run)
//
// Covers: the setup screen, 测试连接 to an unreachable server (a clear message in place,
// what was typed kept), 离线试用 into the main window, the 设置 page with every section,
// the font size setting, and 帮助 · 快捷键 on F1.
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
const freshDir = required("GONGWEN_E2E_FRESH_DIR");
const artifacts = process.env.GONGWEN_E2E_ARTIFACTS ?? "artifacts/e2e";
const port = Number.parseInt(process.env.GONGWEN_E2E_DRIVER_PORT ?? "4444", 10);
const UI_WAIT_MS = 60_000;

let browser;

function screenshot(name) {
  try {
    execFileSync("import", ["-window", "root", path.join(artifacts, name)]);
  } catch (error) {
    console.error(`screenshot ${name} failed: ${error.message}`);
  }
}

async function bodyText() {
  return browser.execute(() => document.body.innerText);
}

async function waitForBody(predicate, what) {
  let text = "";
  await browser.waitUntil(
    async () => {
      text = await bodyText();
      return predicate(text);
    },
    { timeout: UI_WAIT_MS, timeoutMsg: `${what}; the window showed:\n${text.slice(0, 600)}` },
  );
  return text;
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
      "tauri:options": { application, args: ["--data-dir", freshDir] },
    },
  });
});

after(async () => {
  if (!browser) return;
  await browser.deleteSession();
});

test("an empty data folder opens on the setup screen", async () => {
  const page = await browser.$('[data-testid="setup-page"]');
  await page.waitForDisplayed({ timeout: UI_WAIT_MS });
  const text = await bodyText();
  for (const words of ["欢迎使用公文通", "服务器地址", "测试连接", "CA 证书文件", "用户名", "密码", "离线试用"]) {
    assert.ok(text.includes(words), `the setup screen lacks ${words}`);
  }
  screenshot("setup.png");
});

test("测试连接 to an unreachable server says so in Chinese and keeps the address", async () => {
  const server = await browser.$('[data-testid="setup-server"]');
  await server.click();
  await server.setValue("http://127.0.0.1:9");
  await (await browser.$('[data-testid="setup-check"]')).click();
  const result = await browser.$('[data-testid="setup-check-result"]');
  await result.waitForDisplayed({ timeout: UI_WAIT_MS });
  const message = await result.getText();
  assert.match(message, /^无法连接服务器 http:\/\/127\.0\.0\.1:9。请检查服务器地址和网络连接/);
  assert.equal(await server.getValue(), "http://127.0.0.1:9");
  screenshot("setup-unreachable.png");
});

test("离线试用 opens the main window with an empty 待办", async () => {
  await (await browser.$('[data-testid="setup-offline"]')).click();
  const title = await browser.$('[data-testid="page-title"]');
  await title.waitForDisplayed({ timeout: UI_WAIT_MS });
  assert.equal(await title.getText(), "待办");
  await waitForBody((t) => t.includes("暂无待办事项"), "the empty 待办 page never showed");
  const status = await (await browser.$('[data-testid="connection"]')).getText();
  assert.equal(status, "○ 离线");
  // The status bar is on screen (1366×768), not cut off below it.
  const bar = await browser.execute(() => {
    const el = document.querySelector('[data-testid="connection"]');
    const r = el.getBoundingClientRect();
    return { bottom: r.bottom, inner: window.innerHeight };
  });
  assert.ok(bar.bottom <= bar.inner, `status bar below the window: ${JSON.stringify(bar)}`);
  screenshot("offline-todo.png");
});

test("设置 shows 服务器, 账户, 打印 with the fonts, 同步, 显示与提醒 and 关于", async () => {
  await (await browser.$('[data-testid="nav-settings"]')).click();
  await (await browser.$('[data-testid="settings-page"]')).waitForDisplayed({ timeout: UI_WAIT_MS });
  const text = await waitForBody((t) => t.includes("公文字体") && t.includes("第 1 版"), "设置 did not load");
  for (const section of ["服务器", "账户", "打印", "同步", "显示与提醒", "关于", "导出诊断信息", "打开文件夹"]) {
    assert.ok(text.includes(section), `设置 lacks ${section}`);
  }
  await browser.waitUntil(async () => (await browser.$$('[data-testid="settings-fonts"] tbody tr')).length === 5, {
    timeout: UI_WAIT_MS,
    timeoutMsg: "the fonts table does not list the five roles",
  });
  // The fonts table fills in after the page (its rows come from a second command).
  await waitForBody((t) => t.includes("仿宋_GB2312"), "the official 仿宋 font is not named");
  assert.equal(await (await browser.$('[data-testid="about-data-dir"]')).getText(), freshDir);
  assert.ok(text.includes("当前在本机离线使用"), "the offline profile is not explained");
  screenshot("settings.png");
});

test("the font size setting enlarges the text of the whole window", async () => {
  const fontSize = () =>
    browser.execute(() => Number.parseFloat(getComputedStyle(document.querySelector(".gw-settings .ant-descriptions-item-content")).fontSize));
  const before = await fontSize();
  const large = await browser.$('[data-testid="settings-font-size"] label:nth-of-type(2)');
  await large.scrollIntoView();
  await large.click();
  await browser.waitUntil(async () => (await fontSize()) > before, {
    timeout: UI_WAIT_MS,
    timeoutMsg: `the title stayed at ${before}px`,
  });
  screenshot("settings-large.png");
  // Back to 标准 for the screenshots that follow.
  await (await browser.$('[data-testid="settings-font-size"] label:nth-of-type(1)')).click();
  await browser.waitUntil(async () => (await fontSize()) === before, { timeout: UI_WAIT_MS });
});

test("F1 opens 帮助 · 快捷键 and Esc closes it", async () => {
  await (await browser.$('[data-testid="page-title"]')).click();
  await browser.keys([Key.F1]);
  const table = await browser.$('[data-testid="shortcuts-table"]');
  await table.waitForDisplayed({ timeout: UI_WAIT_MS });
  const text = await table.getText();
  for (const keys of ["Ctrl+N", "Ctrl+S", "Ctrl+Enter", "Ctrl+↓", "Ctrl+F"]) {
    assert.ok(text.includes(keys), `快捷键 lacks ${keys}`);
  }
  screenshot("shortcuts.png");
  await browser.keys([Key.Escape]);
  await browser.waitUntil(async () => !(await table.isDisplayed().catch(() => false)), {
    timeout: UI_WAIT_MS,
    timeoutMsg: "the dialog did not close",
  });
});
