import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { App as AntApp, ConfigProvider } from "antd";
import zhCN from "antd/locale/zh_CN";
import { describe, expect, it, vi } from "vitest";
import * as ipc from "../../lib/ipc";
import { renderInApp } from "../../test/render";
import { RegisterDialog } from "./RegisterDialog";

vi.mock("../../lib/ipc", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../lib/ipc")>();
  return { ...actual, suggestReceiptNumber: vi.fn(), incomingRoutes: vi.fn() };
});

const mocked = vi.mocked(ipc);

const row: ipc.IncomingRow = {
  id: "in-1",
  title: "关于做好春耕备耕工作的通知",
  docNumber: "鹤府办〔2026〕3号",
  docType: "通知",
  urgency: "加急",
  secrecy: null,
  fromOrgan: "鹤山市人民政府办公室",
  fromCode: "鹤府办",
  deliveredAt: "2026-11-27T09:00:00+08:00",
  status: "signed",
  statusLabel: "已签收",
  signedBy: "张三",
  signedAt: "2026-11-27T10:00:00+08:00",
  receiptNumber: null,
  flowId: null,
  files: 0,
};

function detailOf(row: ipc.IncomingRow): ipc.IncomingDetail {
  return { row, document: { title: row.title }, sentBy: "李明", toOrgan: "鹤山镇人民政府", files: [], registration: null, signRejected: null, taskId: null };
}

describe("登记 dialog", () => {
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
