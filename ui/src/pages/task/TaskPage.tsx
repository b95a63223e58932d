import { ArrowLeftOutlined } from "@ant-design/icons";
import { Alert, App, Button, Descriptions, Flex, Form, Input, Modal, Radio, Result, Segmented, Select, Skeleton, Space, Tag, Typography } from "antd";
import type { TextAreaRef } from "antd/es/input/TextArea";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { PdfPreview } from "../../components/PdfPreview";
import { PersonPicker } from "../../components/PersonPicker";
import { PrintActions } from "../../components/PrintActions";
import * as ipc from "../../lib/ipc";
import { formatDateTime, formatDue } from "../../lib/format";
import { AssignmentPanel, NO_ASSIGNMENT, departments, type AssignmentValue } from "../incoming/AssignmentPanel";
import { FlowTimeline } from "./FlowTimeline";
import "./TaskPage.css";
import { DETAIL_LABEL_STYLES } from "../../components/detailLabels";

/** Common phrases under the opinion box (常用语). */
export const COMMON_PHRASES = ["同意。", "已阅。", "拟同意，请领导审定。", "请按程序办理。", "请XX阅处。"];

/** Actions that ask for more than the opinion, and how. */
type DialogKind = "return" | "add-handler" | "transfer" | "terminate" | "remind" | "send-back";

const DIALOG_TITLES: Record<DialogKind, string> = {
  return: "退回",
  "add-handler": "加签",
  transfer: "转办",
  terminate: "终止流程",
  remind: "催办",
  "send-back": "退文",
};

/** Shown as the primary button; all others are ordinary buttons, destructive ones red. */
const DANGER = new Set(["return", "withdraw", "terminate", "send-back"]);
/** 修改正文 happens in the draft editor, not here. */
const HIDDEN = new Set(["edit"]);

export interface TaskPageProps {
  taskId: string;
  /** Back to the queue the task was opened from. */
  onBack: () => void;
  /** After an action: what was done, so the caller can open the next task or the queue. */
  onDone: (result: ipc.ActResult) => void;
  /** The label of the back button: 返回待办 … */
  backLabel: string;
}

interface DialogValues {
  reason?: string;
  step?: number;
  person?: string;
  position?: "after" | "before";
  message?: string;
}

/**
 * 办理: the document as it will print on the left; on the right the flow, the opinion box with
 * common phrases, and exactly the actions the current step allows. Ctrl+Enter = 同意 with the
 * typed opinion. A refused action says why in place and keeps what was typed.
 */
export function TaskPage({ taskId, onBack, onDone, backLabel }: TaskPageProps) {
  const { message, modal } = App.useApp();
  const [task, setTask] = useState<ipc.TaskDetail>();
  const [loadError, setLoadError] = useState<ipc.CommandError>();
  const [opinion, setOpinion] = useState("");
  const [nextHandlers, setNextHandlers] = useState<string[]>([]);
  /** 批办 (收文): 主办/协办 departments and 办理时限 for 承办. */
  const [assignment, setAssignment] = useState<AssignmentValue>(NO_ASSIGNMENT);
  /** The preview's tab: the document (正文) or the flow's form (稿纸). */
  const [sheet, setSheet] = useState<"document" | "sheet">("document");
  const [busy, setBusy] = useState(false);
  const [actError, setActError] = useState<string>();
  const [dialog, setDialog] = useState<DialogKind>();
  const [form] = Form.useForm<DialogValues>();
  const opinionRef = useRef<TextAreaRef>(null);

  const load = useCallback(() => {
    setLoadError(undefined);
    ipc
      .taskView(taskId)
      .then(setTask)
      .catch((raw: unknown) => setLoadError(ipc.CommandError.from(raw)));
  }, [taskId]);

  useEffect(() => {
    setTask(undefined);
    setOpinion("");
    setNextHandlers([]);
    setAssignment(NO_ASSIGNMENT);
    setActError(undefined);
    load();
  }, [load]);

  const has = (action: string) => task?.actions.some((a) => a.action === action) ?? false;

  const run = useCallback(
    async (request: Omit<ipc.ActRequest, "taskId">) => {
      if (!task) return false;
      setBusy(true);
      setActError(undefined);
      try {
        const result = await ipc.act({ taskId: task.taskId, ...request });
        message.success(`已${result.action}，待同步${result.nowAt ? `。当前：${result.nowAt}` : ""}`);
        onDone(result);
        return true;
      } catch (raw) {
        setActError(ipc.CommandError.from(raw).message);
        return false;
      } finally {
        setBusy(false);
      }
    },
    [task, message, onDone],
  );

  /** 批办 with an assignment: the departments become the handlers of 承办. */
  const instruct = useCallback(async () => {
    if (!task || !assignment.leadDept) return;
    setBusy(true);
    setActError(undefined);
    try {
      const depts = departments(await ipc.directory());
      const choice = (dept: string) => ({ dept, handler: depts.get(dept)?.id ?? "" });
      const result = await ipc.instructTask({
        taskId: task.taskId,
        opinion: opinion.trim() || undefined,
        lead: choice(assignment.leadDept),
        assist: assignment.assistDepts.map(choice),
        due: assignment.due,
        contentHash: task.contentHash,
      });
      message.success(`已批办，待同步。当前：${result.nowAt}`);
      onDone(result);
    } catch (raw) {
      setActError(ipc.CommandError.from(raw).message);
    } finally {
      setBusy(false);
    }
  }, [task, assignment, opinion, message, onDone]);

  const approve = useCallback(() => {
    if (!task || busy) return;
    if (task.nextChoice.kind === "assignment") {
      if (assignment.leadDept) {
        void instruct();
        return;
      }
      if (task.nextChoice.required) {
        setActError("请选择主办科室，并确认办理时限。");
        return;
      }
    }
    const text = opinion.trim();
    const needsNext = task.nextChoice.kind === "handlers" && task.nextChoice.required;
    if (needsNext && nextHandlers.length === 0) {
      setActError("请选择下一环节的办理人。");
      return;
    }
    void run({
      action: has("approve") ? "approve" : "read",
      opinion: text || undefined,
      to: nextHandlers.length ? nextHandlers.join(",") : undefined,
      contentHash: task.contentHash,
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [task, busy, opinion, nextHandlers, run, assignment, instruct]);

  // Ctrl+Enter anywhere on the page approves with the typed opinion.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !dialog) {
        if (has("approve") || has("read")) {
          event.preventDefault();
          approve();
        }
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [approve, dialog, task]);

  const openDialog = (kind: DialogKind) => {
    form.resetFields();
    const targets = task?.returnTargets ?? [];
    form.setFieldsValue({
      reason: kind === "return" || kind === "terminate" || kind === "send-back" ? opinion : undefined,
      step: targets.length ? targets[targets.length - 1].index : undefined,
      position: "after",
      message: kind === "remind" ? "请尽快办理。" : undefined,
    });
    setDialog(kind);
  };

  const submitDialog = async () => {
    if (!dialog) return;
    let v: DialogValues;
    try {
      v = await form.validateFields();
    } catch {
      // The form shows what is missing beside the field.
      return;
    }
    const request: Omit<ipc.ActRequest, "taskId"> = (() => {
      switch (dialog) {
        case "return":
          return { action: "return", opinion: v.reason, step: v.step };
        case "add-handler":
          return { action: v.position === "before" ? "add-handler-before" : "add-handler", to: v.person, opinion: opinion.trim() || undefined };
        case "transfer":
          return { action: "transfer", to: v.person, opinion: opinion.trim() || undefined };
        case "terminate":
          return { action: "terminate", opinion: v.reason };
        case "remind":
          return { action: "remind", opinion: v.message?.trim() || undefined };
        case "send-back":
          return { action: "send-back", opinion: v.reason };
      }
    })();
    const go = async () => {
      if (await run(request)) setDialog(undefined);
    };
    if (dialog === "terminate") {
      modal.confirm({
        title: "确定终止这个流程吗？",
        content: "终止后所有人的待办都会收回，公文不再流转。此操作会记入审计记录，不能撤销。",
        okText: "终止流程",
        okButtonProps: { danger: true },
        cancelText: "取消",
        onOk: go,
      });
    } else {
      await go();
    }
  };

  const withdraw = () =>
    modal.confirm({
      title: "确定撤回吗？",
      content: "撤回您上一次的办理；下一环节的办理人尚未处理时才能撤回。",
      okText: "撤回",
      okButtonProps: { danger: true },
      cancelText: "取消",
      onOk: () => run({ action: "withdraw", opinion: opinion.trim() || undefined }),
    });

  const incoming = task?.flow.kind === "收文";
  const sheetLabel = incoming ? "收文处理笺" : "发文稿纸";
  const document = task?.document ?? null;
  const job = useMemo<ipc.PrintJob | null>(() => {
    if (!task) return null;
    if (sheet === "sheet") return { form: incoming ? "receiptSheet" : "draftSheet", taskId: task.taskId };
    return document ? { form: "document", document } : null;
  }, [task, sheet, incoming, document]);

  if (loadError) {
    return (
      <Result
        status={loadError.code === "not_found" ? "404" : "error"}
        title={loadError.code === "not_found" ? "找不到这项待办" : "无法打开这项待办"}
        subTitle={loadError.message}
        extra={
          <Space>
            <Button onClick={onBack}>{backLabel}</Button>
            <Button type="primary" onClick={load}>
              重试
            </Button>
          </Space>
        }
      />
    );
  }

  const buttons = (task?.actions ?? []).filter((a) => !HIDDEN.has(a.action) && a.action !== "approve" && a.action !== "read");
  const canApprove = has("approve") || has("read");
  const approveLabel = has("approve") ? (opinion.trim() ? "同意" : "圈阅") : "已阅";

  return (
    <div className="gw-task" data-task-id={taskId}>
      <div className="gw-task-preview">
        <PdfPreview
          job={job}
          leading={
            <Segmented
              size="small"
              value={sheet}
              onChange={(v) => setSheet(v as "document" | "sheet")}
              options={[
                { value: "document", label: "正文" },
                { value: "sheet", label: sheetLabel },
              ]}
              aria-label="预览内容"
              data-testid="preview-tabs"
            />
          }
          actions={<PrintActions job={job} title={sheet === "sheet" ? `${sheetLabel}-${task?.flow.title ?? ""}` : (task?.flow.title ?? "")} />}
        />
      </div>
      <aside className="gw-task-panel" aria-label="办理">
        <Button type="link" icon={<ArrowLeftOutlined />} onClick={onBack} className="gw-task-back">
          {backLabel}
        </Button>
        {!task ? (
          <Skeleton active paragraph={{ rows: 10 }} />
        ) : (
          <>
            <Typography.Title level={5} className="gw-task-title" data-testid="task-title">
              {task.flow.title || "（无标题）"}
            </Typography.Title>
            <Descriptions
              size="small"
              column={1}
              styles={DETAIL_LABEL_STYLES}
              items={[
                {
                  key: "step",
                  label: "当前环节",
                  children: (
                    <Space size={4}>
                      {task.stepName}
                      <Tag color={task.status === "open" ? "blue" : "default"}>{task.statusLabel}</Tag>
                    </Space>
                  ),
                },
                {
                  key: "due",
                  label: "办理时限",
                  children: task.dueAt ? (
                    <Typography.Text type={task.overdue ? "danger" : undefined} strong={task.overdue}>
                      {formatDue(task.dueAt, task.overdue)}
                    </Typography.Text>
                  ) : (
                    "—"
                  ),
                },
                { key: "now", label: "流程", children: `${task.flow.route} · ${task.flow.statusLabel}` },
                ...(task.flow.pendingSync > 0
                  ? [{ key: "sync", label: "同步", children: <Tag color="blue">{task.flow.pendingSync} 项待同步</Tag> }]
                  : []),
              ]}
            />
            {task.reminders.length > 0 && (
              <Alert
                type="warning"
                showIcon
                className="gw-task-error"
                data-testid="task-reminders"
                title={`已催办 ${task.reminders.length} 次`}
                description={task.reminders.map((r) => (
                  <div key={`${r.at}-${r.from}`}>
                    {r.fromName} 于 {formatDateTime(r.at)} 催办{r.message ? `：${r.message}` : ""}
                  </div>
                ))}
              />
            )}
            {canApprove || buttons.length > 0 ? (
              <>
                <div className="gw-task-section">意见</div>
                <Input.TextArea
                  ref={opinionRef}
                  autoFocus
                  value={opinion}
                  onChange={(e) => setOpinion(e.target.value)}
                  autoSize={{ minRows: 3, maxRows: 8 }}
                  maxLength={2000}
                  placeholder="填写办理意见；不填直接点“圈阅”表示已阅同意"
                  aria-label="办理意见"
                  data-testid="opinion"
                />
                <Flex wrap gap={4} className="gw-task-phrases">
                  <Typography.Text type="secondary">常用语：</Typography.Text>
                  {COMMON_PHRASES.map((p) => (
                    <Tag.CheckableTag
                      key={p}
                      checked={false}
                      onChange={() => {
                        setOpinion((o) => (o.trim() ? `${o.trimEnd()}${p}` : p));
                        opinionRef.current?.focus();
                      }}
                    >
                      {p}
                    </Tag.CheckableTag>
                  ))}
                </Flex>
                {task.nextChoice.kind === "handlers" && (
                  <div className="gw-task-next">
                    <PersonPicker
                      multiple
                      value={nextHandlers}
                      onChange={setNextHandlers}
                      placeholder="下一环节办理人：输入姓名或拼音首字母"
                      aria-label="下一环节办理人"
                      data-testid="next-handlers"
                    />
                  </div>
                )}
                {task.nextChoice.kind === "assignment" && (
                  <AssignmentPanel value={assignment} onChange={setAssignment} required={task.nextChoice.required} />
                )}
                {actError && (
                  <Alert type="error" showIcon title="未能提交" description={actError} className="gw-task-error" data-testid="act-error" />
                )}
                <Flex wrap gap={8} className="gw-task-actions">
                  {canApprove && (
                    <Button type="primary" onClick={approve} loading={busy} data-testid="approve">
                      {approveLabel} <span className="gw-kbd">Ctrl+Enter</span>
                    </Button>
                  )}
                  {buttons.map((b) => (
                    <Button
                      key={b.action}
                      danger={DANGER.has(b.action)}
                      disabled={busy}
                      onClick={() => (b.action === "withdraw" ? withdraw() : openDialog(b.action as DialogKind))}
                    >
                      {b.label}
                    </Button>
                  ))}
                </Flex>
              </>
            ) : (
              <Alert type="info" showIcon title="此事项已办理" description={`公文当前：${task.flow.nowAt}`} className="gw-task-error" />
            )}
            <div className="gw-task-section">流程</div>
            <FlowTimeline flow={task.flow} />
          </>
        )}
      </aside>
      <Modal
        open={dialog !== undefined}
        title={dialog ? DIALOG_TITLES[dialog] : ""}
        okText={dialog ? DIALOG_TITLES[dialog] : "确定"}
        okButtonProps={{ danger: dialog !== undefined && DANGER.has(dialog), loading: busy }}
        cancelText="取消"
        onOk={() => void submitDialog()}
        onCancel={() => setDialog(undefined)}
        destroyOnHidden
      >
        {actError && dialog && <Alert type="error" showIcon title={actError} className="gw-task-error" />}
        <Form form={form} layout="vertical" preserve={false}>
          {dialog === "return" && (
            <>
              <Form.Item name="step" label="退回到" rules={[{ required: true, message: "请选择退回到哪个环节" }]}>
                <Select options={(task?.returnTargets ?? []).map((t) => ({ value: t.index, label: t.name }))} />
              </Form.Item>
              <Form.Item name="reason" label="退回理由" rules={[{ required: true, whitespace: true, message: "退回必须填写理由" }]}>
                <Input.TextArea autoSize={{ minRows: 3 }} placeholder="说明需要修改的地方" />
              </Form.Item>
            </>
          )}
          {(dialog === "terminate" || dialog === "send-back") && (
            <Form.Item
              name="reason"
              label={dialog === "terminate" ? "终止理由" : "退文理由"}
              rules={[{ required: true, whitespace: true, message: "必须填写理由" }]}
            >
              <Input.TextArea autoSize={{ minRows: 3 }} />
            </Form.Item>
          )}
          {(dialog === "add-handler" || dialog === "transfer") && (
            <Form.Item
              name="person"
              label={dialog === "transfer" ? "转给" : "加签人"}
              rules={[{ required: true, whitespace: true, message: "请选择人员" }]}
            >
              <PersonPicker aria-label={dialog === "transfer" ? "转给" : "加签人"} data-testid="person-picker" />
            </Form.Item>
          )}
          {dialog === "add-handler" && (
            <Form.Item name="position" label="位置">
              <Radio.Group
                options={[
                  { value: "after", label: "在我之后" },
                  { value: "before", label: "在我之前" },
                ]}
              />
            </Form.Item>
          )}
          {dialog === "remind" && (
            <Form.Item name="message" label="催办内容">
              <Input.TextArea autoSize={{ minRows: 2 }} />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </div>
  );
}
