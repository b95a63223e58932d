import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { last } from "../../test/last";
import * as ipc from "../../lib/ipc";
import { renderInApp } from "../../test/render";
import type { ReactNode } from "react";
import { TaskPage } from "./TaskPage";

vi.mock("../../lib/ipc", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../lib/ipc")>();
  return { ...actual, taskView: vi.fn(), act: vi.fn(), directory: vi.fn() };
});
vi.mock("../../components/PdfPreview", () => ({
  PdfPreview: ({ job, leading }: { job: ipc.PrintJob | null; leading?: ReactNode }) => (
    <div data-testid="pdf-preview" data-form={job?.form ?? ""} data-task={job && "taskId" in job ? job.taskId : ""}>
      {leading}
    </div>
  ),
}));

const mocked = vi.mocked(ipc);

function task(overrides: Partial<ipc.TaskDetail> = {}): ipc.TaskDetail {
  return {
    taskId: "t1",
    stepName: "审核",
    assigneeName: "张三",
    status: "open",
    statusLabel: "待办",
    dueAt: "2026-11-30T17:00:00+08:00",
    overdue: false,
    contentHash: "sha256:abc",
    document: { title: "关于开展安全生产大检查的通知" },
    actions: [
      { action: "approve", label: "同意" },
      { action: "return", label: "退回" },
      { action: "transfer", label: "转办" },
      { action: "terminate", label: "终止" },
    ],
    nextChoice: { kind: "none", step: null, required: false },
    returnTargets: [{ index: 0, name: "起草" }],
    reminders: [],
    flow: {
      flowId: "f1",
      documentId: "d1",
      title: "关于开展安全生产大检查的通知",
      kind: "发文",
      route: "发文（一般）",
      ownerName: "李明",
      status: "running",
      statusLabel: "办理中",
      nowAt: "审核（张三）",
      createdAt: "2026-11-28T09:00:00+08:00",
      steps: [
        {
          index: 0,
          name: "起草",
          mode: "串签",
          state: "done",
          handlers: [
            {
              taskId: "t0",
              person: "李明",
              name: "李明",
              status: "approved",
              statusLabel: "同意",
              withdrawCause: null,
              signature: "赵六 代 李明",
              actedAt: "2026-11-28T09:00:00+08:00",
              opinion: "请审核。",
              dueAt: null,
              overdue: false,
            },
          ],
        },
        {
          index: 1,
          name: "审核",
          mode: "串签",
          state: "current",
          handlers: [
            {
              taskId: "t1",
              person: "张三",
              name: "张三",
              status: "open",
              statusLabel: "待办",
              withdrawCause: null,
              signature: null,
              actedAt: null,
              opinion: null,
              dueAt: "2026-11-30T17:00:00+08:00",
              overdue: false,
            },
          ],
        },
      ],
      opinions: [],
      pendingSync: 0,
    },
    ...overrides,
  };
}

const RESULT: ipc.ActResult = { flowId: "f1", action: "同意", seq: 7, nowAt: "审核（王五）", status: "办理中" };

describe("TaskPage", () => {
  beforeEach(() => {
    mocked.taskView.mockResolvedValue(task());
    mocked.act.mockResolvedValue(RESULT);
    mocked.directory.mockResolvedValue([
      { id: "wangwu", name: "王五", organ: "鹤山市人民政府办公室", dept: "办公室", roles: ["办公室主任"] },
      { id: "zhaoliu", name: "赵六", organ: "鹤山市人民政府办公室", dept: "办公室", roles: ["分管领导"] },
    ]);
  });

  it("previews the document or the flow's form: 发文稿纸 for 发文, 收文处理笺 for 收文", async () => {
    const user = userEvent.setup();
    renderInApp(<TaskPage taskId="t1" onBack={() => {}} onDone={() => {}} backLabel="返回待办" />);
    await screen.findByTestId("task-title");
    const preview = screen.getByTestId("pdf-preview");
    expect(preview).toHaveAttribute("data-form", "document");
    await user.click(screen.getByText("发文稿纸"));
    await waitFor(() => expect(preview).toHaveAttribute("data-form", "draftSheet"));
    expect(preview).toHaveAttribute("data-task", "t1");
  });

  it("offers 收文处理笺 for an incoming document", async () => {
    const user = userEvent.setup();
    const base = task();
    mocked.taskView.mockResolvedValue({ ...base, flow: { ...base.flow, kind: "收文" } });
    renderInApp(<TaskPage taskId="t1" onBack={() => {}} onDone={() => {}} backLabel="返回待办" />);
    await screen.findByTestId("task-title");
    await user.click(screen.getByText("收文处理笺"));
    await waitFor(() => expect(screen.getByTestId("pdf-preview")).toHaveAttribute("data-form", "receiptSheet"));
  });

  it("picks the next handlers from the directory and sends their ids", async () => {
    const user = userEvent.setup();
    const onDone = vi.fn();
    mocked.taskView.mockResolvedValue(task({ nextChoice: { kind: "handlers", step: 2, required: true } }));
    renderInApp(<TaskPage taskId="t1" onBack={() => {}} onDone={onDone} backLabel="返回待办" />);
    await screen.findByTestId("task-title");
    // Without a handler, approving says what is missing.
    await user.click(screen.getByTestId("approve"));
    expect(await screen.findByText("请选择下一环节的办理人。")).toBeInTheDocument();
    const picker = screen.getByRole("combobox", { name: "下一环节办理人" });
    await user.click(picker);
    await user.type(picker, "zl");
    await user.click(await screen.findByText("赵六"));
    await user.click(screen.getByTestId("approve"));
    await waitFor(() => expect(mocked.act).toHaveBeenCalledWith(expect.objectContaining({ action: "approve", to: "zhaoliu" })));
  });

  it("转办 picks the person from the directory", async () => {
    const user = userEvent.setup();
    renderInApp(<TaskPage taskId="t1" onBack={() => {}} onDone={() => {}} backLabel="返回待办" />);
    await user.click(await screen.findByRole("button", { name: /转\s?办/ }));
    const picker = await screen.findByRole("combobox", { name: "转给" });
    await user.click(picker);
    await user.type(picker, "王");
    await user.click(await screen.findByText("王五"));
    await user.click(last(screen.getAllByRole("button", { name: /转\s?办/ })));
    await waitFor(() => expect(mocked.act).toHaveBeenCalledWith(expect.objectContaining({ taskId: "t1", action: "transfer", to: "wangwu" })));
  });

  it("shows the flow with who acted, on whose behalf, and what they wrote", async () => {
    renderInApp(<TaskPage taskId="t1" onBack={() => {}} onDone={() => {}} backLabel="返回待办" />);
    expect(await screen.findByTestId("task-title")).toHaveTextContent("关于开展安全生产大检查的通知");
    expect(screen.getByText(/赵六 代 李明 同意/)).toBeInTheDocument();
    expect(screen.getByText("“请审核。”")).toBeInTheDocument();
    // Only the actions the step allows.
    expect(screen.getByRole("button", { name: /退\s?回/ })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /加\s?签/ })).not.toBeInTheDocument();
  });

  it("approves with the typed opinion on Ctrl+Enter, quoting the text's hash", async () => {
    const user = userEvent.setup();
    const onDone = vi.fn();
    renderInApp(<TaskPage taskId="t1" onBack={() => {}} onDone={onDone} backLabel="返回待办" />);
    const box = await screen.findByLabelText("办理意见");
    await user.type(box, "同意，请王主任审核。");
    await user.keyboard("{Control>}{Enter}{/Control}");
    await waitFor(() => expect(onDone).toHaveBeenCalledWith(RESULT));
    expect(mocked.act).toHaveBeenCalledWith({
      taskId: "t1",
      action: "approve",
      opinion: "同意，请王主任审核。",
      to: undefined,
      contentHash: "sha256:abc",
    });
  });

  it("says plainly why an action was refused and keeps the opinion", async () => {
    const user = userEvent.setup();
    mocked.act.mockRejectedValue(new ipc.CommandError("refused", "正文已被修改，请重新阅读后再办理"));
    const onDone = vi.fn();
    renderInApp(<TaskPage taskId="t1" onBack={() => {}} onDone={onDone} backLabel="返回待办" />);
    const box = await screen.findByLabelText("办理意见");
    await user.type(box, "同意。");
    await user.click(screen.getByTestId("approve"));
    expect(await screen.findByText("正文已被修改，请重新阅读后再办理")).toBeInTheDocument();
    expect(box).toHaveValue("同意。");
    expect(onDone).not.toHaveBeenCalled();
  });

  it("asks for a reason and the step before 退回", async () => {
    const user = userEvent.setup();
    renderInApp(<TaskPage taskId="t1" onBack={() => {}} onDone={() => {}} backLabel="返回待办" />);
    await user.click(await screen.findByRole("button", { name: /退\s?回/ }));
    const dialog = await screen.findByRole("dialog");
    await user.click(last(screen.getAllByRole("button", { name: /退\s?回/ })));
    expect(await screen.findByText("退回必须填写理由")).toBeInTheDocument();
    expect(mocked.act).not.toHaveBeenCalled();
    await user.type(dialog.querySelector("textarea")!, "请补充检查范围。");
    await user.click(last(screen.getAllByRole("button", { name: /退\s?回/ })));
    await waitFor(() =>
      expect(mocked.act).toHaveBeenCalledWith({ taskId: "t1", action: "return", opinion: "请补充检查范围。", step: 0 }),
    );
  });

  it("says when the task is gone", async () => {
    mocked.taskView.mockRejectedValue(new ipc.CommandError("not_found", "找不到任务“t1”，请刷新待办后重试"));
    renderInApp(<TaskPage taskId="t1" onBack={() => {}} onDone={() => {}} backLabel="返回待办" />);
    expect(await screen.findByText("找不到这项待办")).toBeInTheDocument();
    expect(screen.getByText("找不到任务“t1”，请刷新待办后重试")).toBeInTheDocument();
  });
});
