import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import * as ipc from "../../lib/ipc";
import { renderInApp } from "../../test/render";
import { QueueTable } from "./QueueTable";
import { QUEUES } from "./queues";

vi.mock("../../lib/ipc", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../lib/ipc")>();
  return { ...actual, queue: vi.fn() };
});

const mocked = vi.mocked(ipc);

const base: ipc.QueueRow = {
  taskId: "t1",
  flowId: "f1",
  documentId: "d1",
  title: "关于开展安全生产大检查的通知",
  docType: "通知",
  urgency: null,
  fromOrgan: "鹤山市应急管理局",
  stepName: "审核",
  status: "open",
  since: "2026-11-27T09:00:00+08:00",
  dueAt: null,
  overdue: false,
  doneAt: null,
  opinion: null,
  nowAt: "审核（张三）",
  docNumber: null,
  pendingSync: false,
  reminded: null,
};

describe("催办 in the 待办", () => {
  it("marks a reminded task 已催办 with who and when, and only that one", async () => {
    mocked.queue.mockResolvedValue({
      rows: [
        {
          ...base,
          reminded: {
            from: "zhang",
            fromName: "张三",
            at: "2026-11-28T10:30:00+08:00",
            message: "请今天办理",
            seen: false,
          },
        },
        { ...base, taskId: "t2", title: "关于春耕备耕的通知" },
      ],
      hasMore: false,
    });
    renderInApp(<QueueTable spec={QUEUES.todo} onOpen={() => {}} reloadKey={0} lastSyncedAt={null} />);
    await waitFor(() => expect(screen.getAllByTestId("queue-row")).toHaveLength(2));
    const tags = screen.getAllByTestId("reminded");
    expect(tags).toHaveLength(1);
    expect(tags[0]).toHaveTextContent("已催办");
    await userEvent.setup().hover(tags[0]);
    expect(await screen.findByText(/张三 于 .*催办：请今天办理/)).toBeInTheDocument();
  });
});
