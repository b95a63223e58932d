import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { last } from "../test/last";
import * as ipc from "../lib/ipc";
import { renderInApp } from "../test/render";
import { SyncDrawer } from "./SyncDrawer";

vi.mock("../lib/ipc", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../lib/ipc")>();
  return { ...actual, outbox: vi.fn(), rejectedActions: vi.fn(), retryRejected: vi.fn(), discardRejected: vi.fn() };
});

const mocked = vi.mocked(ipc);

const REFUSED: ipc.RejectedRow = {
  seq: 4,
  flowId: "f1",
  title: "关于开展安全生产大检查的通知",
  actionLabel: "同意",
  opinion: "同意，请王主任审核。",
  code: "TASK_COMPLETED",
  reason: "该任务已由他人办理",
  createdAt: "2026-11-28T09:00:00+08:00",
  rejectedAt: "2026-11-28T09:05:00+08:00",
};

describe("SyncDrawer", () => {
  beforeEach(() => {
    mocked.outbox.mockResolvedValue([
      { seq: 4, label: "同意", flowId: "f1", createdAt: "2026-11-28T09:00:00+08:00", state: "rejected" },
      { seq: 5, label: "退回", flowId: "f2", createdAt: "2026-11-28T09:10:00+08:00", state: "pending" },
    ]);
    mocked.rejectedActions.mockResolvedValue([REFUSED]);
    mocked.discardRejected.mockResolvedValue(undefined);
    mocked.retryRejected.mockResolvedValue({ flowId: "f1", action: "同意", seq: 6, nowAt: "签发（赵六）", status: "办理中" });
  });

  it("lists refused actions with the reason and the kept opinion, and pending ones", async () => {
    renderInApp(<SyncDrawer open onClose={() => {}} status={{ online: false, state: "离线", connected: false, pending: 1, rejected: 0, lastSyncedAt: null, progress: null, lastError: null }} onChanged={() => {}} />);
    expect(await screen.findByText("原因：该任务已由他人办理")).toBeInTheDocument();
    expect(screen.getByText("您填写的意见：同意，请王主任审核。")).toBeInTheDocument();
    expect(screen.getByText("待同步（1）")).toBeInTheDocument();
    expect(screen.getByText("第 5 号 · 退回")).toBeInTheDocument();
  });

  it("discards only after confirming", async () => {
    const user = userEvent.setup();
    const onChanged = vi.fn();
    renderInApp(<SyncDrawer open onClose={() => {}} status={undefined} onChanged={onChanged} />);
    await user.click(await screen.findByRole("button", { name: /放\s?弃/ }));
    expect(mocked.discardRejected).not.toHaveBeenCalled();
    expect(await screen.findByText("确定放弃这个操作吗？")).toBeInTheDocument();
    const buttons = screen.getAllByRole("button", { name: /放\s?弃/ });
    await user.click(last(buttons));
    await waitFor(() => expect(mocked.discardRejected).toHaveBeenCalledWith(4));
    expect(onChanged).toHaveBeenCalled();
  });

  it("retries a refused action", async () => {
    const user = userEvent.setup();
    renderInApp(<SyncDrawer open onClose={() => {}} status={undefined} onChanged={() => {}} />);
    await user.click(await screen.findByRole("button", { name: /重\s?试/ }));
    await waitFor(() => expect(mocked.retryRejected).toHaveBeenCalledWith(4));
  });

  it("names a refused 签收 as 签收, never as 送审", async () => {
    mocked.rejectedActions.mockResolvedValue([
      { ...REFUSED, seq: 7, flowId: "IN-9", title: "关于防汛工作的通知", actionLabel: "签收", opinion: null, code: "ALREADY_SIGNED", reason: "该来文已由他人签收" },
    ]);
    mocked.outbox.mockResolvedValue([
      { seq: 7, label: "签收", flowId: "IN-9", createdAt: "2026-11-28T09:00:00+08:00", state: "rejected" },
      { seq: 8, label: "收文登记", flowId: "f3", createdAt: "2026-11-28T09:10:00+08:00", state: "pending" },
    ]);
    renderInApp(<SyncDrawer open onClose={() => {}} status={undefined} onChanged={() => {}} />);
    const list = await screen.findByTestId("rejected-list");
    expect(within(list).getByText("签收")).toBeInTheDocument();
    expect(within(list).getByText("关于防汛工作的通知")).toBeInTheDocument();
    expect(within(list).queryByText("送审")).not.toBeInTheDocument();
    expect(screen.getByText("第 8 号 · 收文登记")).toBeInTheDocument();
  });
});
