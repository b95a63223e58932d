import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as ipc from "../../lib/ipc";
import { last } from "../../test/last";
import { renderInApp } from "../../test/render";
import { NAV_ITEMS, selectedNavKey } from "../nav";
import { QueueTable } from "./QueueTable";
import { QUEUES } from "./queues";

vi.mock("../../lib/ipc", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../lib/ipc")>();
  return { ...actual, queue: vi.fn() };
});

const mocked = vi.mocked(ipc);

function row(overrides: Partial<ipc.QueueRow>): ipc.QueueRow {
  return {
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
    ...overrides,
  };
}

describe("queue filters", () => {
  beforeEach(() => {
    mocked.queue.mockImplementation(async (_name, query) => ({
      rows: query.fromOrgan === "鹤山市教育局" ? [] : [row({}), row({ taskId: "t2", fromOrgan: "鹤山市教育局", title: "关于学校安全的通知" })],
      hasMore: false,
    }));
  });

  it("filters by 来文单位 from the organs seen, and says when nothing matches", async () => {
    const user = userEvent.setup();
    renderInApp(<QueueTable spec={QUEUES.todo} onOpen={() => {}} reloadKey={0} lastSyncedAt={null} />);
    await waitFor(() => expect(screen.getAllByTestId("queue-row")).toHaveLength(2));
    await user.click(screen.getByRole("combobox", { name: "按来文单位筛选" }));
    await user.click(last(await screen.findAllByText("鹤山市教育局")));
    await waitFor(() => expect(last(mocked.queue.mock.calls)[1]).toMatchObject({ fromOrgan: "鹤山市教育局" }));
    expect(await screen.findByText("没有符合条件的公文")).toBeInTheDocument();
    await user.click(screen.getByTestId("clear-filters"));
    await waitFor(() => expect(last(mocked.queue.mock.calls)[1]).toEqual({}));
  });

  it("filters by a date range, inclusive, as YYYY-MM-DD", async () => {
    const user = userEvent.setup();
    renderInApp(<QueueTable spec={QUEUES.todo} onOpen={() => {}} reloadKey={0} lastSyncedAt={null} />);
    await waitFor(() => expect(screen.getAllByTestId("queue-row")).toHaveLength(2));
    const [from, to] = screen.getAllByPlaceholderText(/收到时间从|到/);
    await user.click(from);
    await user.type(from, "2026-11-01{Enter}");
    await user.click(to);
    await user.type(to, "2026-11-30{Enter}");
    await waitFor(() => expect(last(mocked.queue.mock.calls)[1]).toMatchObject({ dateFrom: "2026-11-01", dateTo: "2026-11-30" }));
  });

  it("has an 已阅 page with its own empty state", async () => {
    mocked.queue.mockResolvedValue({ rows: [], hasMore: false });
    expect(NAV_ITEMS.map((i) => i.label)).toContain("已阅");
    renderInApp(<QueueTable spec={QUEUES.read} onOpen={() => {}} reloadKey={0} lastSyncedAt="2026-11-28T14:05:00+08:00" />);
    expect(await screen.findByText("暂无已阅公文")).toBeInTheDocument();
    expect(screen.getByText(/上次同步/)).toBeInTheDocument();
    expect(mocked.queue).toHaveBeenCalledWith("read", {}, 0, expect.any(Number));
  });
});

describe("文号 in 在办 and 已办", () => {
  it.each([
    ["sent", QUEUES.sent],
    ["done", QUEUES.done],
  ] as const)("%s shows the 文号 once 登记 gave one, and a dash before", async (_, spec) => {
    mocked.queue.mockResolvedValue({
      rows: [
        row({ taskId: spec.name === "sent" ? null : "t1", title: "关于春耕备耕的通知", docNumber: "鹤府〔2026〕12号", nowAt: "印制（周九）" }),
        row({ taskId: spec.name === "sent" ? null : "t2", flowId: "f2", title: "关于防汛工作的通知", docNumber: null }),
      ],
      hasMore: false,
    });
    renderInApp(<QueueTable spec={spec} onOpen={() => {}} reloadKey={0} lastSyncedAt={null} />);
    const rows = await screen.findAllByTestId("queue-row");
    expect(screen.getByRole("columnheader", { name: "文号" })).toBeInTheDocument();
    expect(within(rows[0]).getByText("鹤府〔2026〕12号")).toBeInTheDocument();
    expect(within(rows[1]).queryByText(/〔2026〕/)).not.toBeInTheDocument();
    expect(within(rows[1]).getAllByText("—").length).toBeGreaterThan(0);
  });

  it("is not a column of 待办, where documents are still being approved", async () => {
    mocked.queue.mockResolvedValue({ rows: [row({})], hasMore: false });
    renderInApp(<QueueTable spec={QUEUES.todo} onOpen={() => {}} reloadKey={0} lastSyncedAt={null} />);
    await screen.findAllByTestId("queue-row");
    expect(screen.queryByRole("columnheader", { name: "文号" })).not.toBeInTheDocument();
  });
});

describe("navigation highlight", () => {
  it("marks 草稿 while the editor is open, whichever page opened it", () => {
    expect(selectedNavKey("todo", "draft")).toBe("drafts");
    expect(selectedNavKey("todo", "task")).toBe("todo");
    expect(selectedNavKey("read", "page")).toBe("read");
  });
});
