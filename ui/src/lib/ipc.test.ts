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
