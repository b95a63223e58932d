import { beforeEach, describe, expect, it, vi } from "vitest";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...args: unknown[]) => invoke(...args) }));

const ipc = await import("./ipc");

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the command to fail");
}

describe("ipc", () => {
  beforeEach(() => {
    invoke.mockReset();
  });

  it("calls the named command and returns its result", async () => {
    invoke.mockImplementation(() => Promise.resolve({ todo: 3, toRead: 1, drafts: 0, incoming: 2 }));
    await expect(ipc.queueCounts()).resolves.toEqual({ todo: 3, toRead: 1, drafts: 0, incoming: 2 });
    expect(invoke).toHaveBeenCalledWith("queue_counts", undefined);
  });

  it("records when each command was first asked and answered until the start's milestones are taken", async () => {
    // (Earlier tests in this file already called queue_counts: only the first call counts.)
    invoke.mockImplementation(() => Promise.resolve(null));
    await ipc.getSettings();
    await ipc.getSettings();
    await ipc.startupMark("script", 1);
    const calls = ipc.takeStartupCalls();
    const ask = calls.get("ask-get-settings");
    const got = calls.get("got-get-settings");
    expect(ask).toBeTypeOf("number");
    expect(got).toBeGreaterThanOrEqual(ask ?? Infinity);
    // The probe's own command is not a milestone.
    expect([...calls.keys()].some((k) => k.includes("startup"))).toBe(false);
    // Taken once: nothing is recorded afterwards.
    await ipc.storeInfo();
    expect(ipc.takeStartupCalls().size).toBe(0);
  });

  it("turns a {code, message} rejection into a typed CommandError", async () => {
    invoke.mockImplementation(() =>
      Promise.reject({ code: "storeTooNew", message: "本机数据来自更新版本的公文通。" }),
    );
    const error = await failureOf(ipc.syncStatus());
    expect(error).toBeInstanceOf(ipc.CommandError);
    expect(error).toMatchObject({ code: "storeTooNew", message: "本机数据来自更新版本的公文通。" });
  });

  it("reports a broken bridge as bridgeUnavailable, in Chinese", async () => {
    invoke.mockImplementation(() => Promise.reject(new TypeError("window.__TAURI_INTERNALS__ is undefined")));
    const error = await failureOf(ipc.storeInfo());
    expect(error).toBeInstanceOf(ipc.CommandError);
    expect((error as InstanceType<typeof ipc.CommandError>).code).toBe("bridge_unavailable");
    expect((error as InstanceType<typeof ipc.CommandError>).message).toMatch(/公文通/);
  });
});
