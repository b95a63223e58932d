import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as ipc from "../../lib/ipc";
import { incomingRow } from "../../test/incoming";
import { last } from "../../test/last";
import { renderInApp } from "../../test/render";
import { IncomingPage } from "./IncomingPage";
import { INCOMING_STAGES } from "./stages";

vi.mock("../../lib/ipc", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../lib/ipc")>();
  return {
    ...actual,
    incomingList: vi.fn(),
    incomingDetail: vi.fn(),
    signIncoming: vi.fn(),
    storeInfo: vi.fn(),
    suggestReceiptNumber: vi.fn(),
    incomingRoutes: vi.fn(),
    registerIncoming: vi.fn(),
  };
});
vi.mock("../../components/PdfPreview", () => ({
  PdfPreview: ({ job }: { job: ipc.PrintJob | null }) => (
    <div data-testid="pdf-preview" data-form={job?.form ?? ""} data-title={job && "document" in job ? job.document.title : ""} />
  ),
}));

const mocked = vi.mocked(ipc);

function detail(row: ipc.IncomingRow, overrides: Partial<ipc.IncomingDetail> = {}): ipc.IncomingDetail {
  return {
    row,
    document: { title: row.title },
    sentBy: "李明",
    toOrgan: "鹤山镇人民政府",
    files: [
      { name: "关于做好春耕备耕工作的通知.pdf", size: 120_000, isPdf: true, state: "local", have: null },
      { name: "附件1.xlsx", size: 20_000, isPdf: false, state: "waiting", have: null },
    ],
    registration: null,
    signRejected: null,
    taskId: null,
    ...overrides,
  };
}

function renderPage(stage: keyof typeof INCOMING_STAGES = "incoming", onOpenTask = vi.fn(), onChanged = vi.fn()) {
  renderInApp(<IncomingPage stage={INCOMING_STAGES[stage]} reloadKey={0} lastSyncedAt={null} onOpenTask={onOpenTask} onChanged={onChanged} />);
  return { onOpenTask, onChanged };
}

describe("收文 list", () => {
  beforeEach(() => {
    mocked.incomingList.mockResolvedValue({ rows: [incomingRow(), incomingRow({ id: "in-2", title: "关于防汛工作的通知", fromOrgan: "鹤山市水利局", urgency: null })], total: 2 });
  });

  it("lists the stage's items with 紧急程度, 文号, 来文单位 and status", async () => {
    renderPage();
    const rows = await screen.findAllByTestId("incoming-row");
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveAttribute("data-incoming-id", "in-1");
    expect(within(rows[0]).getByText("加急")).toBeInTheDocument();
    expect(within(rows[0]).getByText("鹤府办〔2026〕3号")).toBeInTheDocument();
    expect(within(rows[0]).getByTestId("incoming-status")).toHaveTextContent("未签收");
    expect(within(rows[0]).getByText("签收")).toBeInTheDocument();
    expect(mocked.incomingList).toHaveBeenCalledWith("unsigned", {}, 0, 50);
    expect(screen.getByText("共 2 件")).toBeInTheDocument();
  });

  it("filters by 紧急程度, 密级, 来文单位 and text, and says when nothing matches", async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findAllByTestId("incoming-row");
    await user.click(screen.getByRole("combobox", { name: "按紧急程度筛选" }));
    await user.click(last(await screen.findAllByText("特急")));
    await waitFor(() => expect(last(mocked.incomingList.mock.calls)[1]).toMatchObject({ urgency: "特急" }));
    await user.click(screen.getByRole("combobox", { name: "按密级筛选" }));
    await user.click(last(await screen.findAllByText("机密")));
    await waitFor(() => expect(last(mocked.incomingList.mock.calls)[1]).toMatchObject({ urgency: "特急", secrecy: "机密" }));
    await user.click(screen.getByRole("combobox", { name: "按来文单位筛选" }));
    await user.click(last(await screen.findAllByText("鹤山市水利局")));
    await waitFor(() => expect(last(mocked.incomingList.mock.calls)[1]).toMatchObject({ fromOrgan: "鹤山市水利局" }));

    mocked.incomingList.mockResolvedValue({ rows: [], total: 0 });
    await user.type(screen.getByRole("searchbox", { name: "按标题或文号查找" }), "防汛{Enter}");
    await waitFor(() => expect(last(mocked.incomingList.mock.calls)[1]).toMatchObject({ text: "防汛" }));
    expect(await screen.findByText("没有符合条件的来文")).toBeInTheDocument();
    await user.click(screen.getByTestId("clear-filters"));
    await waitFor(() => expect(last(mocked.incomingList.mock.calls)[1]).toEqual({}));
  });

  it("says what to do when a stage is empty", async () => {
    mocked.incomingList.mockResolvedValue({ rows: [], total: 0 });
    renderPage("incomingSigned");
    expect(await screen.findByText("暂无待登记的来文")).toBeInTheDocument();
    expect(screen.getByText(/登记后进入初审、拟办、批办流程/)).toBeInTheDocument();
    expect(mocked.incomingList).toHaveBeenCalledWith("unregistered", {}, 0, 50);
  });

  it("shows a failure with 重试 in place", async () => {
    mocked.incomingList.mockRejectedValueOnce({ code: "store_unavailable", message: "无法读取本机数据，请重启公文通。" });
    const user = userEvent.setup();
    renderPage();
    expect(await screen.findByText("无法读取本机数据，请重启公文通。")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: /重\s*试/ }));
    expect(await screen.findAllByTestId("incoming-row")).toHaveLength(2);
  });

  it("opens a row with Enter from the keyboard", async () => {
    mocked.incomingDetail.mockResolvedValue(detail(incomingRow({ id: "in-2" })));
    renderPage();
    await screen.findAllByTestId("incoming-row");
    const table = screen.getByLabelText("待签收的来文列表");
    fireEvent.keyDown(table, { key: "ArrowDown" });
    fireEvent.keyDown(table, { key: "Enter" });
    expect(await screen.findByTestId("incoming-detail")).toHaveAttribute("data-incoming-id", "in-2");
    expect(mocked.incomingDetail).toHaveBeenCalledWith("in-2");
  });
});

describe("来文 detail and 签收", () => {
  beforeEach(() => {
    mocked.incomingList.mockResolvedValue({ rows: [incomingRow()], total: 1 });
    mocked.storeInfo.mockResolvedValue({
      appVersion: "0.1.0",
      dataDir: "/tmp/gw",
      schemaVersion: 5,
      latestSchemaVersion: 5,
      keySource: "系统钥匙串",
      user: "sunba",
      userName: "孙八",
      dbBytes: 1,
    });
  });

  it("shows the document as printed, its sender and files, and signs it (待同步 shown after)", async () => {
    const user = userEvent.setup();
    const row = incomingRow();
    mocked.incomingDetail.mockResolvedValueOnce(detail(row));
    mocked.incomingDetail.mockResolvedValueOnce(detail({ ...row, status: "sign_pending", statusLabel: "已签收（待同步）" }));
    mocked.signIncoming.mockResolvedValue({ incomingId: "in-1", seq: 7, statusLabel: "已签收（待同步）" });
    const { onChanged } = renderPage();
    await user.click((await screen.findAllByTestId("incoming-row"))[0]);
    expect(await screen.findByTestId("pdf-preview")).toHaveAttribute("data-form", "document");
    expect(screen.getByTestId("pdf-preview")).toHaveAttribute("data-title", row.title);
    expect(screen.getByText("李明")).toBeInTheDocument();
    expect(screen.getByText("文件（2）")).toBeInTheDocument();
    expect(screen.getByText("等待同步下载")).toBeInTheDocument();
    // Not signed yet: 登记 waits.
    expect(screen.queryByTestId("incoming-register")).not.toBeInTheDocument();

    await user.click(screen.getByTestId("incoming-sign"));
    expect(mocked.signIncoming).toHaveBeenCalledWith("in-1");
    const info = await screen.findByTestId("incoming-signed-info");
    expect(info).toHaveTextContent("孙八 签收于");
    expect(within(info).getByTestId("pending-sync")).toHaveTextContent("待同步");
    expect(onChanged).toHaveBeenCalled();
    expect(await screen.findByTestId("incoming-register")).toBeInTheDocument();
  });

  it("signs with Alt+S and keeps the page when the store refuses, saying why", async () => {
    mocked.incomingDetail.mockResolvedValue(detail(incomingRow()));
    mocked.signIncoming.mockRejectedValue({ code: "refused", message: "来文“关于做好春耕备耕工作的通知”已签收，正在等待同步" });
    renderPage();
    await userEvent.setup().click((await screen.findAllByTestId("incoming-row"))[0]);
    await screen.findByTestId("incoming-sign");
    fireEvent.keyDown(window, { key: "s", altKey: true });
    await waitFor(() => expect(mocked.signIncoming).toHaveBeenCalledWith("in-1"));
    expect(await screen.findByText(/已签收，正在等待同步/)).toBeInTheDocument();
    expect(screen.getByTestId("incoming-sign")).toBeInTheDocument();
  });

  it("shows who signed and when for an item the server confirmed", async () => {
    mocked.incomingDetail.mockResolvedValue(
      detail(incomingRow({ status: "signed", statusLabel: "已签收", signedBy: "孙八", signedAt: "2026-11-27T10:05:00+08:00" })),
    );
    renderPage();
    await userEvent.setup().click((await screen.findAllByTestId("incoming-row"))[0]);
    const info = await screen.findByTestId("incoming-signed-info");
    expect(info).toHaveTextContent("孙八 签收于 2026年11月27日");
    expect(within(info).queryByTestId("pending-sync")).not.toBeInTheDocument();
    expect(screen.queryByTestId("incoming-sign")).not.toBeInTheDocument();
  });

  it("offers another 签收 after the server refused the last one", async () => {
    mocked.incomingDetail.mockResolvedValue(detail(incomingRow(), { signRejected: "您不是本单位的收文员" }));
    renderPage();
    await userEvent.setup().click((await screen.findAllByTestId("incoming-row"))[0]);
    expect(await screen.findByText("服务器未接受上次签收")).toBeInTheDocument();
    expect(screen.getByText(/您不是本单位的收文员/)).toBeInTheDocument();
    expect(screen.getByTestId("incoming-sign")).toBeEnabled();
  });
});

describe("收文登记", () => {
  const signed = incomingRow({ status: "signed", statusLabel: "已签收", signedBy: "孙八", signedAt: "2026-11-27T10:05:00+08:00" });

  beforeEach(() => {
    mocked.incomingList.mockResolvedValue({ rows: [signed], total: 1 });
    mocked.incomingDetail.mockResolvedValue(detail(signed));
    mocked.suggestReceiptNumber.mockResolvedValue("鹤山镇收〔2026〕8号");
    mocked.incomingRoutes.mockResolvedValue([
      { name: "收文（一般）", steps: ["签收", "登记", "初审", "拟办", "批办", "承办", "传阅", "办结"], source: "标准" },
      { name: "请示件收文", steps: ["签收", "登记", "初审", "批办", "承办"], source: "标准" },
    ]);
  });

  async function openForm() {
    const user = userEvent.setup();
    const handlers = renderPage("incomingSigned");
    await user.click((await screen.findAllByTestId("incoming-row"))[0]);
    await user.click(await screen.findByTestId("incoming-register"));
    await waitFor(() => expect(screen.getByTestId("register-number")).toHaveValue("鹤山镇收〔2026〕8号"));
    return { user, ...handlers };
  }

  it("proposes the 收文编号 and the particulars as sent, then starts the flow and opens its task", async () => {
    mocked.registerIncoming.mockResolvedValue({
      incomingId: "in-1",
      flowId: "f9",
      receiptNumber: "鹤山镇收〔2026〕8号",
      route: "收文（一般）",
      nowAt: "初审（孙八）",
      taskId: "t-chushen",
    });
    const { user, onOpenTask, onChanged } = await openForm();
    expect(screen.getByTestId("register-from")).toHaveValue("鹤山市人民政府办公室");
    expect(screen.getByTestId("register-doc-number")).toHaveValue("鹤府办〔2026〕3号");
    expect(screen.getByTestId("register-copies")).toHaveValue("1");
    await user.clear(screen.getByTestId("register-copies"));
    await user.type(screen.getByTestId("register-copies"), "3");
    await user.click(screen.getByRole("combobox", { name: "办理流程" }));
    await user.click(last(await screen.findAllByText("请示件收文")));
    await user.click(screen.getByTestId("register-submit"));
    await waitFor(() =>
      expect(mocked.registerIncoming).toHaveBeenCalledWith("in-1", {
        receiptNumber: "鹤山镇收〔2026〕8号",
        secrecy: undefined,
        urgency: "加急",
        copies: 3,
        route: "请示件收文",
      }),
    );
    await waitFor(() => expect(onOpenTask).toHaveBeenCalledWith("t-chushen"));
    expect(onChanged).toHaveBeenCalled();
  });

  it("checks the fields in Chinese before sending anything", async () => {
    const { user } = await openForm();
    await user.clear(screen.getByTestId("register-number"));
    await user.clear(screen.getByTestId("register-copies"));
    await user.click(screen.getByTestId("register-submit"));
    expect(await screen.findByText("请填写收文编号")).toBeInTheDocument();
    expect(screen.getByText("请填写份数")).toBeInTheDocument();
    expect(mocked.registerIncoming).not.toHaveBeenCalled();
  });

  it("keeps the form and says why when the number is taken", async () => {
    mocked.registerIncoming.mockRejectedValue({ code: "refused", message: "收文编号“鹤山镇收〔2026〕8号”已被使用，请换一个编号" });
    const { user, onOpenTask } = await openForm();
    await user.click(screen.getByTestId("register-submit"));
    expect(await screen.findByTestId("register-error")).toHaveTextContent("已被使用，请换一个编号");
    expect(screen.getByTestId("register-number")).toHaveValue("鹤山镇收〔2026〕8号");
    expect(onOpenTask).not.toHaveBeenCalled();
  });

  it("shows the registration and the way to the flow for a registered item", async () => {
    mocked.incomingDetail.mockResolvedValue(
      detail(
        { ...signed, receiptNumber: "鹤山镇收〔2026〕8号", flowId: "f9" },
        {
          registration: {
            flowId: "f9",
            receiptNumber: "鹤山镇收〔2026〕8号",
            fromOrgan: "鹤山市人民政府办公室",
            docNumber: "鹤府办〔2026〕3号",
            secrecy: null,
            urgency: "加急",
            copies: 3,
            registeredBy: "孙八",
            registeredAt: "2026-11-27T10:10:00+08:00",
          },
          taskId: "t-chushen",
        },
      ),
    );
    const user = userEvent.setup();
    const { onOpenTask } = renderPage("incomingRegistered");
    await user.click((await screen.findAllByTestId("incoming-row"))[0]);
    expect(await screen.findByTestId("incoming-registration")).toHaveTextContent("鹤山镇收〔2026〕8号");
    await user.click(screen.getByTestId("incoming-open-flow"));
    expect(onOpenTask).toHaveBeenCalledWith("t-chushen");
  });
});
