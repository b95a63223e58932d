import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as ipc from "../../lib/ipc";
import { last } from "../../test/last";
import { renderInApp } from "../../test/render";
import { OutgoingPage, chinaYear } from "./OutgoingPage";

vi.mock("../../lib/ipc", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../lib/ipc")>();
  return { ...actual, outgoingRegister: vi.fn(), outgoingDetail: vi.fn() };
});
vi.mock("../../components/PdfPreview", () => ({
  PdfPreview: ({ job, actions }: { job: ipc.PrintJob | null; actions?: React.ReactNode }) => (
    <div
      data-testid="pdf-preview"
      data-form={job?.form ?? ""}
      data-title={job && "document" in job ? job.document.title : ""}
      data-number={job && "document" in job ? JSON.stringify(job.document.doc_number ?? null) : ""}
    >
      {actions}
    </div>
  ),
}));

const mocked = vi.mocked(ipc);

function outgoingRow(overrides: Partial<ipc.OutgoingRow> = {}): ipc.OutgoingRow {
  return {
    documentId: "doc-1",
    flowId: "flow-1",
    docNumber: "鹤府办〔2026〕7号",
    year: 2026,
    seq: 7,
    title: "鹤山市人民政府办公室关于开展安全生产大检查的通知",
    docType: "通知",
    urgency: "特急",
    secrecy: "秘密★1年",
    mainRecipients: ["各镇人民政府", "市政府各部门"],
    signers: ["赵六"],
    docDate: "2026-11-28",
    registeredAt: "2026-11-28T02:00:00.000000Z",
    state: "dispatched",
    stateLabel: "已核发",
    nowAt: "已办结",
    dispatchedAt: "2026-11-28T06:00:00.000000Z",
    receiptsSigned: 1,
    receiptsTotal: 4,
    pendingSync: false,
    ...overrides,
  };
}

const ROWS = [
  outgoingRow(),
  outgoingRow({
    documentId: "doc-2",
    flowId: "flow-2",
    docNumber: null,
    year: null,
    seq: null,
    title: "关于做好元旦春节期间值班工作的通知",
    urgency: null,
    secrecy: null,
    state: "to_print",
    stateLabel: "待印制",
    nowAt: "印制（周九）",
    dispatchedAt: null,
    receiptsSigned: 0,
    pendingSync: true,
  }),
];

function detail(row: ipc.OutgoingRow, overrides: Partial<ipc.OutgoingDetail> = {}): ipc.OutgoingDetail {
  return {
    row,
    document: { title: row.title, doc_number: { prefix: "鹤府办", year: 2026, seq: 7 } },
    flow: {
      flowId: row.flowId,
      documentId: row.documentId,
      title: row.title,
      kind: "发文",
      route: "发文（一般）",
      ownerName: "李明",
      status: "completed",
      statusLabel: "已办结",
      nowAt: "已办结",
      createdAt: "2026-11-20T01:00:00.000000Z",
      steps: [
        {
          index: 0,
          name: "签发",
          mode: "串签",
          state: "done",
          handlers: [
            {
              taskId: "flow-1-T3",
              person: "zhao",
              name: "赵六",
              status: "approved",
              statusLabel: "同意",
              withdrawCause: null,
              signature: "赵六",
              actedAt: "2026-11-27T02:00:00.000000Z",
              opinion: "同意印发",
              dueAt: null,
              overdue: false,
            },
          ],
        },
      ],
      opinions: [],
      pendingSync: 0,
    },
    receipts: {
      documentId: row.documentId,
      title: row.title,
      docNumber: row.docNumber,
      recipients: [
        { organ: "各镇人民政府", signed: true, signedBy: "黄秘书", signedAt: "2026-11-28T08:00:00+08:00" },
        { organ: "市政府各部门", signed: false, signedBy: null, signedAt: null },
      ],
      signed: 1,
      total: 2,
      latest: "2026-11-28T08:00:00+08:00",
    },
    ...overrides,
  };
}

function renderPage() {
  renderInApp(<OutgoingPage reloadKey={0} lastSyncedAt={null} thisYear={2026} />);
}

describe("发文登记簿", () => {
  beforeEach(() => {
    mocked.outgoingRegister.mockResolvedValue({ rows: ROWS, hasMore: false, total: 2, years: [2026, 2025] });
  });

  it("lists this year's registered 发文: 文号, 待编号, marks, 签发人, 核发 state and 回执", async () => {
    renderPage();
    const rows = await screen.findAllByTestId("outgoing-row");
    expect(rows).toHaveLength(2);
    expect(mocked.outgoingRegister).toHaveBeenCalledWith({ year: 2026 }, 0, 50);
    expect(within(rows[0]).getByTestId("outgoing-number")).toHaveTextContent("鹤府办〔2026〕7号");
    expect(within(rows[0]).getByText("特急")).toBeInTheDocument();
    expect(within(rows[0]).getByText("秘密")).toBeInTheDocument();
    expect(within(rows[0]).getByText("各镇人民政府、市政府各部门")).toBeInTheDocument();
    expect(within(rows[0]).getByText("赵六")).toBeInTheDocument();
    expect(within(rows[0]).getByTestId("outgoing-state")).toHaveTextContent(/^已核发 \d\d-\d\d$|^已核发 2026-\d\d-\d\d$/);
    expect(within(rows[0]).getByTestId("outgoing-receipts")).toHaveTextContent("1/4 已签收");
    // Registered offline: no number yet, waiting for sync.
    expect(within(rows[1]).getByTestId("outgoing-number-pending")).toHaveTextContent("待编号");
    expect(within(rows[1]).getByTestId("outgoing-state")).toHaveTextContent("待印制");
    expect(within(rows[1]).getByText("待同步")).toBeInTheDocument();
    expect(screen.getByText("共 2 件")).toBeInTheDocument();
    // This year is the starting point, not a filter to clear.
    expect(screen.queryByTestId("clear-filters")).not.toBeInTheDocument();
  });

  it("filters by year, 文种, 回执 and text, and 清除筛选 goes back to this year", async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findAllByTestId("outgoing-row");
    await user.click(screen.getByRole("combobox", { name: "按年份筛选" }));
    await user.click(last(await screen.findAllByText("2025年")));
    await waitFor(() => expect(last(mocked.outgoingRegister.mock.calls)[0]).toEqual({ year: 2025 }));
    await user.click(screen.getByRole("combobox", { name: "按年份筛选" }));
    await user.click(last(await screen.findAllByText("全部年份")));
    await waitFor(() => expect(last(mocked.outgoingRegister.mock.calls)[0]).toEqual({}));
    await user.click(screen.getByRole("combobox", { name: "按文种筛选" }));
    await user.click(last(await screen.findAllByText("决定")));
    await waitFor(() => expect(last(mocked.outgoingRegister.mock.calls)[0]).toEqual({ docType: "决定" }));
    await user.click(screen.getByRole("combobox", { name: "按回执情况筛选" }));
    await user.click(last(await screen.findAllByText("待签收")));
    await waitFor(() => expect(last(mocked.outgoingRegister.mock.calls)[0]).toEqual({ docType: "决定", receipts: "待签收" }));

    mocked.outgoingRegister.mockResolvedValue({ rows: [], hasMore: false, total: 0, years: [2026, 2025] });
    await user.type(screen.getByRole("searchbox", { name: "按标题或文号查找" }), "鹤府办〔2026〕7号{Enter}");
    await waitFor(() =>
      expect(last(mocked.outgoingRegister.mock.calls)[0]).toEqual({ docType: "决定", receipts: "待签收", text: "鹤府办〔2026〕7号" }),
    );
    expect(await screen.findByText("没有符合条件的发文")).toBeInTheDocument();
    await user.click(screen.getByTestId("clear-filters"));
    await waitFor(() => expect(last(mocked.outgoingRegister.mock.calls)[0]).toEqual({ year: 2026 }));
  });

  it("turns the order of the 文号 round and starts again at the first page", async () => {
    mocked.outgoingRegister.mockResolvedValue({ rows: ROWS, hasMore: true, total: 120, years: [2026] });
    const user = userEvent.setup();
    renderPage();
    await screen.findAllByTestId("outgoing-row");
    await user.click(screen.getByRole("button", { name: "下一页" }));
    await waitFor(() => expect(last(mocked.outgoingRegister.mock.calls).slice(1)).toEqual([50, 50]));
    await user.click(screen.getByTestId("sort-number"));
    await waitFor(() => expect(last(mocked.outgoingRegister.mock.calls)).toEqual([{ year: 2026, ascending: true }, 0, 50]));
    await user.click(screen.getByTestId("sort-number"));
    await waitFor(() => expect(last(mocked.outgoingRegister.mock.calls)).toEqual([{ year: 2026 }, 0, 50]));
  });

  it("says what the register holds when it is empty", async () => {
    mocked.outgoingRegister.mockResolvedValueOnce({ rows: [], hasMore: false, total: 0, years: [] });
    renderPage();
    expect(await screen.findByText("暂无发文登记")).toBeInTheDocument();
    expect(screen.getByText(/在“登记”环节取得文号后会列在这里/)).toBeInTheDocument();
  });

  it("shows a failure in place and reads again on 重试", async () => {
    mocked.outgoingRegister.mockRejectedValueOnce({ code: "store_unavailable", message: "无法读取本机数据，请重启公文通。" });
    const user = userEvent.setup();
    renderPage();
    expect(await screen.findByText("无法读取本机数据，请重启公文通。")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: /重\s*试/ }));
    expect(await screen.findAllByTestId("outgoing-row")).toHaveLength(2);
  });
});

describe("one 发文", () => {
  beforeEach(() => {
    mocked.outgoingRegister.mockResolvedValue({ rows: ROWS, hasMore: false, total: 2, years: [2026] });
  });

  it("opens from the keyboard: the preview with its 文号, the particulars, 回执 and flow; back to the list", async () => {
    mocked.outgoingDetail.mockResolvedValue(detail(ROWS[0]));
    const user = userEvent.setup();
    renderPage();
    await screen.findAllByTestId("outgoing-row");
    fireEvent.keyDown(screen.getByLabelText("发文登记列表"), { key: "Enter" });
    const view = await screen.findByTestId("outgoing-detail");
    expect(view).toHaveAttribute("data-document-id", "doc-1");
    expect(mocked.outgoingDetail).toHaveBeenCalledWith("doc-1");
    expect(await screen.findByTestId("outgoing-detail-title")).toHaveTextContent("关于开展安全生产大检查的通知");
    const preview = screen.getByTestId("pdf-preview");
    expect(preview).toHaveAttribute("data-form", "document");
    expect(preview).toHaveAttribute("data-number", JSON.stringify({ prefix: "鹤府办", year: 2026, seq: 7 }));
    expect(within(preview).getByRole("button", { name: /打\s*印/ })).toBeInTheDocument();
    expect(within(preview).getByRole("button", { name: /导出PDF/ })).toBeInTheDocument();
    expect(within(view).getByTestId("outgoing-number")).toHaveTextContent("鹤府办〔2026〕7号");
    expect(within(view).getByText("秘密★1年")).toBeInTheDocument();
    expect(within(view).getByText("2026年11月28日")).toBeInTheDocument();
    expect(screen.getByTestId("outgoing-receipt-progress")).toHaveTextContent("已签收 1/2");
    const recipients = screen.getAllByTestId("outgoing-recipient");
    expect(recipients.map((r) => r.getAttribute("data-state"))).toEqual(["signed", "unsigned"]);
    expect(recipients[0]).toHaveTextContent("各镇人民政府已签收 · 黄秘书");
    expect(screen.getByTestId("flow-handler")).toHaveTextContent("赵六 同意");

    await user.click(screen.getByTestId("outgoing-back"));
    expect(await screen.findAllByTestId("outgoing-row")).toHaveLength(2);
  });

  it("says the 回执 come after 核发 for a document not sent yet", async () => {
    mocked.outgoingDetail.mockResolvedValue(detail(ROWS[1], { document: null }));
    const user = userEvent.setup();
    renderPage();
    await user.click(await screen.findByText("关于做好元旦春节期间值班工作的通知"));
    expect(await screen.findByTestId("outgoing-receipts-waiting")).toHaveTextContent("尚未核发。核发后，主送和抄送的 2 个单位签收的回执会显示在这里。");
    expect(screen.getByTestId("outgoing-number-pending")).toBeInTheDocument();
    expect(screen.getByTestId("pdf-preview")).toHaveAttribute("data-form", "");
  });

  it("shows why it cannot open, with 重试", async () => {
    mocked.outgoingDetail.mockRejectedValueOnce({ code: "not_found", message: "找不到公文或流程“doc-1”" });
    mocked.outgoingDetail.mockResolvedValueOnce(detail(ROWS[0]));
    const user = userEvent.setup();
    renderPage();
    await user.click(await screen.findByText("鹤山市人民政府办公室关于开展安全生产大检查的通知"));
    expect(await screen.findByText("找不到公文或流程“doc-1”")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: /重\s*试/ }));
    expect(await screen.findByTestId("outgoing-detail-title")).toBeInTheDocument();
  });
});

describe("chinaYear", () => {
  it("is the year in China Standard Time", () => {
    expect(chinaYear(new Date("2026-12-31T16:30:00Z"))).toBe(2027);
    expect(chinaYear(new Date("2026-12-31T15:30:00Z"))).toBe(2026);
  });
});
