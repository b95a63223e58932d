import { Button, Card, DatePicker, Flex, Input, Select, Skeleton, Table, Tag, Tooltip, Typography } from "antd";
import type { ColumnsType } from "antd/es/table";
import type { Dayjs } from "dayjs";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ListEmpty, rowKeyHandler } from "../../components/listKeys";
import * as ipc from "../../lib/ipc";
import { DOC_TYPES } from "../../lib/document";
import { formatDateTime, formatDue, formatListTime } from "../../lib/format";
import { markTodoPainted } from "../../lib/startupProbe";
import "./QueueTable.css";

/** Rows per page: a full 1366×768 screen, and fast from the local store. */
export const QUEUE_PAGE_SIZE = 50;

const URGENCY_COLOR: Record<string, string> = { 特急: "red", 加急: "orange" };

export interface QueueSpec {
  name: ipc.QueueName;
  /** The empty state's first line, e.g. 暂无待办事项. */
  emptyTitle: string;
  /** What the user can do about it. */
  emptyHint: string;
  /** 办理 or 查看, on each row. */
  actionLabel: string;
}

function UrgencyTag({ urgency }: { urgency: string | null }) {
  return urgency ? (
    <Tag color={URGENCY_COLOR[urgency]} className="gw-urgency">
      {urgency}
    </Tag>
  ) : (
    <Typography.Text type="secondary">—</Typography.Text>
  );
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
  if (row.overdue) {
    return (
      <Typography.Text type="danger" strong>
        {text}
      </Typography.Text>
    );
  }
  return <span>{text}</span>;
}

function columnsFor(name: ipc.QueueName, actionLabel: string): ColumnsType<ipc.QueueRow> {
  const urgency = {
    title: "紧急程度",
    dataIndex: "urgency",
    width: 88,
    render: (u: string | null) => <UrgencyTag urgency={u} />,
  };
  const title = { title: "标题", dataIndex: "title", ellipsis: true, render: (_: string, row: ipc.QueueRow) => <TitleCell row={row} /> };
  const docType = { title: "文种", dataIndex: "docType", width: 64, render: (t: string | null) => t ?? "—" };
  const from = {
    title: "来文单位/拟稿单位",
    dataIndex: "fromOrgan",
    width: 170,
    ellipsis: true,
    render: (o: string | null) => o ?? "—",
  };
  const action = {
    title: "操作",
    key: "action",
    width: 64,
    render: () => <Typography.Link>{actionLabel}</Typography.Link>,
  };
  switch (name) {
    case "done":
    case "read":
      return [
        urgency,
        title,
        docType,
        from,
        { title: "办理环节", dataIndex: "stepName", width: 84 },
        { title: "我的意见", dataIndex: "opinion", width: 150, ellipsis: true, render: (o: string | null) => o ?? "—" },
        { title: "办理时间", dataIndex: "doneAt", width: 104, render: (at: string | null) => (at ? formatListTime(at) : "—") },
        { title: "当前位置", dataIndex: "nowAt", width: 130, ellipsis: true },
        action,
      ];
    case "sent":
      return [
        urgency,
        title,
        docType,
        { title: "送审时间", dataIndex: "since", width: 110, render: (at: string) => formatListTime(at) },
        { title: "当前位置", dataIndex: "nowAt", width: 160, ellipsis: true },
      ];
    default:
      return [
        urgency,
        title,
        docType,
        from,
        { title: "当前环节", dataIndex: "stepName", width: 84 },
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

export interface QueueTableProps {
  spec: QueueSpec;
  /** Opens a row (its task); 在办 rows have no task and open nothing. */
  onOpen: (row: ipc.QueueRow) => void;
  /** Changes when something elsewhere changed the queues: reload the page. */
  reloadKey: number;
  /** When the last sync succeeded, for the empty state. */
  lastSyncedAt: string | null | undefined;
}

/**
 * One queue as a table: filters above, the rows of one page drawn from the local store, and
 * paging below. ↑/↓ move the selection, Enter opens it; a click opens a row.
 */
export function QueueTable({ spec, onOpen, reloadKey, lastSyncedAt }: QueueTableProps) {
  const [page, setPage] = useState(0);
  const [docType, setDocType] = useState<string>();
  const [urgency, setUrgency] = useState<string>();
  const [text, setText] = useState("");
  const [searchBox, setSearchBox] = useState("");
  const [dates, setDates] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const [fromOrgan, setFromOrgan] = useState<string>();
  /** Every 来文单位 seen in this queue, for the filter's choices. */
  const [organs, setOrgans] = useState<string[]>([]);
  const [data, setData] = useState<ipc.QueuePage>();
  const [error, setError] = useState<ipc.CommandError>();
  const [loading, setLoading] = useState(true);
  const [selected, setSelected] = useState(0);
  const generation = useRef(0);
  const wrapper = useRef<HTMLDivElement>(null);

  const query = useMemo<ipc.QueueQuery>(
    () => ({
      docType: docType ?? undefined,
      urgency: urgency ?? undefined,
      text: text.trim() || undefined,
      dateFrom: dates?.[0]?.format("YYYY-MM-DD"),
      dateTo: dates?.[1]?.format("YYYY-MM-DD"),
      fromOrgan: fromOrgan ?? undefined,
    }),
    [docType, urgency, text, dates, fromOrgan],
  );

  /** Reads the page again; `quiet` keeps the rows clickable (a reload after a background sync). */
  const load = useCallback((quiet = false) => {
    const mine = ++generation.current;
    if (!quiet) setLoading(true);
    ipc
      .queue(spec.name, query, page * QUEUE_PAGE_SIZE, QUEUE_PAGE_SIZE)
      .then((result) => {
        if (mine !== generation.current) return;
        setData(result);
        setError(undefined);
        const seen = result.rows.map((r) => r.fromOrgan).filter((o): o is string => Boolean(o));
        setOrgans((known) => {
          const more = seen.filter((o) => !known.includes(o));
          return more.length ? [...known, ...more].sort((a, b) => a.localeCompare(b, "zh-CN")) : known;
        });
      })
      .catch((raw: unknown) => {
        if (mine === generation.current) setError(ipc.CommandError.from(raw));
      })
      .finally(() => {
        if (mine === generation.current) setLoading(false);
      });
  }, [spec.name, query, page]);

  useEffect(() => {
    load();
  }, [load, reloadKey]);

  // After each background sync, what arrived (a new 待办, a 文号) shows without 刷新: a
  // quiet reload when the last sync time moves on (not when it is first read).
  const lastSync = useRef(lastSyncedAt);
  useEffect(() => {
    const before = lastSync.current;
    lastSync.current = lastSyncedAt;
    if (before && lastSyncedAt && before !== lastSyncedAt) load(true);
  }, [lastSyncedAt, load]);

  useEffect(() => {
    setPage(0);
    setSelected(0);
  }, [spec.name, query]);

  // The desktop benchmark's end point: the first page of 待办 on screen.
  useEffect(() => {
    if (spec.name === "todo" && data && !loading) markTodoPainted();
  }, [spec.name, data, loading]);

  const rows = data?.rows ?? [];
  const filtered = Boolean(docType || urgency || text.trim() || dates || fromOrgan);
  const dateLabel = spec.name === "done" || spec.name === "read" ? "办理时间" : spec.name === "sent" ? "送审时间" : "收到时间";
  const columns = useMemo(() => columnsFor(spec.name, spec.actionLabel), [spec.name, spec.actionLabel]);
  const openable = (row: ipc.QueueRow) => row.taskId !== null;

  const onKeyDown = rowKeyHandler(rows, selected, setSelected, onOpen, openable);

  const empty = (
    <ListEmpty
      filtered={filtered}
      filteredTitle="没有符合条件的公文"
      emptyTitle={spec.emptyTitle}
      emptyHint={spec.emptyHint}
      lastSyncedAt={lastSyncedAt}
    />
  );

  return (
    <Card variant="borderless" className="gw-card" styles={{ body: { padding: 0 } }}>
      <Flex className="gw-queue-filters" gap={8} align="center" wrap>
        <Select
          allowClear
          placeholder="文种"
          aria-label="按文种筛选"
          style={{ width: 110 }}
          value={docType}
          onChange={setDocType}
          options={DOC_TYPES.map((t) => ({ value: t, label: t }))}
        />
        {spec.name !== "done" && spec.name !== "read" && (
          <Select
            allowClear
            placeholder="紧急程度"
            aria-label="按紧急程度筛选"
            style={{ width: 110 }}
            value={urgency}
            onChange={setUrgency}
            options={["特急", "加急", "普通"].map((u) => ({ value: u, label: u }))}
          />
        )}
        {spec.name !== "sent" && (
          <Select
            allowClear
            showSearch
            placeholder="来文单位"
            aria-label="按来文单位筛选"
            style={{ width: 180 }}
            value={fromOrgan}
            onChange={setFromOrgan}
            options={organs.map((o) => ({ value: o, label: o }))}
            notFoundContent="列表中还没有来文单位"
            data-testid="filter-organ"
          />
        )}
        <DatePicker.RangePicker
          value={dates}
          onChange={(v) => setDates(v && (v[0] || v[1]) ? [v[0], v[1]] : null)}
          allowEmpty={[true, true]}
          placeholder={[`${dateLabel}从`, "到"]}
          aria-label={`按${dateLabel}筛选`}
          style={{ width: 250 }}
          data-testid="filter-dates"
        />
        <Input.Search
          allowClear
          placeholder="按标题查找"
          aria-label="按标题查找"
          style={{ width: 200 }}
          value={searchBox}
          onChange={(e) => {
            setSearchBox(e.target.value);
            if (!e.target.value) setText("");
          }}
          onSearch={(value) => setText(value)}
        />
        {filtered && (
          <Button
            type="link"
            onClick={() => {
              setDocType(undefined);
              setUrgency(undefined);
              setText("");
              setSearchBox("");
              setDates(null);
              setFromOrgan(undefined);
            }}
            data-testid="clear-filters"
          >
            清除筛选
          </Button>
        )}
      </Flex>
      {error ? (
        <div className="gw-queue-error">
          <Typography.Text type="danger">{error.message}</Typography.Text>
          <Button size="small" onClick={() => load()}>
            重试
          </Button>
        </div>
      ) : loading && !data ? (
        <div className="gw-queue-skeleton" data-testid="queue-loading">
          <Skeleton active title={false} paragraph={{ rows: 6 }} />
        </div>
      ) : (
        <div tabIndex={0} ref={wrapper} onKeyDown={onKeyDown} className="gw-queue-table" aria-label={`${spec.emptyTitle.replace("暂无", "")}列表`}>
          <Table<ipc.QueueRow>
            rowKey={(row) => row.taskId ?? row.flowId}
            size="middle"
            columns={columns}
            dataSource={rows}
            loading={loading}
            pagination={false}
            locale={{ emptyText: empty }}
            rowClassName={(row, index) =>
              [index === selected ? "gw-row-selected" : "", row.overdue ? "gw-row-overdue" : "", openable(row) ? "gw-row-openable" : ""].join(" ")
            }
            onRow={(row, index) => ({
              onClick: () => {
                setSelected(index ?? 0);
                if (openable(row)) onOpen(row);
              },
              "data-testid": "queue-row",
            } as React.HTMLAttributes<HTMLElement>)}
          />
          {(page > 0 || data?.hasMore) && (
            <Flex justify="flex-end" align="center" gap={8} className="gw-queue-pager">
              <Button size="small" disabled={page === 0} onClick={() => setPage((p) => p - 1)}>
                上一页
              </Button>
              <span>第 {page + 1} 页</span>
              <Button size="small" disabled={!data?.hasMore} onClick={() => setPage((p) => p + 1)}>
                下一页
              </Button>
            </Flex>
          )}
        </div>
      )}
    </Card>
  );
}
