// The central server for server.test.mjs: a real `gongwen-server` over plain HTTP on
// loopback, against the throwaway PostgreSQL scripts/e2e.sh started. The spec seeds the
// directory through `gongwen-server admin` (as an administrator would) and stops and
// starts the server itself to take the clients offline and back.
import { execFileSync, spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

export const PASSWORD = "Gongwen-e2e-2026";

/** The two organs and the people of the scenario. */
export const ORGAN_A = { name: "鹤山市人民政府", code: "鹤府" };
export const ORGAN_B = { name: "鹤山镇人民政府", code: "鹤山镇" };
/** 抄送: an organ in the directory (核发 refuses recipients it cannot find) with nobody signing. */
export const ORGAN_C = { name: "鹤山市应急管理局", code: "鹤应急" };
export const PEOPLE = {
  drafter: { login: "zhangmin", display: "张敏", organ: ORGAN_A.code, dept: "综合科", roles: ["拟稿人"] },
  reviewer: { login: "lihua", display: "李华", organ: ORGAN_A.code, dept: "综合科", roles: ["核稿人"] },
  signer: { login: "wangqiang", display: "王强", organ: ORGAN_A.code, roles: ["签发人", "领导"] },
  clerk: { login: "zhaoli", display: "赵丽", organ: ORGAN_A.code, dept: "秘书科", roles: ["办公室文书"] },
  receiver: { login: "chenjing", display: "陈静", organ: ORGAN_B.code, dept: "党政办", roles: ["收文员"] },
};

/**
 * 鹤府's own 发文 route (it shadows the standard 发文（一般）): 审核 by the 核稿人, 签发 by the
 * 签发人, then the 办公室文书 登记s (the server gives the 文号) and 核发s (the exchange
 * delivers to the 主送 organs). The standard route's 复核 and 印制 would only add three
 * more people to log in as.
 */
export const ROUTE_TEMPLATE = {
  name: "发文（一般）",
  kind: "outgoing",
  applies_to: {},
  steps: [
    { kind: "draft", mode: "sequential", handlers: [{ by: "owner" }] },
    { kind: "review", mode: "sequential", handlers: [{ by: "role", role: "核稿人" }], limit_hours: 48 },
    { kind: "sign", mode: "sequential", handlers: [{ by: "role", role: "签发人" }], limit_hours: 48 },
    { kind: "register", mode: "any_of", handlers: [{ by: "role", role: "文书" }], limit_hours: 24 },
    { kind: "dispatch", mode: "any_of", handlers: [{ by: "role", role: "文书" }], limit_hours: 24 },
  ],
};

export class Server {
  /**
   * @param {object} options
   * @param {string} options.binary      the gongwen-server binary
   * @param {string} options.databaseUrl an empty PostgreSQL database
   * @param {number} options.port        a free loopback port
   * @param {string} options.logFile     where the server's output goes (appended)
   * @param {string} [options.pidFile]   written while the server runs, so the script can stop it
   */
  constructor({ binary, databaseUrl, port, logFile, pidFile }) {
    this.binary = binary;
    this.databaseUrl = databaseUrl;
    this.port = port;
    this.logFile = logFile;
    this.pidFile = pidFile;
    this.child = null;
    this.url = `http://127.0.0.1:${port}`;
    mkdirSync(path.dirname(logFile), { recursive: true });
  }

  /** Runs `gongwen-server admin ARGS…` and returns its output. */
  admin(args, input) {
    return execFileSync(this.binary, ["admin", ...args], {
      env: { ...process.env, GONGWEN_DATABASE_URL: this.databaseUrl },
      input,
      encoding: "utf8",
      stdio: ["pipe", "pipe", "pipe"],
    });
  }

  /** Migrates the database and creates the organs, departments, people and 鹤府's route. */
  seed(workDir) {
    execFileSync(this.binary, ["migrate"], { env: { ...process.env, GONGWEN_DATABASE_URL: this.databaseUrl }, stdio: "pipe" });
    for (const organ of [ORGAN_A, ORGAN_B, ORGAN_C]) {
      this.admin(["create-organ", "--name", organ.name, "--code", organ.code, "--level", organ === ORGAN_B ? "town" : "city"]);
    }
    const depts = new Set(Object.values(PEOPLE).filter((p) => p.dept).map((p) => `${p.organ}\t${p.dept}`));
    for (const d of depts) {
      const [organ, name] = d.split("\t");
      this.admin(["create-dept", "--organ", organ, "--name", name]);
    }
    for (const p of Object.values(PEOPLE)) {
      const args = ["create-user", "--organ", p.organ, "--name", p.login, "--display", p.display];
      if (p.dept) args.push("--dept", p.dept);
      for (const role of p.roles) args.push("--role", role);
      // The password on stdin, as the admin guide recommends.
      this.admin(args, `${PASSWORD}\n`);
    }
    const file = path.join(workDir, "route-template.json");
    writeFileSync(file, JSON.stringify(ROUTE_TEMPLATE, null, 2));
    this.admin(["set-route-template", "--organ", ORGAN_A.code, "--file", file]);
    rmSync(file);
    return this.admin(["list-users"]);
  }

  /** Starts `gongwen-server serve` and waits until /v1/ready answers 200. */
  async start(timeoutMs = 60_000) {
    if (this.child) throw new Error("the server is already running");
    const log = openSync(this.logFile, "a");
    const child = spawn(this.binary, ["serve", "--listen", `127.0.0.1:${this.port}`], {
      env: { ...process.env, GONGWEN_DATABASE_URL: this.databaseUrl, RUST_LOG: "info,tokio_postgres=warn" },
      stdio: ["ignore", log, log],
    });
    closeSync(log);
    this.child = child;
    this.exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    if (this.pidFile) writeFileSync(this.pidFile, `${child.pid}\n`);
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`gongwen-server exited with ${child.exitCode}; see ${this.logFile}`);
      try {
        const response = await fetch(`${this.url}/v1/ready`);
        if (response.ok) return;
        last = `HTTP ${response.status}`;
      } catch (error) {
        last = error.message;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`gongwen-server did not become ready in ${timeoutMs / 1000} s (${last}); see ${this.logFile}`);
  }

  /** Stops the server with SIGTERM (it finishes in-flight requests) and waits for it to exit. */
  async stop(timeoutMs = 30_000) {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      await this.exited;
      clearTimeout(timer);
    }
    if (this.pidFile) rmSync(this.pidFile, { force: true });
  }

  /** Whether the server answers at all (the clients' view of the network). */
  async reachable() {
    try {
      return (await fetch(`${this.url}/v1/health`)).ok;
    } catch {
      return false;
    }
  }
}
