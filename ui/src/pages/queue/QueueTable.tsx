import { Tag, Tooltip } from "antd";
import { useCallback, useMemo } from "react";
import { DocList, FILTERS, UrgencyTag, type FilterSpec, type ListQuery } from "../../components/DocList";
import type { DocColumn } from "../../components/DocTable";
import * as ipc from "../../lib/ipc";
import { formatDateTime, formatDue, formatListTime } from "../../lib/format";
import * as early from "../../lib/early";
import { markTodoPainted } from "../../lib/startupProbe";

export interface QueueSpec {
  name: ipc.QueueName;
  /** The empty state's first line, e.g. 暂无待办事项. */
  emptyTitle: string;
  /** What the user can do about it. */
  emptyHint: string;
  /** 办理 or 查看, on each row. */
  actionLabel: string;
}

function TitleCell({ row }: { row: ipc.QueueRow }) {
  return (
    <span className="gw-queue-title">
      <span className={row.status === "open" ? "gw-queue-title-open" : undefined} data-testid="queue-title">
        {row.title || "（无标题）"}
      </span>
      {row.reminded && row.status === "open" && (
        <Tooltip
          title={`${row.reminded.fromName} 于 ${formatDateTime(row.reminded.at)} 催办${
            row.reminded.message ? `：${row.reminded.message}` : ""
          }`}
        >
          <Tag color={row.reminded.seen ? "default" : "volcano"} className="gw-pending-tag" data-testid="reminded">
            已催办
          </Tag>
        </Tooltip>
      )}
      {row.pendingSync && (
        <Tooltip title="已在本机办理，联网后自动同步到服务器">
          <Tag color="blue" className="gw-pending-tag" data-testid="pending-sync">
            待同步
          </Tag>
        </Tooltip>
      )}
    </span>
  );
}

function DueCell({ row }: { row: ipc.QueueRow }) {
  const text = formatDue(row.dueAt, row.overdue);
  return <span className={row.overdue ? "gw-cell-danger" : undefined}>{text}</span>;
}

function columnsFor(name: ipc.QueueName, actionLabel: string): DocColumn<ipc.QueueRow>[] {
  const urgency = {
    title: "紧急程度",
    dataIndex: "urgency",
    width: 88,
    render: (u: string | null) => <UrgencyTag urgency={u} />,
  };
  const title = { title: "标题", dataIndex: "title", ellipsis: true, render: (_: string, row: ipc.QueueRow) => <TitleCell row={row} /> };
  // When the list is too narrow (DocTable's dropOrder): 文种 goes first (the title says it),
  // then the step, then the sender; 文号 last where it shows (the handled documents).
  const docType = { title: "文种", dataIndex: "docType", width: 64, dropOrder: 1, render: (t: string | null) => t ?? "—" };
  const from = (width: number) => ({
    title: "来文单位/拟稿单位",
    dataIndex: "fromOrgan",
    width,
    ellipsis: true,
    dropOrder: 3,
    render: (o: string | null) => o ?? "—",
  });
  /** Once 登记 gave one: most useful where my documents are tracked (在办, 已办). */
  const docNumber = {
    title: "文号",
    dataIndex: "docNumber",
    width: 140,
    ellipsis: true,
    dropOrder: 4,
    render: (n: string | null) => n ?? "—",
  };
  const action = {
    title: "操作",
    key: "action",
    width: 64,
    // The row opens on click or Enter (DocList); the word is its visible cue.
    render: () => <span className="gw-cell-link">{actionLabel}</span>,
  };
  switch (name) {
    case "done":
    case "read":
      return [
        urgency,
        title,
        docType,
        docNumber,
        from(120),
        { title: "办理环节", dataIndex: "stepName", width: 84, dropOrder: 2 },
        { title: "我的意见", dataIndex: "opinion", width: 110, ellipsis: true, render: (o: string | null) => o ?? "—" },
        { title: "办理时间", dataIndex: "doneAt", width: 96, render: (at: string | null) => (at ? formatListTime(at) : "—") },
        { title: "当前位置", dataIndex: "nowAt", width: 110, ellipsis: true },
        action,
      ];
    case "sent":
      return [
        urgency,
        title,
        docType,
        docNumber,
        { title: "送审时间", dataIndex: "since", width: 110, render: (at: string) => formatListTime(at) },
        { title: "当前位置", dataIndex: "nowAt", width: 160, ellipsis: true },
      ];
    default:
      return [
        urgency,
        title,
        docType,
        from(170),
        { title: "当前环节", dataIndex: "stepName", width: 84, dropOrder: 2 },
        { title: "收到时间", dataIndex: "since", width: 104, render: (at: string) => formatListTime(at) },
        {
          title: "办理时限",
          dataIndex: "dueAt",
          width: 124,
          render: (_: string | null, row: ipc.QueueRow) => <DueCell row={row} />,
        },
        action,
      ];
  }
}

/** The filters of a queue: the date is the one its rows are sorted by. */
function filtersFor(name: ipc.QueueName): FilterSpec[] {
  const dateLabel = name === "done" || name === "read" ? "办理时间" : name === "sent" ? "送审时间" : "收到时间";
  return [
    FILTERS.docType,
    ...(name !== "done" && name !== "read" ? [FILTERS.urgency] : []),
    ...(name !== "sent" ? [{ ...FILTERS.fromOrgan, testId: "filter-organ" }] : []),
    { kind: "dates", label: dateLabel, testId: "filter-dates" },
    { kind: "search", label: "按标题查找", width: 200 },
  ];
}

export interface QueueTableProps {
  spec: QueueSpec;
  /** Opens a row (its task); 在办 rows have no task and open nothing. */
  onOpen: (row: ipc.QueueRow) => void;
  /** Changes when something elsewhere changed the queues: reload the page. */
  reloadKey: number;
  /** When the last sync succeeded, for the empty state. */
  lastSyncedAt: string | null | undefined;
}

/** One queue (待办, 已办, 在办 …) as a document list, drawn from the local store. */
export function QueueTable({ spec, onOpen, reloadKey, lastSyncedAt }: QueueTableProps) {
  const fetchPage = useCallback(
    (query: ListQuery, offset: number, limit: number) => early.queuePage(spec.name, query, offset, limit),
    [spec.name],
  );
  const columns = useMemo(() => columnsFor(spec.name, spec.actionLabel), [spec.name, spec.actionLabel]);
  const filters = useMemo(() => filtersFor(spec.name), [spec.name]);
  return (
    <DocList<ipc.QueueRow>
      fetchPage={fetchPage}
      filters={filters}
      columns={columns}
      rowKey={(row) => row.taskId ?? row.flowId}
      testIds={{ row: "queue-row", loading: "queue-loading" }}
      rowClassName={(row) => (row.overdue ? "gw-row-overdue" : "")}
      openable={(row) => row.taskId !== null}
      onOpen={onOpen}
      empty={{ title: spec.emptyTitle, hint: spec.emptyHint, filteredTitle: "没有符合条件的公文" }}
      reloadKey={reloadKey}
      lastSyncedAt={lastSyncedAt}
      // The desktop benchmark's end point: the first page of 待办 on screen.
      onShown={spec.name === "todo" ? markTodoPainted : undefined}
    />
  );
}
