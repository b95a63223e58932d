// End-to-end: one 通知 from 起草 to 签收, in the real 公文通 window, against a real
// gongwen-server on PostgreSQL. Run by scripts/e2e.sh, which passes (besides what
// app.test.mjs reads):
//
//   GONGWEN_E2E_SERVER_BIN       the gongwen-server binary
//   GONGWEN_E2E_DATABASE_URL     an empty PostgreSQL database (throwaway cluster)
//   GONGWEN_E2E_SERVER_PORT      a free loopback port for the server
//   GONGWEN_E2E_SERVER_LOG       where the server's log goes
//   GONGWEN_E2E_SERVER_PID_FILE  the running server's pid, so the script can stop it
//   GONGWEN_E2E_PEOPLE_DIR       a folder for one fresh data folder per person
//
// Each person works on their own computer: one data folder per person, each a first run
// (setup screen, 测试连接, 登录). A store belongs to the person who logged in: 退出登录
// keeps the local documents and the unsent changes for that person's next login, so two
// people never share one data folder (see src-tauri/src/commands/session.rs).
//
// The scenario (issue 8, item 7):
//   (a) 张敏 (拟稿人, 鹤府) logs in on a fresh data folder;
//   (b) drafts a 通知 with every element, sees the lint findings, fixes them, saves,
//       sees the versions and their differences, and 送审s;
//   (c) 李华 (核稿人) approves; 王强 (签发人) signs (e: offline, see below); 赵丽 (办公室文书)
//       登记s and the server gives the 文号 鹤府〔YYYY〕1号;
//   (d) the print preview shows the red 版头 and the 文号; the exported PDF has both;
//   (e) 王强 signs while the server is down: the status bar says 离线 and 待同步 1; the
//       server comes back and the app syncs by itself, back to 待同步 0;
//   (f) 陈静 (收文员, 鹤山镇) signs for it (签收) and 张敏 sees the 回执.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { Key, remote } from "webdriverio";
import { ORGAN_A, ORGAN_B, ORGAN_C, PASSWORD, PEOPLE, Server } from "./lib/server.mjs";

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; run this test through scripts/e2e.sh`);
  return value;
}

const application = required("GONGWEN_E2E_APP");
const artifacts = process.env.GONGWEN_E2E_ARTIFACTS ?? "artifacts/e2e";
const port = Number.parseInt(process.env.GONGWEN_E2E_DRIVER_PORT ?? "4444", 10);
const peopleDir = required("GONGWEN_E2E_PEOPLE_DIR");

/** How long the UI or a sync may take (slow CI machines); a hang guard, not a speed target. */
const UI_WAIT_MS = 90_000;

const server = new Server({
  binary: required("GONGWEN_E2E_SERVER_BIN"),
  databaseUrl: required("GONGWEN_E2E_DATABASE_URL"),
  port: Number.parseInt(required("GONGWEN_E2E_SERVER_PORT"), 10),
  logFile: required("GONGWEN_E2E_SERVER_LOG"),
  pidFile: process.env.GONGWEN_E2E_SERVER_PID_FILE,
});

/** The 文号 the server gives the first 登记 of the year (in China's time zone). */
const YEAR = new Date(Date.now() + 8 * 3600_000).getUTCFullYear();
const DOC_NUMBER = `${ORGAN_A.code}〔${YEAR}〕1号`;

const TITLE = `鹤山市人民政府关于做好${YEAR}年元旦春节期间安全生产工作的通知`;
const BODY = [
  "为切实做好元旦春节期间安全生产工作，防范遏制各类生产安全事故，现将有关事项通知如下。",
  "一、压实安全生产责任",
  "各镇人民政府要落实属地管理责任，主要负责人要亲自研究部署节日期间安全生产工作。",
  "二、开展隐患排查整治",
  "（一）突出重点行业领域。对道路交通、危险化学品、燃气、消防等领域开展拉网式排查。",
  "（二）强化值班值守。严格执行领导带班和24小时值班制度，遇有突发情况及时报告。",
].join("\n");
const ATTACHMENT = "元旦春节期间安全生产检查表";

let browser = null;
let exportDir;

/** Saves the whole X screen (see app.test.mjs for why not WebDriver's screenshot). */
function screenshot(name) {
  try {
    execFileSync("import", ["-window", "root", path.join(artifacts, `server-${name.replace(/\.png$/, "")}.png`)]);
  } catch (error) {
    console.error(`screenshot ${name} failed: ${error.message}`);
  }
}

/** Opens the app on `person`'s own data folder (a first run the first time). */
async function openApp(person) {
  await closeApp();
  const dataDir = path.join(peopleDir, person.login);
  mkdirSync(dataDir, { recursive: true });
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
  return dataDir;
}

async function closeApp() {
  if (!browser) return;
  const closing = browser;
  browser = null;
  await closing.deleteSession().catch((error) => console.error(`closing the app: ${error.message}`));
}

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  mkdirSync(peopleDir, { recursive: true });
  exportDir = mkdtempSync(path.join(os.tmpdir(), "gongwen-server-export-"));
  const users = server.seed(peopleDir);
  for (const p of Object.values(PEOPLE)) assert.ok(users.includes(p.login), `the directory lacks ${p.login}:\n${users}`);
  await server.start();
});

after(async () => {
  await closeApp();
  await server.stop();
  if (exportDir) rmSync(exportDir, { recursive: true, force: true });
});

async function textOf(selector) {
  return browser.execute((s) => document.querySelector(s)?.textContent ?? "", selector);
}

async function bodyText() {
  return browser.execute(() => document.body.textContent ?? "");
}

/** A wait that timed out leaves a picture of the screen behind (server-failed-N.png). */
let failedShots = 0;
function failureShot() {
  failedShots += 1;
  screenshot(`failed-${failedShots}`);
}

async function waitFor(predicate, what, timeout = UI_WAIT_MS) {
  await browser.waitUntil(predicate, { timeout, interval: 250, timeoutMsg: what }).catch((error) => {
    failureShot();
    throw error;
  });
}

/** Waits until the text of `selector` satisfies `predicate`; returns it. */
async function waitForText(selector, predicate, what, timeout = UI_WAIT_MS) {
  let text = "";
  await browser
    .waitUntil(
      async () => {
        text = (await textOf(selector)).trim();
        return predicate(text);
      },
      { timeout, interval: 250 },
    )
    .catch(() => {
      failureShot();
      throw new Error(`${what}: ${selector} showed "${text.slice(0, 300)}"`);
    });
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

/** Clicks the button whose letters are `label` (Ant Design spaces two-character labels). */
async function clickButton(label, scope = "body") {
  const clicked = await browser.execute(
    (l, s) => {
      const button = [...document.querySelectorAll(`${s} button`)].find((b) => b.textContent.replace(/\s/g, "").startsWith(l) && !b.disabled);
      button?.click();
      return Boolean(button);
    },
    label,
    scope,
  );
  assert.ok(clicked, `no enabled button ${label} in ${scope}`);
}

/** Calls a command of the app the way the UI does. */
async function invoke(cmd, args) {
  const result = await browser.execute(
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
  assert.ok(result.ok, `${cmd} failed: ${JSON.stringify(result.error)}`);
  return result.value;
}

/** The status bar's 待同步 count. */
async function pending() {
  const text = (await textOf('[data-testid="pending"]')).trim();
  const m = /^待同步 (\d+)$/.exec(text);
  return m ? Number(m[1]) : null;
}

async function waitForSynced(what) {
  await waitFor(async () => (await pending()) === 0 && (await textOf('[data-testid="connection"]')).includes("在线"), `${what}: the status bar never showed 在线 and 待同步 0`);
}

/** The first-run setup: server address, 测试连接, 用户名 and 密码, 登录. */
async function logIn(person, shot) {
  const page = await browser.$('[data-testid="setup-page"]');
  await page.waitForDisplayed({ timeout: UI_WAIT_MS });
  const address = await browser.$('[data-testid="setup-server"]');
  await address.click();
  await address.setValue(server.url);
  await jsClick('[data-testid="setup-check"]');
  const check = await waitForText('[data-testid="setup-check-result"]', (t) => t.length > 0, "测试连接 gave no answer");
  assert.match(check, /^连接成功：服务器版本 .+，通信协议第 \d+ 版，与本客户端兼容。$/);
  const login = await browser.$('[data-testid="setup-login"]');
  await login.click();
  await login.setValue(person.login);
  const password = await browser.$('[data-testid="setup-password"]');
  await password.click();
  await password.setValue(PASSWORD);
  if (shot) screenshot(shot);
  await jsClick('[data-testid="setup-submit"]');
  const refused = await browser.$('[data-testid="setup-error"]');
  await waitFor(
    async () => (await textOf('[data-testid="page-title"]')).trim() === "待办" || (await refused.isExisting()),
    `${person.login} did not reach the main window after 登录`,
  );
  if (await refused.isExisting()) assert.fail(`登录 as ${person.login} was refused: ${await refused.getText()}`);
  await waitForSynced(`${person.login}'s first sync`);
}

/** Waits until 待办 lists `title`, pressing 刷新 now and then as a user would; opens it. */
async function openTodo(title) {
  await jsClick('[data-testid="nav-todo"]');
  let rounds = 0;
  await waitFor(async () => {
    const titles = await browser.execute(() => [...document.querySelectorAll('[data-testid="queue-title"]')].map((e) => e.textContent.trim()));
    if (titles.includes(title)) return true;
    if (++rounds % 8 === 0) await clickButton("刷新");
    return false;
  }, `待办 never listed ${title}`);
  const clicked = await browser.execute((t) => {
    const cell = [...document.querySelectorAll('[data-testid="queue-title"]')].find((e) => e.textContent.trim() === t);
    (cell?.querySelector("a, button") ?? cell)?.click();
    return Boolean(cell);
  }, title);
  assert.ok(clicked);
  await waitForText('[data-testid="task-title"]', (t) => t === title, "the task did not open");
}

/** Waits until the print preview has drawn every page of what it shows now. */
async function waitForPreview(what) {
  await waitFor(
    async () =>
      (await browser.execute(() => document.querySelector('[data-testid="preview-pages"]')?.getAttribute("data-render"))) === "done" &&
      (await browser.$$("canvas.gw-preview-canvas")).length > 0,
    `${what}: the preview did not finish drawing`,
  );
}

/** 同意 with `opinion` on the open task (the approve button, as a mouse user would). */
async function approve(opinion) {
  await type('[data-testid="opinion"]', opinion);
  const taskId = () => browser.execute(() => document.querySelector("[data-task-id]")?.getAttribute("data-task-id") ?? "");
  const before = await taskId();
  await jsClick('[data-testid="approve"]');
  const error = await browser.$('[data-testid="act-error"]');
  // Done: the app moves on to the next task or back to the queue.
  await waitFor(async () => (await taskId()) !== before || (await error.isExisting()), "the task stayed open after 同意");
  if (await error.isExisting()) assert.fail(`同意 was refused: ${await error.getText()}`);
}

// ---------------------------------------------------------------------------------------
// (a) first run and login

test("(a) 张敏 opens 公文通 on a fresh data folder, tests the connection and logs in", async () => {
  const dataDir = await openApp(PEOPLE.drafter);
  assert.ok(!existsSync(path.join(dataDir, "settings.json")), "the data folder is not fresh");
  await logIn(PEOPLE.drafter, "01-setup.png");
  assert.equal((await textOf('[data-testid="connection"]')).trim(), "● 在线");
  const account = await textOf('[data-testid="account"]');
  assert.ok(account.includes(PEOPLE.drafter.login) || account.includes(PEOPLE.drafter.display), `the status bar names ${account}`);
  await waitForText('[data-testid="page-title"]', (t) => t === "待办", "待办");
  screenshot("02-logged-in.png");
});

// ---------------------------------------------------------------------------------------
// (b) draft, lint, fix, save, versions

/**
 * Enters `text` into the input `selector` (replacing what is there) as one edit, the way a
 * paste does: WebDriver's per-key typing re-renders the editor, lints and autosaves once per
 * character, minutes per field on a loaded CI machine.
 */
async function type(selector, text) {
  const input = await browser.$(selector);
  await input.waitForDisplayed({ timeout: UI_WAIT_MS });
  await input.scrollIntoView({ block: "center" });
  const done = await browser.execute(
    (s, value) => {
      const el = document.querySelector(s);
      if (!el) return false;
      el.focus();
      const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
      Object.getOwnPropertyDescriptor(proto, "value").set.call(el, value);
      el.dispatchEvent(new Event("input", { bubbles: true }));
      return true;
    },
    selector,
    text,
  );
  assert.ok(done, `nothing matches ${selector}`);
  await waitFor(async () => (await input.getValue()) === text, `${selector} did not take the text`);
}

/** Adds `names` to a tags field (主送机关, 抄送机关, 发文机关署名): type, Enter. */
async function addTags(selector, names) {
  for (const name of names) {
    await type(selector, name);
    await browser.keys([Key.Enter]);
  }
}

/** Today in China, as the date pickers show it (2026年3月5日). */
function todayText() {
  const d = new Date(Date.now() + 8 * 3600_000);
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
}

/** Enters today's date in the date picker whose input is `selector`, and confirms it. */
async function pickToday(selector) {
  const text = todayText();
  await type(selector, text);
  await browser.keys([Key.Enter]);
  const input = await browser.$(selector);
  await waitFor(async () => (await input.getValue()) === text, `${selector} did not keep ${text}`);
}

async function saveState(predicate, what) {
  return waitForText('[data-testid="save-state"]', predicate, what);
}

test("(b) 张敏 drafts a 通知 with every element; the lint finds two mistakes, she fixes them", async () => {
  await jsClick('[data-testid="new-draft"]');
  await (await browser.$('[data-testid="field-title"]')).waitForDisplayed({ timeout: UI_WAIT_MS });
  // 文种 通知 and 下行文 are the defaults of a new draft.
  assert.match(await textOf(".gw-editor-form, .gw-editor"), /通知/);

  // 版头
  await jsClick("#field-urgency label:nth-of-type(2)");
  await type('input[aria-label="发文机关1"]', ORGAN_A.name);
  await type('input[aria-label="发文机关标志1"]', `${ORGAN_A.name}文件`);
  // 主体: a title with a full stop at its end (a lint error) …
  await type('[data-testid="field-title"]', `${TITLE}。`);
  await addTags("#field-main_recipients", [ORGAN_B.name]);
  await type("#field-body", BODY);
  // … and an attachment that numbers itself (the layout numbers attachments).
  await clickButton("只填写附件名称", "#field-attachments");
  await type('input[aria-label="附件1名称"]', `附件1.${ATTACHMENT}`);
  // 落款与版记
  await addTags("#field-signatures", [ORGAN_A.name]);
  await pickToday("#field-date");
  await jsClick("#field-seal");
  await type("#field-note", "（联系人：张敏，电话：0750-3212345）");
  await addTags("#field-cc", [ORGAN_C.name]);
  await type('input[aria-label="印发机关"]', "鹤山市人民政府办公室");
  await pickToday("#field-printing .ant-picker input");
  await saveState((t) => t.startsWith("已保存"), "the draft was never saved");

  // The lint says what is wrong, beside the fields and in the list.
  const titleLint = await waitForText('[data-testid="lint-title"]', (t) => t.length > 0, "no lint beside the title");
  assert.match(titleLint, /标点/);
  const attachmentLint = await waitForText('[data-testid="lint-attachments"]', (t) => t.length > 0, "no lint beside the attachment");
  assert.match(attachmentLint, /序号|附件/);
  const list = await textOf('[aria-label="行文规则检查"]');
  assert.match(list, /行文规则检查：/);
  await waitForPreview("the draft with its mistakes");
  screenshot("03-lint.png");
  // Ctrl+S: this text is version 2 (the first autosave made version 1).
  await browser.keys([Key.Ctrl, "s"]);
  await waitFor(async () => /第2版/.test(await textOf(".gw-editor-bar")), "Ctrl+S did not make version 2");

  // Fixed: the findings go away.
  await type('[data-testid="field-title"]', TITLE);
  await type('input[aria-label="附件1名称"]', ATTACHMENT);
  await saveState((t) => t.startsWith("已保存"), "the fix was never saved");
  await waitFor(async () => !(await browser.$('[data-testid="lint-title"]').isExisting()), "the title's lint stayed after the fix");
  await waitFor(async () => !(await browser.$('[data-testid="lint-attachments"]').isExisting()), "the attachment's lint stayed after the fix");
  await browser.keys([Key.Ctrl, "s"]);
  let version = 0;
  await waitFor(async () => {
    const m = /第(\d+)版/.exec(await textOf(".gw-editor-bar"));
    version = m ? Number(m[1]) : 0;
    return version >= 3;
  }, "the fixed text never became a new version");
  await waitForPreview("the draft");
});

test("(b) the 版本 drawer lists the versions and marks the fix as a change", async () => {
  await jsClick('[data-testid="versions"]');
  const diff = await browser.$('[data-testid="diff"]');
  await diff.waitForDisplayed({ timeout: UI_WAIT_MS });
  await waitFor(async () => (await browser.$$(".gw-diff-text del, .gw-diff-text ins")).length > 0, "the diff marks no change");
  const deleted = await browser.execute(() => [...document.querySelectorAll(".gw-diff-text del")].map((d) => d.textContent).join("|"));
  assert.ok(deleted.includes("。") || deleted.includes("附件1."), `the diff does not show the removed text: ${deleted}`);
  const versions = await textOf(".gw-versions");
  assert.match(versions, /第3版/);
  assert.ok(versions.includes(PEOPLE.drafter.display) || versions.includes(PEOPLE.drafter.login), versions);
  screenshot("04-versions.png");
  await jsClick(".ant-drawer-close");
  await waitFor(async () => !(await browser.$('[data-testid="diff"]').isExisting()), "the 版本 drawer did not close");
});

test("(b) 送审 sends it on 鹤府's route and it reaches the server by itself", async () => {
  await clickButton("送审", ".gw-editor-bar");
  const ok = await browser.$(".ant-modal-footer .ant-btn-primary");
  await ok.waitForClickable({ timeout: UI_WAIT_MS });
  await ok.click();
  // Back on the list of what I sent, the flow now with the reviewer.
  await waitFor(async () => (await bodyText()).includes(TITLE) && (await bodyText()).includes(PEOPLE.reviewer.display), "the sent flow is not listed with 李华");
  await waitForSynced("送审");
  screenshot("05-submitted.png");
});

// ---------------------------------------------------------------------------------------
// (c) review, (e) sign offline, (c) 登记 with the 文号, (d) preview and PDF

test("(c) 李华 logs in on her own computer and approves", async () => {
  await openApp(PEOPLE.reviewer);
  await logIn(PEOPLE.reviewer);
  await openTodo(TITLE);
  await waitForPreview("the reviewer's task");
  screenshot("06-review.png");
  await approve("同意。文字已核，请王市长签发。");
  await waitForSynced("李华's 同意");
});

test("(e) 王强 signs while the server is down; the app syncs by itself once it is back", async () => {
  await openApp(PEOPLE.signer);
  await logIn(PEOPLE.signer);
  await openTodo(TITLE);
  await waitForPreview("the signer's task");

  // The network goes: the server stops.
  await server.stop();
  assert.equal(await server.reachable(), false);
  await approve("同意印发。");
  await waitForText('[data-testid="connection"]', (t) => t === "○ 离线", "the app did not notice the server is gone");
  await waitFor(async () => (await pending()) === 1, "the status bar does not count the offline 签发");
  // 已办 lists it, marked 待同步.
  await jsClick('[data-testid="nav-done"]');
  await waitFor(async () => (await textOf(".gw-table tbody")).includes(TITLE), "已办 does not list the 签发");
  assert.match(await textOf(".gw-table tbody"), /待同步/);
  screenshot("07-offline.png");

  // The network comes back: nobody presses 立即同步.
  await server.start();
  await waitFor(async () => (await pending()) === 0, "the offline 签发 was not synced after the server came back");
  await waitForSynced("after the server came back");
  await clickButton("刷新");
  await waitFor(async () => !(await textOf(".gw-table tbody")).includes("待同步"), "已办 still marks the 签发 待同步");
  screenshot("08-back-online.png");
});

let exportedPdf = "";

test("(c) 赵丽 登记s it and the server gives the 文号", async () => {
  await openApp(PEOPLE.clerk);
  await logIn(PEOPLE.clerk);
  await openTodo(TITLE);
  assert.match(await textOf(".gw-task-panel"), /登记/);
  await approve("已登记。");
  await waitForSynced("登记");
  // The 核发 task follows, with the document now numbered by the server.
  await openTodo(TITLE);
  assert.match(await textOf(".gw-task-panel"), /核发/);
  const taskId = await browser.execute(() => document.querySelector("[data-task-id]")?.getAttribute("data-task-id") ?? "");
  const task = await invoke("task_view", { taskId });
  const number = task.document?.doc_number;
  assert.ok(number, `the document has no 文号 after 登记: ${JSON.stringify(task.document)?.slice(0, 300)}`);
  assert.equal(`${number.prefix}〔${number.year}〕${number.seq}号`, DOC_NUMBER);

  // (d) The preview draws the 版头 in red.
  await waitForPreview("the numbered document");
  const red = await browser.execute(() => {
    const canvas = document.querySelector("canvas.gw-preview-canvas");
    const ctx = canvas.getContext("2d");
    const { data } = ctx.getImageData(0, 0, canvas.width, Math.floor(canvas.height / 3));
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] > 180 && data[i + 1] < 80 && data[i + 2] < 80) n++;
    return n;
  });
  assert.ok(red > 500, `the top of the first page has ${red} red pixels: no red 版头`);
  screenshot("09-numbered.png");

  // 导出PDF (as screens.test.mjs: the command the dialog's button calls, with a path).
  const exported = await invoke("export_pdf", { job: { form: "document", document: task.document }, path: path.join(exportDir, "通知") });
  exportedPdf = exported.path;
  assert.equal(readFileSync(exportedPdf).subarray(0, 4).toString(), "%PDF");
  const text = execFileSync("pdftotext", [exportedPdf, "-"], { encoding: "utf8" }).replace(/\s+/g, "");
  for (const words of [`${ORGAN_A.name}文件`, DOC_NUMBER, TITLE, ORGAN_B.name, ATTACHMENT, ORGAN_C.name]) {
    assert.ok(text.includes(words.replace(/\s+/g, "")), `the exported PDF lacks ${words}: ${text.slice(0, 400)}`);
  }
  // 核发: the exchange delivers it to 鹤山镇's 收文.
  await approve("核发。");
  await waitForSynced("核发");
});

// ---------------------------------------------------------------------------------------
// (f) the other organ signs for it; the 回执 comes back

/** Clicks the 收文 row titled `title` once a sync brought it, pressing 刷新 now and then. */
async function openIncoming(title) {
  await jsClick('[data-testid="nav-incoming"]');
  let rounds = 0;
  await waitFor(async () => {
    const titles = await browser.execute(() => [...document.querySelectorAll('[data-testid="incoming-title"]')].map((e) => e.textContent.trim()));
    if (titles.includes(title)) return true;
    if (++rounds % 8 === 0) await clickButton("刷新");
    return false;
  }, `待签收 never listed ${title}`);
  const clicked = await browser.execute((t) => {
    const cell = [...document.querySelectorAll('[data-testid="incoming-title"]')].find((e) => e.textContent.trim() === t);
    (cell?.querySelector("a, button") ?? cell)?.click();
    return Boolean(cell);
  }, title);
  assert.ok(clicked);
  await (await browser.$('[data-testid="incoming-detail"]')).waitForDisplayed({ timeout: UI_WAIT_MS });
}

test("(f) 陈静 of 鹤山镇 finds it in 待签收 with its 文号 and signs for it", async () => {
  await openApp(PEOPLE.receiver);
  await logIn(PEOPLE.receiver);
  await openIncoming(TITLE);
  const detail = await textOf('[data-testid="incoming-detail"]');
  assert.ok(detail.includes(DOC_NUMBER), `the 收文 lacks the 文号 ${DOC_NUMBER}: ${detail.slice(0, 400)}`);
  assert.ok(detail.includes(ORGAN_A.name) || detail.includes(ORGAN_A.code), `the 收文 does not name the sender: ${detail.slice(0, 400)}`);
  // The document as delivered, drawn (a screenshot nicety: the assertions above are the test).
  await waitForPreview("the incoming document").catch((error) => console.error(error.message));
  screenshot("10-incoming.png");
  await jsClick('[data-testid="incoming-sign"]');
  await (await browser.$('[data-testid="incoming-signed-info"]')).waitForDisplayed({ timeout: UI_WAIT_MS });
  await waitForSynced("签收");
  // Confirmed by the server: 待登记 lists it as 已签收, no longer 待同步.
  await jsClick('[data-testid="nav-incomingSigned"]');
  let rounds = 0;
  await waitFor(async () => {
    const row = await browser.execute((t) => {
      const title = [...document.querySelectorAll('[data-testid="incoming-title"]')].find((e) => e.textContent.trim() === t);
      return title?.closest('[data-testid="incoming-row"]')?.querySelector('[data-testid="incoming-status"]')?.textContent ?? "";
    }, TITLE);
    if (row.includes("已签收") && !row.includes("待同步")) return true;
    if (++rounds % 8 === 0) await clickButton("刷新");
    return false;
  }, "待登记 does not list it as 已签收");
  screenshot("11-signed.png");
});

test("(f) 赵丽 sees the 回执: 鹤山镇 signed, by 陈静", async () => {
  // Her own computer again: already logged in, so no setup this time.
  await openApp(PEOPLE.clerk);
  await waitForText('[data-testid="page-title"]', (t) => t === "待办", "赵丽's window did not open on 待办");
  await waitForSynced("赵丽's sync");
  await jsClick('[data-testid="nav-receipts"]');
  let rounds = 0;
  await waitFor(async () => {
    if ((await browser.$$('[data-testid="receipt-row"][data-state="signed"]')).length > 0) return true;
    if (++rounds % 8 === 0) await clickButton("刷新");
    return false;
  }, "回执 never showed a signed recipient");
  const row = await textOf('[data-testid="receipt-row"][data-state="signed"]');
  assert.ok(row.includes("鹤山镇"), `the 回执 does not name 鹤山镇: ${row}`);
  assert.ok((await textOf('[data-testid="receipt-row"][data-state="signed"] [data-testid="receipt-signed-by"]')).includes(PEOPLE.receiver.display), row);
  assert.ok((await textOf('[data-testid="receipt-document"]')).includes(DOC_NUMBER) || (await textOf('[data-testid="receipt-document"]')).includes(TITLE));
  screenshot("12-receipt.png");
});
