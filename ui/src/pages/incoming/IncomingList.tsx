import { Tag, Tooltip, Typography } from "antd";
import { useCallback, useMemo } from "react";
import { DocList, FILTERS, UrgencyTag, type FilterSpec, type ListQuery } from "../../components/DocList";
import type { DocColumn } from "../../components/DocTable";
import * as ipc from "../../lib/ipc";
import { formatListTime } from "../../lib/format";
import { SECRECY_LEVELS, type StageSpec } from "./stages";

/** The status tag of a row: 未签收, 已签收（待同步）, 已签收, or the 收文编号 once registered. */
export function StatusTag({ row }: { row: ipc.IncomingRow }) {
  if (row.receiptNumber) {
    return (
      <Tag color="green" data-testid="incoming-status">
        已登记
      </Tag>
    );
  }
  if (row.status === "sign_pending") {
    return (
      <Tooltip title="已在本机签收，联网后自动同步，回执随即发回来文单位">
        <Tag color="blue" data-testid="incoming-status">
          已签收 · 待同步
        </Tag>
      </Tooltip>
    );
  }
  return (
    <Tag color={row.status === "signed" ? "cyan" : "orange"} data-testid="incoming-status">
      {row.statusLabel}
    </Tag>
  );
}

function columns(spec: StageSpec): DocColumn<ipc.IncomingRow>[] {
  const registered = spec.stage === "registered";
  return [
    { title: "紧急程度", dataIndex: "urgency", width: 84, render: (u: string | null) => <UrgencyTag urgency={u} /> },
    {
      title: "标题",
      dataIndex: "title",
      ellipsis: true,
      render: (title: string, row) => (
        <span className="gw-queue-title">
          <span className={row.status === "unsigned" ? "gw-queue-title-open" : undefined} data-testid="incoming-title">
            {title || "（无标题）"}
          </span>
          {row.secrecy && <Tag color="red">{row.secrecy}</Tag>}
        </span>
      ),
    },
    ...(registered
      ? [{ title: "收文编号", dataIndex: "receiptNumber", width: 150, ellipsis: true, render: (n: string | null) => n ?? "—" }]
      : []),
    { title: "文号", dataIndex: "docNumber", width: 140, ellipsis: true, dropOrder: 1, render: (n: string | null) => n ?? "—" },
    { title: "来文单位", dataIndex: "fromOrgan", width: 170, ellipsis: true },
    { title: "送达时间", dataIndex: "deliveredAt", width: 104, render: (at: string) => formatListTime(at) },
    { title: "状态", key: "status", width: 118, render: (_: unknown, row) => <StatusTag row={row} /> },
    {
      title: "操作",
      key: "action",
      width: 64,
      render: (_: unknown, row) => (
        <Typography.Link>{row.status === "unsigned" ? "签收" : row.receiptNumber ? "查看" : "登记"}</Typography.Link>
      ),
    },
  ];
}

const FILTERS_INCOMING: FilterSpec[] = [
  { ...FILTERS.fromOrgan, testId: "incoming-filter-organ" },
  { ...FILTERS.urgency, testId: "incoming-filter-urgency" },
  { kind: "choice", field: "secrecy", label: "密级", width: 100, options: [...SECRECY_LEVELS, "非密"], testId: "incoming-filter-secrecy" },
  { kind: "dates", label: "送达日期", testId: "incoming-filter-dates" },
  { kind: "search", label: "按标题或文号查找", width: 210, testId: "incoming-search" },
];

export interface IncomingListProps {
  spec: StageSpec;
  onOpen: (row: ipc.IncomingRow) => void;
  reloadKey: number;
  lastSyncedAt: string | null | undefined;
}

/** One 收文 list (待签收, 待登记, 已登记) as a document list, with its count (共 N 件). */
export function IncomingList({ spec, onOpen, reloadKey, lastSyncedAt }: IncomingListProps) {
  const fetchPage = useCallback(
    async (query: ListQuery, offset: number, limit: number) => {
      const page = await ipc.incomingList(spec.stage, query, offset, limit);
      const total = Number(page.total);
      return { rows: page.rows, total, hasMore: offset + limit < total };
    },
    [spec.stage],
  );
  const cols = useMemo(() => columns(spec), [spec]);
  return (
    <DocList<ipc.IncomingRow>
      fetchPage={fetchPage}
      filters={FILTERS_INCOMING}
      columns={cols}
      rowKey={(row) => row.id}
      testIds={{ row: "incoming-row", loading: "incoming-loading" }}
      rowAttributes={(row) => ({ "data-incoming-id": row.id })}
      onOpen={onOpen}
      empty={{ title: spec.emptyTitle, hint: spec.emptyHint, filteredTitle: "没有符合条件的来文" }}
      reloadKey={reloadKey}
      lastSyncedAt={lastSyncedAt}
    />
  );
}
