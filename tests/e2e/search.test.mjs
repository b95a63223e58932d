// End-to-end: 搜索 in the real 公文通 window. The user opens 搜索 (the box has the focus and
// the page says what can be searched), types a two-character word and sees drafts and 收文
// ranked with the word marked, narrows to 收文 with a chip, finds a 收文 by its 文号 and opens
// it with the keyboard, comes back to the same results, opens a draft in the editor, and finds
// the words still there when 搜索 is opened again. Run by scripts/e2e.sh on the seeded data
// folder (tests/e2e/seed: the 送审 drafts and three 收文). Screenshots go to the artifacts folder.
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

const BOX = '[data-testid="search-page"] input[type="search"]';
const HITS = '[data-testid="search-hit"]';
/** The 文号 of the second seeded 收文 (tests/e2e/seed). */
const NUMBER = "鹤应急〔2026〕41号";

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

/** Each result as "kind|title|marked parts of the title". */
async function hits() {
  return browser.execute(
    (s) =>
      [...document.querySelectorAll(s)].map((li) => ({
        kind: li.getAttribute("data-kind"),
        title: li.querySelector('[data-testid="search-hit-title"]')?.textContent ?? "",
        marks: [...li.querySelectorAll('[data-testid="search-hit-title"] mark')].map((m) => m.textContent),
        text: li.textContent ?? "",
        selected: li.getAttribute("aria-selected") === "true",
      })),
    HITS,
  );
}

/** Replaces the words in the box (as typed: the page searches when typing pauses). */
async function type(words) {
  const box = await browser.$(BOX);
  await box.click();
  await browser.keys([Key.Ctrl, "a"]);
  await browser.keys([Key.Backspace]);
  if (words) await box.addValue(words);
}

/** Waits until the results shown are those of `words` (not of a part typed on the way) and match. */
async function waitForHits(words, predicate, what) {
  let found = [];
  await browser.waitUntil(
    async () => {
      const answered = await browser.execute((w) => {
        const list = document.querySelector('[data-testid="search-results"]');
        return list?.getAttribute("data-query") === w && list.getAttribute("data-stale") === "false";
      }, words);
      if (!answered) return false;
      found = await hits();
      return predicate(found);
    },
    { timeout: UI_WAIT_MS, timeoutMsg: `${what} (last: ${JSON.stringify(found.map((h) => `${h.kind} ${h.title}`))})` },
  );
  return found;
}

test("搜索 opens with the box focused and says what can be searched", async () => {
  const nav = await browser.$('[data-testid="nav-search"]');
  await nav.waitForDisplayed({ timeout: UI_WAIT_MS });
  await nav.click();
  await waitForText('[data-testid="page-title"]', (t) => t === "搜索", "the page title");
  await (await browser.$(BOX)).waitForDisplayed({ timeout: UI_WAIT_MS });
  await browser.waitUntil(async () => browser.execute((s) => document.activeElement === document.querySelector(s), BOX), {
    timeout: UI_WAIT_MS,
    timeoutMsg: "the search box should have the focus",
  });
  assert.match(await textOf('[data-testid="search-empty"]'), /文号/);
  screenshot("search-empty.png");
});

test("a two-character word finds drafts and 收文, ranked, with the word marked", async () => {
  await type("安全");
  const found = await waitForHits(
    "安全",
    (h) => h.some((x) => x.kind === "draft") && h.filter((x) => x.kind === "incoming").length === 2,
    "安全 should find the 安全生产 draft and two 收文",
  );
  for (const h of found) assert.ok(h.marks.includes("安全") || /安全/.test(h.text), `${h.title} should show 安全`);
  const draft = found.find((h) => h.kind === "draft");
  assert.match(draft.title, /安全生产大检查/);
  assert.deepEqual(draft.marks, ["安全"]);
  assert.match(draft.text, /草稿/);
  const incoming = found.find((h) => /应急管理局/.test(h.text));
  assert.match(incoming.text, /来文单位：鹤山市应急管理局/);
  assert.match(incoming.text, /鹤应急〔2026〕41号/);
  assert.match(await textOf('[data-testid="search-count"]'), new RegExp(`找到 ${found.length} 条`));
  screenshot("search-results.png");

  // The 收文 chip keeps only 收文.
  await jsClick('[data-testid="search-scope-incoming"]');
  await waitForHits("安全", (h) => h.length === 2 && h.every((x) => x.kind === "incoming"), "收文 only");
  await jsClick('[data-testid="search-scope-all"]');
  await waitForHits("安全", (h) => h.some((x) => x.kind === "draft"), "all kinds again");
});

test("a 文号 finds its 收文, Enter opens it, and 返回 comes back to the results", async () => {
  await type(NUMBER);
  const found = await waitForHits(NUMBER, (h) => h.length === 1 && h[0].kind === "incoming", "the 文号 should find one 收文");
  assert.match(found[0].title, /冬季安全生产隐患排查/);
  assert.equal(
    await browser.execute(() => document.querySelector('[data-testid="search-hit-number"] mark')?.textContent ?? ""),
    NUMBER,
  );
  screenshot("search-docnumber.png");
  await browser.keys([Key.Enter]);
  const detail = await browser.$('[data-testid="incoming-detail"][data-incoming-id="e2e-incoming-2"]');
  await detail.waitForDisplayed({ timeout: UI_WAIT_MS });
  await waitForText('[data-testid="incoming-detail-title"]', (t) => t.includes("冬季安全生产隐患排查"), "the opened 收文");
  screenshot("search-opened-incoming.png");
  await jsClick('[data-testid="incoming-back"]');
  await waitForHits(NUMBER, (h) => h.length === 1 && h[0].kind === "incoming", "the same results after 返回");
  assert.equal(await (await browser.$(BOX)).getValue(), NUMBER);
});

test("↓ and Enter open a draft in the editor; 搜索 keeps the words", async () => {
  await type("森林防灭火");
  await waitForHits("森林防灭火", (h) => h.length >= 1 && h[0].kind === "draft", "the 森林防灭火 draft");
  await browser.keys([Key.ArrowDown]);
  await waitForHits("森林防灭火", (h) => h[0].selected, "the first result chosen");
  await browser.keys([Key.Enter]);
  await waitForText('[data-testid="page-title"]', (t) => t === "修改草稿", "the draft editor");
  screenshot("search-opened-draft.png");
  await jsClick('[data-testid="nav-search"]');
  await waitForText('[data-testid="page-title"]', (t) => t === "搜索", "back on 搜索");
  assert.equal(await (await browser.$(BOX)).getValue(), "森林防灭火");
  await waitForHits("森林防灭火", (h) => h.length >= 1 && /森林防灭火/.test(h[0].title), "the results again");
});

test("nothing found says what to do", async () => {
  await type("不存在的词语");
  const text = await waitForText('[data-testid="search-no-hits"]', (t) => t.includes("不存在的词语"), "the no-hits hint");
  assert.match(text, /减少字数/);
  screenshot("search-no-hits.png");
  // Leave the page as the next spec expects it.
  await type("");
});
