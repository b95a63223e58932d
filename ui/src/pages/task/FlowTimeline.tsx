import { Tag, Timeline, Typography } from "antd";
import type { FlowDetail, HandlerLine, StepLine } from "../../lib/ipc";
import { formatDue, formatListTime } from "../../lib/format";

const STATE_COLOR: Record<string, string> = { done: "green", current: "blue", pending: "gray" };

function handlerText(h: HandlerLine): string {
  const who = h.signature ?? h.name;
  const when = h.actedAt ? ` ${formatListTime(h.actedAt)}` : "";
  return `${who} ${h.statusLabel}${when}`;
}

function Handler({ handler }: { handler: HandlerLine }) {
  const open = handler.status === "open";
  return (
    <div className="gw-flow-handler" data-testid="flow-handler">
      <span className={open ? "gw-flow-handler-open" : undefined}>{handlerText(handler)}</span>
      {open && handler.dueAt && (
        <Typography.Text type={handler.overdue ? "danger" : "secondary"} className="gw-flow-due">
          {formatDue(handler.dueAt, handler.overdue)}
        </Typography.Text>
      )}
      {handler.withdrawCause && <Typography.Text type="secondary">（{handler.withdrawCause}）</Typography.Text>}
      {handler.opinion && <div className="gw-flow-opinion">“{handler.opinion}”</div>}
    </div>
  );
}

function Step({ step }: { step: StepLine }) {
  return (
    <div className="gw-flow-step">
      <div className="gw-flow-step-head">
        <strong>{step.name}</strong>
        {step.handlers.length === 0 && (
          <Typography.Text type="secondary">{step.state === "pending" ? "尚未开始" : "—"}</Typography.Text>
        )}
        {step.handlers.length > 1 && <Tag className="gw-flow-mode">{step.mode}</Tag>}
        {step.state === "current" && <Tag color="blue">当前</Tag>}
      </div>
      {step.handlers.map((h) => (
        <Handler key={h.taskId} handler={h} />
      ))}
    </div>
  );
}

/** 流程: the route as steps, who acted, when and what they wrote ("李四 代 张三" for a delegate). */
export function FlowTimeline({ flow }: { flow: FlowDetail }) {
  return (
    <Timeline
      className="gw-flow"
      items={flow.steps.map((step) => ({
        key: step.index,
        color: STATE_COLOR[step.state] ?? "gray",
        content: <Step step={step} />,
      }))}
    />
  );
}
