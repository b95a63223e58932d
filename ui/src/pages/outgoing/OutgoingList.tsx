import { ArrowDownOutlined, ArrowUpOutlined } from "@ant-design/icons";
import { Button, Tag, Tooltip, Typography } from "antd";
import { useCallback, useMemo, useState } from "react";
import { DocList, FILTERS, UrgencyTag, type ChoiceOption, type FilterSpec, type ListQuery } from "../../components/DocList";
import type { DocColumn } from "../../components/DocTable";
import * as ipc from "../../lib/ipc";
import "./Outgoing.css";

/** The year choice that lists every year. */
export const ALL_YEARS = "all";

/** The 回执 filter's choices, as the client takes them. */
export const RECEIPT_CHOICES = ["未核发", "待签收", "已签收"] as const;

const STATE_COLOR: Record<string, string> = {
  to_print: "gold",
  to_dispatch: "orange",
  dispatched: "green",
  terminated: "default",
  in_progress: "blue",
};

/** "11-28" for a time this year, "2025-11-28" before, in China time. */
function shortDay(iso: string, now: Date = new Date()): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return "";
  const china = new Date(t.getTime() + 8 * 3600_000);
  const pad = (n: number) => String(n).padStart(2, "0");
  const md = `${pad(china.getUTCMonth() + 1)}-${pad(china.getUTCDate())}`;
  const thisYear = new Date(now.getTime() + 8 * 3600_000).getUTCFullYear();
  return china.getUTCFullYear() === thisYear ? md : `${china.getUTCFullYear()}-${md}`;
}

/** 待印制, 待核发, 已核发 (with its day), 已终止, or 办理中 with where it is. */
export function IssueTag({ row }: { row: ipc.OutgoingRow }) {
  const tag = (
    <Tag color={STATE_COLOR[row.state] ?? "default"} className="gw-outgoing-state" data-testid="outgoing-state">
      {row.stateLabel}
      {row.dispatchedAt ? ` ${shortDay(row.dispatchedAt)}` : ""}
    </Tag>
  );
  return row.state === "in_progress" ? <Tooltip title={`当前：${row.nowAt}`}>{tag}</Tooltip> : tag;
}

/** The 文号, or 待编号 while the server has not numbered a 登记 done offline. */
export function NumberCell({ row }: { row: ipc.OutgoingRow }) {
  if (row.docNumber) return <span data-testid="outgoing-number">{row.docNumber}</span>;
  return (
    <Tooltip title="已在本机登记，联网同步后由服务器分配文号">
      <Tag color="blue" data-testid="outgoing-number-pending">
        待编号
      </Tag>
    </Tooltip>
  );
}

/** 3/5 已签收 once sent; a dash before. */
function ReceiptCell({ row }: { row: ipc.OutgoingRow }) {
  if (row.state !== "dispatched") return <Typography.Text type="secondary">—</Typography.Text>;
  const complete = row.receiptsSigned >= row.receiptsTotal;
  return (
    <Typography.Text type={complete ? "success" : undefined} strong={!complete} data-testid="outgoing-receipts">
      {row.receiptsSigned}/{row.receiptsTotal} 已签收
    </Typography.Text>
  );
}

function columns(ascending: boolean, toggleOrder: () => void): DocColumn<ipc.OutgoingRow>[] {
  const orderHint = ascending ? "文号从小到大，点击改为从大到小" : "文号从大到小（最新的在前），点击改为从小到大";
  return [
    {
      key: "docNumber",
      width: 148,
      title: (
        <Tooltip title={orderHint}>
          <Button
            type="text"
            size="small"
            className="gw-sort-button"
            onClick={toggleOrder}
            // Enter on the button sorts; it must not open the selected row.
            onKeyDown={(e) => e.stopPropagation()}
            aria-label={orderHint}
            data-testid="sort-number"
          >
            文号 {ascending ? <ArrowUpOutlined /> : <ArrowDownOutlined />}
          </Button>
        </Tooltip>
      ),
      render: (_: unknown, row) => <NumberCell row={row} />,
    },
    {
      title: "标题",
      dataIndex: "title",
      ellipsis: true,
      render: (title: string, row) => (
        <span className="gw-queue-title">
          <span data-testid="outgoing-title">{title || "（无标题）"}</span>
          {row.pendingSync && (
            <Tooltip title="已在本机办理，联网后自动同步到服务器">
              <Tag color="blue" className="gw-pending-tag">
                待同步
              </Tag>
            </Tooltip>
          )}
        </span>
      ),
    },
    // Too narrow (DocTable's dropOrder): 文种 first, then 签发人, 成文日期, and 主送 last.
    { title: "文种", dataIndex: "docType", width: 60, dropOrder: 1, render: (t: string | null) => t ?? "—" },
    {
      title: "缓急·密级",
      key: "marks",
      width: 104,
      render: (_: unknown, row) => (
        <span className="gw-outgoing-marks">
          <UrgencyTag urgency={row.urgency} />
          {row.secrecy && <Tag color="red">{row.secrecy.split("★")[0]}</Tag>}
        </span>
      ),
    },
    {
      title: "主送",
      key: "main",
      width: 150,
      ellipsis: true,
      dropOrder: 4,
      render: (_: unknown, row) => row.mainRecipients.join("、") || "—",
    },
    { title: "签发人", key: "signers", width: 76, ellipsis: true, dropOrder: 2, render: (_: unknown, row) => row.signers.join("、") || "—" },
    { title: "成文日期", dataIndex: "docDate", width: 96, dropOrder: 3, render: (d: string | null) => d ?? "—" },
    { title: "核发", key: "state", width: 112, render: (_: unknown, row) => <IssueTag row={row} /> },
    { title: "回执", key: "receipts", width: 96, render: (_: unknown, row) => <ReceiptCell row={row} /> },
  ];
}

export interface OutgoingListProps {
  onOpen: (row: ipc.OutgoingRow) => void;
  reloadKey: number;
  lastSyncedAt: string | null | undefined;
  /** This year (China time); a prop so tests can fix it. */
  thisYear: number;
}

/**
 * 发文登记簿: this organ's 发文 numbered at 登记, newest number first; filters for the year
 * (this year to begin with), 文种, 回执 and title or 文号.
 */
export function OutgoingList({ onOpen, reloadKey, lastSyncedAt, thisYear }: OutgoingListProps) {
  const [ascending, setAscending] = useState(false);
  /** Years with registered documents, as the last page said. */
  const [years, setYears] = useState<number[]>([]);

  const fetchPage = useCallback(
    async (query: ListQuery, offset: number, limit: number) => {
      const request: ipc.OutgoingQuery = {};
      if (query.year && query.year !== ALL_YEARS) request.year = Number(query.year);
      if (query.docType) request.docType = query.docType;
      if (query.text) request.text = query.text;
      if (query.receipts) request.receipts = query.receipts;
      if (ascending) request.ascending = true;
      const page = await ipc.outgoingRegister(request, offset, limit);
      setYears(page.years);
      return { rows: page.rows, hasMore: page.hasMore, total: Number(page.total) };
    },
    [ascending],
  );

  const filters = useMemo<FilterSpec[]>(() => {
    const known = [...new Set([thisYear, ...years])].sort((a, b) => b - a);
    const yearOptions: ChoiceOption[] = [
      ...known.map((y) => ({ value: String(y), label: `${y}年` })),
      { value: ALL_YEARS, label: "全部年份" },
    ];
    return [
      { kind: "choice", field: "year", label: "年份", width: 110, options: yearOptions, testId: "outgoing-filter-year" },
      { ...FILTERS.docType, testId: "outgoing-filter-type" },
      { kind: "choice", field: "receipts", label: "回执情况", width: 120, options: RECEIPT_CHOICES, testId: "outgoing-filter-receipts" },
      { kind: "search", label: "按标题或文号查找", width: 220, testId: "outgoing-search" },
    ];
  }, [thisYear, years]);

  const toggleOrder = useCallback(() => setAscending((a) => !a), []);
  const cols = useMemo(() => columns(ascending, toggleOrder), [ascending, toggleOrder]);
  const initialChoices = useMemo(() => ({ year: String(thisYear) }), [thisYear]);

  return (
    <DocList<ipc.OutgoingRow>
      fetchPage={fetchPage}
      filters={filters}
      columns={cols}
      rowKey={(row) => row.documentId}
      testIds={{ row: "outgoing-row", loading: "outgoing-loading" }}
      rowAttributes={(row) => ({ "data-document-id": row.documentId })}
      rowClassName={(row) => (row.state === "terminated" ? "gw-row-terminated" : "")}
      onOpen={onOpen}
      initialChoices={initialChoices}
      empty={{
        title: "暂无发文登记",
        hint: "本单位签发的公文在“登记”环节取得文号后会列在这里，可按年份、文种、文号查找，打开即可预览和打印。往年的发文请在“年份”中选择。",
        filteredTitle: "没有符合条件的发文",
      }}
      reloadKey={reloadKey}
      lastSyncedAt={lastSyncedAt}
    />
  );
}
