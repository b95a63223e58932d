import { act, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AUTOSAVE_DEBOUNCE_MS, AUTOSAVE_MAX_WAIT_MS, useAutosave } from "./useAutosave";

describe("useAutosave", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("saves the newest value once typing pauses", async () => {
    const save = vi.fn(() => Promise.resolve());
    const { result } = renderHook(() => useAutosave<string>(save));
    act(() => {
      result.current.changed("关");
      result.current.changed("关于");
    });
    expect(result.current.state.kind).toBe("dirty");
    await act(async () => {
      await vi.advanceTimersByTimeAsync(AUTOSAVE_DEBOUNCE_MS);
    });
    expect(save).toHaveBeenCalledTimes(1);
    expect(save).toHaveBeenCalledWith("关于");
    expect(result.current.state.kind).toBe("saved");
  });

  it("never leaves an edit unsaved past the maximum wait, even while typing on", async () => {
    const save = vi.fn(() => Promise.resolve());
    const { result } = renderHook(() => useAutosave<number>(save));
    // A keystroke every 300 ms: the debounce alone would never fire.
    for (let i = 1; i * 300 <= AUTOSAVE_MAX_WAIT_MS + 300; i++) {
      act(() => result.current.changed(i));
      await act(async () => {
        await vi.advanceTimersByTimeAsync(300);
      });
    }
    expect(save).toHaveBeenCalled();
  });

  it("runs saves one at a time and saves what changed during a save right after it", async () => {
    let finish: () => void = () => {};
    const save = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const { result } = renderHook(() => useAutosave<string>(save));
    act(() => result.current.changed("一"));
    await act(async () => {
      void result.current.flush();
      await Promise.resolve();
    });
    expect(save).toHaveBeenCalledTimes(1);
    act(() => result.current.changed("一二"));
    await act(async () => {
      void result.current.flush();
      await Promise.resolve();
    });
    // Still one: the second waits for the first.
    expect(save).toHaveBeenCalledTimes(1);
    await act(async () => {
      finish();
      await vi.advanceTimersByTimeAsync(0);
    });
    expect(save).toHaveBeenCalledTimes(2);
    expect(save).toHaveBeenLastCalledWith("一二");
    await act(async () => {
      finish();
      await vi.advanceTimersByTimeAsync(0);
    });
    expect(result.current.state.kind).toBe("saved");
  });

  it("keeps a value whose save failed and says why; the next flush retries it", async () => {
    const save = vi.fn().mockRejectedValueOnce(new Error("磁盘已满")).mockResolvedValue(undefined);
    const { result } = renderHook(() => useAutosave<string>(save));
    act(() => result.current.changed("正文"));
    await act(async () => {
      await result.current.flush();
    });
    expect(result.current.state).toEqual({ kind: "error", message: "磁盘已满" });
    await act(async () => {
      await result.current.flush();
    });
    expect(save).toHaveBeenCalledTimes(2);
    expect(save).toHaveBeenLastCalledWith("正文");
    expect(result.current.state.kind).toBe("saved");
  });
});
