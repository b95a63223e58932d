import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import dayjs from "dayjs";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as ipc from "../../lib/ipc";
import { last } from "../../test/last";
import { renderInApp } from "../../test/render";
import { TaskPage } from "../task/TaskPage";
import { addWorkingDays, departments } from "./AssignmentPanel";

vi.mock("../../lib/ipc", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../lib/ipc")>();
  return { ...actual, taskView: vi.fn(), act: vi.fn(), directory: vi.fn(), instructTask: vi.fn() };
});
vi.mock("../../components/PdfPreview", () => ({ PdfPreview: () => <div data-testid="pdf-preview" /> }));

const mocked = vi.mocked(ipc);

const people: ipc.PersonRow[] = [
  { id: "li", name: "李四", organ: "鹤山镇", dept: "财政所", roles: [] },
  { id: "wang", name: "王五", organ: "鹤山镇", dept: "财政所", roles: ["部门负责人"] },
  { id: "zhao", name: "赵六", organ: "鹤山镇", dept: "农业办", roles: [] },
  { id: "qian", name: "钱七", organ: "鹤山镇", dept: "", roles: ["分管领导"] },
];

function instructTask(required: boolean): ipc.TaskDetail {
  return {
    taskId: "t-pb",
    stepName: "批办",
    assigneeName: "钱七",
    status: "open",
    statusLabel: "待办",
    dueAt: null,
    overdue: false,
    contentHash: "sha256:abc",
    document: { title: "关于做好春耕备耕工作的通知" },
    actions: [
      { action: "approve", label: "同意" },
      { action: "return", label: "退回" },
    ],
    nextChoice: { kind: "assignment", step: 5, required },
    returnTargets: [{ index: 3, name: "拟办" }],
    reminders: [],
    flow: {
      flowId: "f1",
      documentId: "in-1",
      title: "关于做好春耕备耕工作的通知",
      kind: "收文",
      route: "收文（一般）",
      ownerName: "孙八",
      status: "running",
      statusLabel: "办理中",
      nowAt: "批办（钱七）",
      createdAt: "2026-11-28T09:00:00+08:00",
      steps: [],
      opinions: [],
      pendingSync: 0,
    },
  };
}

describe("批办 in the task view", () => {
  beforeEach(() => {
    mocked.directory.mockResolvedValue(people);
    mocked.instructTask.mockResolvedValue({ flowId: "f1", action: "批办", seq: 9, nowAt: "承办（王五、赵六）", status: "办理中" });
  });

  it("a department is handled by its head, else by its first person", () => {
    const depts = departments(people);
    expect(depts.get("财政所")?.id).toBe("wang");
    expect(depts.get("农业办")?.id).toBe("zhao");
    expect(depts.has("")).toBe(false);
  });

  it("counts working days over the weekend", () => {
    // Friday 2026-11-27 + 1 working day = Monday 2026-11-30.
    expect(addWorkingDays(dayjs("2026-11-27"), 1).format("YYYY-MM-DD")).toBe("2026-11-30");
    expect(addWorkingDays(dayjs("2026-11-27"), 5).format("YYYY-MM-DD")).toBe("2026-12-04");
  });

  it("requires 主办 when 承办 has no fixed handlers, then sends the assignment", async () => {
    mocked.taskView.mockResolvedValue(instructTask(true));
    const onDone = vi.fn();
    const user = userEvent.setup();
    renderInApp(<TaskPage taskId="t-pb" backLabel="返回待办" onBack={() => {}} onDone={onDone} />);
    expect(await screen.findByTestId("assignment")).toHaveTextContent("批办（必填）");

    await user.click(screen.getByTestId("approve"));
    expect(await screen.findByTestId("act-error")).toHaveTextContent("请选择主办科室");
    expect(mocked.instructTask).not.toHaveBeenCalled();
    expect(mocked.act).not.toHaveBeenCalled();

    await user.click(screen.getByRole("combobox", { name: "主办科室" }));
    await user.click(last(await screen.findAllByText("财政所")));
    expect(await screen.findByText("主办承办人：王五")).toBeInTheDocument();
    await user.click(screen.getByRole("combobox", { name: "协办科室" }));
    await user.click(last(await screen.findAllByText("农业办")));
    await user.click(screen.getByText("3天"));
    await user.type(screen.getByTestId("opinion"), "请财政所牵头办理。");
    await user.click(screen.getByTestId("approve"));

    await waitFor(() =>
      expect(mocked.instructTask).toHaveBeenCalledWith({
        taskId: "t-pb",
        opinion: "请财政所牵头办理。",
        lead: { dept: "财政所", handler: "wang" },
        assist: [{ dept: "农业办", handler: "zhao" }],
        due: dayjs().add(3, "day").format("YYYY-MM-DD"),
        contentHash: "sha256:abc",
      }),
    );
    await waitFor(() => expect(onDone).toHaveBeenCalledWith(expect.objectContaining({ action: "批办" })));
  });

  it("approves without an assignment when 承办 has fixed handlers and none is chosen", async () => {
    mocked.taskView.mockResolvedValue(instructTask(false));
    mocked.act.mockResolvedValue({ flowId: "f1", action: "同意", seq: 3, nowAt: "承办（王五）", status: "办理中" });
    const user = userEvent.setup();
    renderInApp(<TaskPage taskId="t-pb" backLabel="返回待办" onBack={() => {}} onDone={() => {}} />);
    expect(await screen.findByTestId("assignment")).toHaveTextContent("批办");
    await user.click(screen.getByTestId("approve"));
    await waitFor(() => expect(mocked.act).toHaveBeenCalledWith(expect.objectContaining({ taskId: "t-pb", action: "approve" })));
    expect(mocked.instructTask).not.toHaveBeenCalled();
  });
});
