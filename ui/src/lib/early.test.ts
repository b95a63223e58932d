import { beforeEach, describe, expect, it, vi } from "vitest";
import * as ipc from "./ipc";
import * as early from "./early";

vi.mock("./ipc", async (importOriginal) => {
  const actual = await importOriginal<typeof import("./ipc")>();
  return { ...actual, queue: vi.fn(), setupStatus: vi.fn(), getSettings: vi.fn() };
});

const mocked = vi.mocked(ipc);
const PAGE = { rows: [], total: 0, hasMore: false } as unknown as ipc.QueuePage;
const STATUS = { needsSetup: false } as unknown as ipc.SetupStatus;
const SETTINGS = { fontSize: "large" } as unknown as ipc.Settings;

describe("what the first screen asks early", () => {
  beforeEach(() => {
    mocked.queue.mockReset().mockResolvedValue(PAGE);
    mocked.setupStatus.mockReset().mockResolvedValue(STATUS);
    mocked.getSettings.mockReset().mockResolvedValue(SETTINGS);
  });

  it("answers 待办's unfiltered first page once, from the request made at start", async () => {
    early.askEarly();
    expect(mocked.queue).toHaveBeenCalledWith("todo", {}, 0, 50);
    await early.queuePage("done", {}, 0, 50);
    await early.queuePage("todo", { docType: "通知" }, 0, 50);
    await early.queuePage("todo", {}, 50, 50);
    expect(mocked.queue).toHaveBeenCalledTimes(4);
    await expect(early.queuePage("todo", { docType: undefined, text: "" }, 0, 50)).resolves.toBe(PAGE);
    expect(mocked.queue).toHaveBeenCalledTimes(4);
    // Taken: the next 待办 page is asked for again.
    await early.queuePage("todo", {}, 0, 50);
    expect(mocked.queue).toHaveBeenCalledTimes(5);
  });

  it("gives the setup status and settings asked at start once, then asks", async () => {
    early.askEarly();
    await expect(early.setupStatus()).resolves.toBe(STATUS);
    await expect(early.settings()).resolves.toBe(SETTINGS);
    expect(mocked.setupStatus).toHaveBeenCalledTimes(1);
    await early.setupStatus();
    expect(mocked.setupStatus).toHaveBeenCalledTimes(2);
    expect(mocked.getSettings).toHaveBeenCalledTimes(1);
  });

  it("forgets what was asked early when the first screen is the setup", async () => {
    early.askEarly();
    early.forget();
    await early.queuePage("todo", {}, 0, 50);
    expect(mocked.queue).toHaveBeenCalledTimes(2);
  });

  it("asks again when an early request failed (the store was not open yet)", async () => {
    mocked.queue.mockRejectedValueOnce(new ipc.CommandError("store_locked", "本地数据已锁定"));
    early.askEarly();
    await expect(early.queuePage("todo", {}, 0, 50)).resolves.toBe(PAGE);
    expect(mocked.queue).toHaveBeenCalledTimes(2);
  });
});
