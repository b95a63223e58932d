import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { App as AntApp, ConfigProvider } from "antd";
import zhCN from "antd/locale/zh_CN";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { forgetDirectory } from "../../components/PersonPicker";
import * as ipc from "../../lib/ipc";
import { incomingRow } from "../../test/incoming";
import { last } from "../../test/last";
import { renderInApp } from "../../test/render";
import { RegisterDialog } from "./RegisterDialog";

vi.mock("../../lib/ipc", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../lib/ipc")>();
  return { ...actual, suggestReceiptNumber: vi.fn(), incomingRoutes: vi.fn(), firstStepPreview: vi.fn(), directory: vi.fn(), registerIncoming: vi.fn() };
});

const mocked = vi.mocked(ipc);

const row = incomingRow({
  status: "signed",
  statusLabel: "已签收",
  signedBy: "张三",
  signedAt: "2026-11-27T10:00:00+08:00",
  files: 0,
});

function detailOf(row: ipc.IncomingRow): ipc.IncomingDetail {
  return { row, document: { title: row.title }, sentBy: "李明", toOrgan: "鹤山镇人民政府", files: [], registration: null, signRejected: null, taskId: null };
}

const PEOPLE: ipc.PersonRow[] = [
  { id: "wang", name: "王五", organ: "鹤山镇人民政府", dept: "办公室", roles: ["办公室主任"] },
  { id: "li", name: "李四", organ: "鹤山镇人民政府", dept: "办公室", roles: ["部门负责人"] },
];

const RESULT = { incomingId: "in-1", flowId: "f-1", receiptNumber: "鹤山镇收〔2026〕8号", route: "收文（一般）", nowAt: "初审（李四）", outboxSeqs: [1, 2, 3], taskId: null } as unknown as ipc.RegisterResult;

describe("登记 dialog", () => {
  beforeEach(() => {
    forgetDirectory();
    mocked.directory.mockResolvedValue(PEOPLE);
    mocked.suggestReceiptNumber.mockResolvedValue("鹤山镇收〔2026〕8号");
    mocked.incomingRoutes.mockResolvedValue([]);
    mocked.firstStepPreview.mockReset();
    mocked.firstStepPreview.mockImplementation((_id, route) =>
      Promise.resolve(
        route === "请示件收文"
          ? { route, step: "拟办", handlers: [{ id: "li", name: "李四" }] }
          : { route: "收文（一般）", step: "初审", handlers: [{ id: "wang", name: "王五" }] },
      ),
    );
    mocked.registerIncoming.mockReset();
    mocked.registerIncoming.mockResolvedValue(RESULT);
  });

  it("leaves the first step to the route template unless the clerk picks its handler", async () => {
    const user = userEvent.setup();
    const onDone = vi.fn();
    renderInApp(<RegisterDialog open detail={detailOf(row)} onCancel={vi.fn()} onDone={onDone} />);
    await waitFor(() => expect(screen.getByTestId("register-number")).toHaveValue("鹤山镇收〔2026〕8号"));
    // The picker says who the template gives 初审 to.
    expect(await screen.findByText("按流程模板：王五")).toBeInTheDocument();
    expect(await screen.findByText("登记后“初审”由谁办理；留空则按流程模板（王五）。")).toBeInTheDocument();
    expect(mocked.firstStepPreview).toHaveBeenCalledWith("in-1", undefined);
    await user.click(screen.getByTestId("register-submit"));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith(RESULT));
    expect(mocked.registerIncoming.mock.calls[0][1].firstHandlers).toBeUndefined();
  });

  it("shows the first step's default handler of the route the clerk chose", async () => {
    mocked.incomingRoutes.mockResolvedValue([
      { name: "请示件收文", steps: ["签收", "登记", "拟办", "批办"], source: "标准" },
    ] as ipc.RouteChoice[]);
    const user = userEvent.setup();
    renderInApp(<RegisterDialog open detail={detailOf(row)} onCancel={vi.fn()} onDone={vi.fn()} />);
    expect(await screen.findByText("按流程模板：王五")).toBeInTheDocument();
    await user.click(screen.getByRole("combobox", { name: "办理流程" }));
    await waitFor(() => expect(screen.getAllByText("请示件收文").length).toBeGreaterThan(0));
    await user.click(last(screen.getAllByText("请示件收文")));
    expect(await screen.findByText("按流程模板：李四")).toBeInTheDocument();
    expect(await screen.findByText("登记后“拟办”由谁办理；留空则按流程模板（李四）。")).toBeInTheDocument();
    expect(mocked.firstStepPreview).toHaveBeenLastCalledWith("in-1", "请示件收文");
  });

  it("sends the handler the clerk picked for the first step", async () => {
    const user = userEvent.setup();
    const onDone = vi.fn();
    renderInApp(<RegisterDialog open detail={detailOf(row)} onCancel={vi.fn()} onDone={onDone} />);
    await waitFor(() => expect(screen.getByTestId("register-number")).toHaveValue("鹤山镇收〔2026〕8号"));
    const picker = screen.getByRole("combobox", { name: "首个办理人" });
    await user.click(picker);
    await user.type(picker, "李");
    await waitFor(() => expect(screen.getAllByTestId("person-option").map((o) => o.textContent)).toEqual(["李四部门负责人"]));
    await user.click(last(screen.getAllByText("李四")));
    await user.click(screen.getByTestId("register-submit"));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith(RESULT));
    expect(mocked.registerIncoming).toHaveBeenCalledWith("in-1", expect.objectContaining({ firstHandlers: ["li"] }));
  });
  it("keeps what the clerk typed when the document's detail is refreshed behind it", async () => {
    mocked.suggestReceiptNumber.mockResolvedValue("鹤山镇收〔2026〕8号");
    mocked.incomingRoutes.mockResolvedValue([]);
    const user = userEvent.setup();
    const { rerender } = renderInApp(<RegisterDialog open detail={detailOf(row)} onCancel={vi.fn()} onDone={vi.fn()} />);
    await waitFor(() => expect(screen.getByTestId("register-number")).toHaveValue("鹤山镇收〔2026〕8号"));
    await user.clear(screen.getByTestId("register-copies"));
    await user.type(screen.getByTestId("register-copies"), "3");

    // A background refresh hands the dialog a new detail object for the same document.
    rerender(
      <ConfigProvider locale={zhCN}>
        <AntApp>
          <RegisterDialog open detail={detailOf({ ...row })} onCancel={vi.fn()} onDone={vi.fn()} />
        </AntApp>
      </ConfigProvider>,
    );
    expect(screen.getByTestId("register-copies")).toHaveValue("3");
    expect(mocked.suggestReceiptNumber).toHaveBeenCalledTimes(1);
  });
});
