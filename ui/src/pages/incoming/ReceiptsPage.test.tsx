import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as ipc from "../../lib/ipc";
import { renderInApp } from "../../test/render";
import { ReceiptsPage } from "./ReceiptsPage";

vi.mock("../../lib/ipc", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../lib/ipc")>();
  return { ...actual, receiptOverview: vi.fn() };
});

const mocked = vi.mocked(ipc);

const sent: ipc.SentDocumentRow[] = [
  {
    documentId: "d1",
    title: "关于做好春耕备耕工作的通知",
    docNumber: "鹤府办〔2026〕3号",
    recipients: [
      { organ: "鹤山镇人民政府", signed: true, signedBy: "孙八", signedAt: "2026-11-27T10:05:00+08:00" },
      { organ: "共和镇人民政府", signed: false, signedBy: null, signedAt: null },
    ],
    signed: 1,
    total: 2,
    latest: "2026-11-27T10:06:00+08:00",
  },
  {
    documentId: "d2",
    title: "关于召开全县乡村振兴工作推进会的通知",
    docNumber: null,
    recipients: [{ organ: "鹤山镇人民政府", signed: true, signedBy: "孙八", signedAt: "2026-11-26T08:00:00+08:00" }],
    signed: 1,
    total: 1,
    latest: null,
  },
];

describe("回执", () => {
  beforeEach(() => mocked.receiptOverview.mockResolvedValue(sent));

  it("lists each sent document with every recipient signed or not, who and when", async () => {
    renderInApp(<ReceiptsPage reloadKey={0} lastSyncedAt={null} />);
    const docs = await screen.findAllByTestId("receipt-document");
    expect(docs).toHaveLength(2);
    expect(within(docs[0]).getByTestId("receipt-progress")).toHaveTextContent("已签收 1/2");
    const rows = within(docs[0]).getAllByTestId("receipt-row");
    expect(rows.map((r) => r.getAttribute("data-state"))).toEqual(["signed", "unsigned"]);
    expect(within(rows[0]).getByTestId("receipt-signed-by")).toHaveTextContent("孙八");
    expect(within(rows[0]).getByTestId("receipt-signed-at")).toHaveTextContent("2026年11月27日");
    expect(within(rows[1]).getByText("未签收")).toBeInTheDocument();
  });

  it("narrows to documents some recipient has not signed yet", async () => {
    const user = userEvent.setup();
    renderInApp(<ReceiptsPage reloadKey={0} lastSyncedAt={null} />);
    await screen.findAllByTestId("receipt-document");
    await user.click(screen.getByText("只看有未签收单位的"));
    const docs = screen.getAllByTestId("receipt-document");
    expect(docs).toHaveLength(1);
    expect(docs[0]).toHaveAttribute("data-document-id", "d1");
  });

  it("says what the page is for when nothing was sent yet", async () => {
    mocked.receiptOverview.mockResolvedValue([]);
    renderInApp(<ReceiptsPage reloadKey={0} lastSyncedAt={null} />);
    expect(await screen.findByText("暂无发文回执")).toBeInTheDocument();
    expect(screen.getByText(/尚未签收的单位也会列出/)).toBeInTheDocument();
  });
});
