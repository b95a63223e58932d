import { beforeEach, describe, expect, it, vi } from "vitest";
import * as ipc from "./ipc";
import { askTodoEarly, takeEarlyPage } from "./firstPage";

vi.mock("./ipc", async (importOriginal) => {
  const actual = await importOriginal<typeof import("./ipc")>();
  return { ...actual, queue: vi.fn() };
});

const mocked = vi.mocked(ipc);
const PAGE = { rows: [], total: 0, hasMore: false } as unknown as ipc.QueuePage;

describe("待办 asked early", () => {
  beforeEach(() => {
    mocked.queue.mockReset();
    mocked.queue.mockResolvedValue(PAGE);
  });

  it("answers 待办's unfiltered first page once, from the request made at start", async () => {
    askTodoEarly();
    expect(mocked.queue).toHaveBeenCalledWith("todo", {}, 0, 50);
    expect(takeEarlyPage("done", {}, 0, 50)).toBeUndefined();
    expect(takeEarlyPage("todo", { docType: "通知" }, 0, 50)).toBeUndefined();
    expect(takeEarlyPage("todo", {}, 50, 50)).toBeUndefined();
    await expect(takeEarlyPage("todo", { docType: undefined, text: "" }, 0, 50)).resolves.toBe(PAGE);
    expect(takeEarlyPage("todo", {}, 0, 50)).toBeUndefined();
    expect(mocked.queue).toHaveBeenCalledTimes(1);
  });

  it("asks again when the early request failed (the store was not open yet)", async () => {
    mocked.queue.mockRejectedValueOnce(new ipc.CommandError("store_locked", "本地数据已锁定"));
    askTodoEarly();
    await expect(takeEarlyPage("todo", {}, 0, 50)).resolves.toBe(PAGE);
    expect(mocked.queue).toHaveBeenCalledTimes(2);
  });
});
