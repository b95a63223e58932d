import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as dialog from "../lib/dialog";
import * as ipc from "../lib/ipc";
import { last } from "../test/last";
import { renderInApp } from "../test/render";
import { PrintActions } from "./PrintActions";

vi.mock("../lib/ipc", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../lib/ipc")>();
  return { ...actual, printJob: vi.fn(), exportPdf: vi.fn(), getSettings: vi.fn(), printers: vi.fn() };
});
vi.mock("../lib/dialog", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../lib/dialog")>();
  return { ...actual, choosePdfPath: vi.fn() };
});

const mocked = vi.mocked(ipc);
const mockedDialog = vi.mocked(dialog);
const JOB: ipc.PrintJob = { form: "draftSheet", taskId: "t1" };
const SETTINGS: ipc.Settings = {
  profile: null,
  serverUrl: null,
  caFile: null,
  printer: null,
  copies: 1,
  syncIntervalSecs: 60,
  fontSize: "normal",
  notifications: true,
};

describe("PrintActions", () => {
  beforeEach(() => {
    mocked.printJob.mockResolvedValue({ printer: "Office_HP", jobId: "Office_HP-7", copies: 2 });
    mocked.exportPdf.mockResolvedValue({ path: "/home/u/通知.pdf", pages: 2, bytes: 1000 });
    mockedDialog.choosePdfPath.mockResolvedValue("/home/u/通知.pdf");
    mocked.getSettings.mockResolvedValue(SETTINGS);
    mocked.printers.mockResolvedValue({ printers: ["Office_HP", "Canon"], systemDefault: "Canon", problem: null });
  });

  it("proposes the printer and copies of 设置 · 打印, and prints with them", async () => {
    const user = userEvent.setup();
    mocked.getSettings.mockResolvedValue({ ...SETTINGS, printer: "Office_HP", copies: 3 });
    renderInApp(<PrintActions job={JOB} title="关于值班的通知" />);
    await user.click(screen.getByTestId("print"));
    await waitFor(() => expect(screen.getByLabelText("打印份数")).toHaveValue("3"));
    expect(await screen.findByTitle("Office_HP")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: /^打\s?印$/ }));
    await waitFor(() => expect(mocked.printJob).toHaveBeenCalledWith(JOB, 3, "Office_HP"));
  });

  it("offers the system's default printer by name when 设置 names none", async () => {
    const user = userEvent.setup();
    renderInApp(<PrintActions job={JOB} title="关于值班的通知" />);
    await user.click(screen.getByTestId("print"));
    expect(await screen.findByTitle("系统默认打印机（Canon）")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: /^打\s?印$/ }));
    await waitFor(() => expect(mocked.printJob).toHaveBeenCalledWith(JOB, 1, null));
  });

  it("prints the chosen number of copies", async () => {
    const user = userEvent.setup();
    renderInApp(<PrintActions job={JOB} title="关于值班的通知" />);
    await user.click(screen.getByTestId("print"));
    const copies = await screen.findByLabelText("打印份数");
    await user.clear(copies);
    await user.type(copies, "2");
    await user.click(screen.getByRole("button", { name: /^打\s?印$/ }));
    await waitFor(() => expect(mocked.printJob).toHaveBeenCalledWith(JOB, 2, null));
    expect(await screen.findByText("已发送到打印机“Office_HP”，共 2 份")).toBeInTheDocument();
  });

  it("explains a missing printer and offers 导出PDF in place", async () => {
    const user = userEvent.setup();
    mocked.printJob.mockRejectedValue(new ipc.CommandError("no_printer", "本机还没有默认打印机。请添加打印机，或先导出PDF再打印。"));
    renderInApp(<PrintActions job={JOB} title="关于值班的通知" />);
    await user.click(screen.getByTestId("print"));
    await user.click(await screen.findByRole("button", { name: /^打\s?印$/ }));
    const alert = await screen.findByTestId("print-error");
    expect(alert).toHaveTextContent("无法打印");
    expect(alert).toHaveTextContent("本机还没有默认打印机");
    await user.click(last(screen.getAllByRole("button", { name: "导出PDF" })));
    await waitFor(() => expect(mocked.exportPdf).toHaveBeenCalledWith(JOB, "/home/u/通知.pdf"));
  });

  it("exports where the user chose, with the title as the file name", async () => {
    const user = userEvent.setup();
    renderInApp(<PrintActions job={JOB} title="关于值班/节假日的通知" />);
    await user.click(screen.getByTestId("export-pdf"));
    await waitFor(() => expect(mocked.exportPdf).toHaveBeenCalledWith(JOB, "/home/u/通知.pdf"));
    expect(mockedDialog.choosePdfPath).toHaveBeenCalledWith("关于值班节假日的通知.pdf");
    expect(await screen.findByText(/已导出PDF（2 页）/)).toBeInTheDocument();
  });

  it("does nothing when the save dialog is cancelled", async () => {
    const user = userEvent.setup();
    mockedDialog.choosePdfPath.mockResolvedValue(null);
    renderInApp(<PrintActions job={JOB} title="通知" />);
    await user.click(screen.getByTestId("export-pdf"));
    await waitFor(() => expect(mockedDialog.choosePdfPath).toHaveBeenCalled());
    expect(mocked.exportPdf).not.toHaveBeenCalled();
  });

  it("is disabled until there is something to print", () => {
    renderInApp(<PrintActions job={null} title="" />);
    expect(screen.getByTestId("print")).toBeDisabled();
    expect(screen.getByTestId("export-pdf")).toBeDisabled();
  });
});
