// End-to-end: 收文 in the real 公文通 window. The clerk opens 待签收 (counted in the
// navigation), opens the first seeded item (the document drawn as it prints), signs it
// (签收: shown at once with who and when, 待同步 until the next sync), finds it under 待登记,
// registers it (收文编号 proposed by the store, 份数 typed) and sees it under 已登记 with its
// 收文编号; the 回执 page lists the organs that signed a document this organ sent, and those
// that did not. Run by scripts/e2e.sh after screens.test.mjs, on the same seeded data folder
// (tests/e2e/seed puts the 收文 there). Screenshots go to the artifacts folder.
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
const artifacts = process.env.GONGWEN_E2E_ARTIFACTS ?? "artifacts/e2e";
const port = Number.parseInt(process.env.GONGWEN_E2E_DRIVER_PORT ?? "4444", 10);

/** How long the UI may take to answer (slow CI machines); a hang guard, not a speed target. */
const UI_WAIT_MS = 60_000;

/** The item the seed delivered first and this spec signs and registers. */
const ITEM = "e2e-incoming-1";
const ITEM_TITLE = "鹤山市财政局关于做好2027年度部门预算编制工作的通知";

let browser;

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
  await browser.deleteSession();
});

async function textOf(selector) {
  return browser.execute((s) => document.querySelector(s)?.textContent ?? "", selector);
}

async function waitForText(selector, predicate, what) {
  let text = "";
  await browser.waitUntil(
    async () => {
      text = await textOf(selector);
      return predicate(text);
    },
    { timeout: UI_WAIT_MS, timeoutMsg: `${what} (last: "${text}")` },
  );
  return text;
}

/** Waits until no finite animation runs (Ant Design dialogs and drop-downs move in and out). */
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

/** Waits until the print preview has drawn every page of what it shows now. */
async function waitForPreview(what) {
  const pages = await browser.$('[data-testid="preview-pages"]');
  await browser.waitUntil(
    async () =>
      (await pages.getAttribute("data-render")) === "done" && (await browser.$$("canvas.gw-preview-canvas")).length > 0,
    { timeout: UI_WAIT_MS, timeoutMsg: `${what}: the preview did not finish drawing` },
  );
}

async function pendingCount() {
  const text = await textOf('[data-testid="pending"]');
  const match = /待同步 (\d+)/.exec(text);
  return match ? Number(match[1]) : Number.NaN;
}

const row = `[data-testid="incoming-row"][data-incoming-id="${ITEM}"]`;
let pendingBefore = Number.NaN;

test("待签收 lists the delivered items, counted in the navigation", async () => {
  const nav = await browser.$('[data-testid="nav-incoming"]');
  await nav.waitForDisplayed({ timeout: UI_WAIT_MS });
  await waitForText('[data-testid="nav-count-incoming"]', (t) => t.trim() === "2", "待签收 badge should show the 2 seeded items");
  await waitForText('[data-testid="nav-count-incomingSigned"]', (t) => t.trim() === "1", "待登记 badge should show the signed item");
  await nav.click();
  await waitForText('[data-testid="page-title"]', (t) => t === "收文 · 待签收", "the page title");
  await (await browser.$(row)).waitForDisplayed({ timeout: UI_WAIT_MS });
  assert.equal((await browser.$$('[data-testid="incoming-row"]')).length, 2);
  assert.match(await textOf(row), /鹤山市财政局/);
  assert.match(await textOf(row), /鹤财〔2026〕18号/);
  assert.match(await textOf(`${row} [data-testid="incoming-status"]`), /未签收/);
  pendingBefore = await pendingCount();
  screenshot("incoming-list.png");
});

test("the item opens as it prints, and 签收 shows who and when at once, pending sync", async () => {
  // A table row is not "interactable" for WebKitWebDriver: click it through JavaScript.
  await jsClick(row);
  const detail = await browser.$(`[data-testid="incoming-detail"][data-incoming-id="${ITEM}"]`);
  await detail.waitForDisplayed({ timeout: UI_WAIT_MS });
  await waitForPreview("the incoming document");
  assert.equal((await textOf('[data-testid="incoming-detail-title"]')).trim(), ITEM_TITLE);
  const sign = await browser.$('[data-testid="incoming-sign"]');
  await sign.waitForClickable({ timeout: UI_WAIT_MS });
  screenshot("incoming-detail.png");

  await jsClick('[data-testid="incoming-sign"]');
  const info = await waitForText('[data-testid="incoming-signed-info"]', (t) => /张三 签收于 \d{4}年/.test(t), "who signed and when");
  assert.match(info, /待同步/);
  assert.equal(await (await browser.$('[data-testid="incoming-sign"]')).isExisting(), false, "签收 cannot be repeated");
  // The sign command waits in the outbox like every other action.
  await browser.waitUntil(async () => (await pendingCount()) === pendingBefore + 1, {
    timeout: UI_WAIT_MS,
    timeoutMsg: `the status bar should count the 签收 as 待同步 (${pendingBefore} before)`,
  });
  await waitForText('[data-testid="nav-count-incoming"]', (t) => t.trim() === "1", "待签收 badge goes down to 1");
  await waitForText('[data-testid="nav-count-incomingSigned"]', (t) => t.trim() === "2", "待登记 badge goes up to 2");
  screenshot("incoming-signed.png");
});

test("登记 proposes the 收文编号 and starts the 收文 flow", async () => {
  await jsClick('[data-testid="incoming-back"]');
  await jsClick('[data-testid="nav-incomingSigned"]');
  await waitForText('[data-testid="page-title"]', (t) => t === "收文 · 待登记", "the 待登记 page");
  const signedRow = await browser.$(row);
  await signedRow.waitForDisplayed({ timeout: UI_WAIT_MS });
  assert.match(await textOf(`${row} [data-testid="incoming-status"]`), /已签收/);
  await jsClick(row);

  const register = await browser.$('[data-testid="incoming-register"]');
  await register.waitForClickable({ timeout: UI_WAIT_MS });
  await jsClick('[data-testid="incoming-register"]');
  await settle("the 登记 dialog");
  const number = await browser.$('[data-testid="register-number"]');
  await browser.waitUntil(async () => /^鹤府办收〔\d{4}〕\d+号$/.test(await number.getValue()), {
    timeout: UI_WAIT_MS,
    timeoutMsg: "the 收文编号 should be proposed",
  });
  const proposed = await number.getValue();
  assert.equal(await (await browser.$('[data-testid="register-from"]')).getValue(), "鹤山市财政局");
  assert.equal(await (await browser.$('[data-testid="register-doc-number"]')).getValue(), "鹤财〔2026〕18号");
  const copies = await browser.$('[data-testid="register-copies"]');
  // Typing into a field that is still animating in can lose the keys: type until the field
  // shows the value, then submit.
  await browser.waitUntil(
    async () => {
      await copies.click();
      await browser.keys([Key.Ctrl, "a"]);
      await browser.keys(["3"]);
      return (await copies.getValue()) === "3";
    },
    { timeout: UI_WAIT_MS, interval: 300, timeoutMsg: "份数 should take the typed 3" },
  );
  screenshot("incoming-register.png");

  await jsClick('[data-testid="register-submit"]');
  // 登记 goes to 孙八 (文书) here, so no task opens for 张三: the page shows the registration.
  const registration = await waitForText('[data-testid="incoming-registration"]', (t) => t.includes(proposed), "the registration");
  assert.match(registration, /份数3/);
  await settle("the 登记 dialog closing");
  screenshot("incoming-registered.png");

  await jsClick('[data-testid="incoming-back"]');
  await jsClick('[data-testid="nav-incomingRegistered"]');
  await waitForText('[data-testid="page-title"]', (t) => t === "收文 · 已登记", "the 已登记 page");
  await (await browser.$(row)).waitForDisplayed({ timeout: UI_WAIT_MS });
  assert.match(await textOf(row), new RegExp(proposed.replace(/[〔〕]/g, ".")));
});

test("回执 lists who signed what this organ sent, and who has not", async () => {
  await jsClick('[data-testid="nav-receipts"]');
  await waitForText('[data-testid="page-title"]', (t) => t === "收文 · 发文回执", "the 回执 page");
  const card = await browser.$('[data-testid="receipt-document"]');
  await card.waitForDisplayed({ timeout: UI_WAIT_MS });
  const signed = await browser.$$('[data-testid="receipt-row"][data-state="signed"]');
  const unsigned = await browser.$$('[data-testid="receipt-row"][data-state="unsigned"]');
  assert.equal(signed.length, 1, "one organ signed the seeded 回执");
  assert.ok(unsigned.length >= 1, "the organs on the distribution list that did not sign are listed");
  assert.match(await textOf('[data-testid="receipt-row"][data-state="signed"]'), /各镇人民政府.*黄秘书/);
  screenshot("receipts.png");
});
