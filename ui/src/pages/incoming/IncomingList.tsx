import { Button, Card, DatePicker, Flex, Input, Select, Skeleton, Table, Tag, Tooltip, Typography } from "antd";
import type { ColumnsType } from "antd/es/table";
import type { Dayjs } from "dayjs";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ListEmpty, rowKeyHandler } from "../../components/listKeys";
import * as ipc from "../../lib/ipc";
import { formatListTime } from "../../lib/format";
import { SECRECY_LEVELS, URGENCY_COLOR, type StageSpec } from "./stages";
import "../queue/QueueTable.css";

/** Rows per page: a full 1366×768 screen, and fast from the local store. */
export const INCOMING_PAGE_SIZE = 50;

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

function columns(spec: StageSpec): ColumnsType<ipc.IncomingRow> {
  const registered = spec.stage === "registered";
  return [
    {
      title: "紧急程度",
      dataIndex: "urgency",
      width: 84,
      render: (u: string | null) =>
        u ? (
          <Tag color={URGENCY_COLOR[u]} className="gw-urgency">
            {u}
          </Tag>
        ) : (
          <Typography.Text type="secondary">—</Typography.Text>
        ),
    },
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
    { title: "文号", dataIndex: "docNumber", width: 140, ellipsis: true, render: (n: string | null) => n ?? "—" },
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

export interface IncomingListProps {
  spec: StageSpec;
  onOpen: (row: ipc.IncomingRow) => void;
  reloadKey: number;
  lastSyncedAt: string | null | undefined;
}

/**
 * One 收文 list: filters (来文单位, 紧急程度, 密级, 送达日期, 标题或文号) above, one page of rows
 * from the local store, paging below. ↑/↓ move the selection, Enter opens it.
 */
export function IncomingList({ spec, onOpen, reloadKey, lastSyncedAt }: IncomingListProps) {
  const [page, setPage] = useState(0);
  const [urgency, setUrgency] = useState<string>();
  const [secrecy, setSecrecy] = useState<string>();
  const [fromOrgan, setFromOrgan] = useState<string>();
  const [dates, setDates] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const [text, setText] = useState("");
  const [searchBox, setSearchBox] = useState("");
  /** Every 来文单位 seen in this list, for the filter's choices. */
  const [organs, setOrgans] = useState<string[]>([]);
  const [data, setData] = useState<ipc.IncomingListPage>();
  const [error, setError] = useState<ipc.CommandError>();
  const [loading, setLoading] = useState(true);
  const [selected, setSelected] = useState(0);
  const generation = useRef(0);

  const query = useMemo<ipc.IncomingQuery>(
    () => ({
      fromOrgan: fromOrgan ?? undefined,
      urgency: urgency ?? undefined,
      secrecy: secrecy ?? undefined,
      dateFrom: dates?.[0]?.format("YYYY-MM-DD"),
      dateTo: dates?.[1]?.format("YYYY-MM-DD"),
      text: text.trim() || undefined,
    }),
    [fromOrgan, urgency, secrecy, dates, text],
  );

  const load = useCallback(() => {
    const mine = ++generation.current;
    setLoading(true);
    ipc
      .incomingList(spec.stage, query, page * INCOMING_PAGE_SIZE, INCOMING_PAGE_SIZE)
      .then((result) => {
        if (mine !== generation.current) return;
        setData(result);
        setError(undefined);
        setOrgans((known) => {
          const more = result.rows.map((r) => r.fromOrgan).filter((o) => o && !known.includes(o));
          return more.length ? [...new Set([...known, ...more])].sort((a, b) => a.localeCompare(b, "zh-CN")) : known;
        });
      })
      .catch((raw: unknown) => {
        if (mine === generation.current) setError(ipc.CommandError.from(raw));
      })
      .finally(() => {
        if (mine === generation.current) setLoading(false);
      });
  }, [spec.stage, query, page]);

  useEffect(() => {
    load();
  }, [load, reloadKey]);

  useEffect(() => {
    setPage(0);
    setSelected(0);
  }, [spec.stage, query]);

  const rows = data?.rows ?? [];
  const filtered = Boolean(urgency || secrecy || fromOrgan || dates || text.trim());
  const cols = useMemo(() => columns(spec), [spec]);
  const hasMore = data ? (page + 1) * INCOMING_PAGE_SIZE < Number(data.total) : false;

  const onKeyDown = rowKeyHandler(rows, selected, setSelected, onOpen);

  const empty = (
    <ListEmpty
      filtered={filtered}
      filteredTitle="没有符合条件的来文"
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
          showSearch
          placeholder="来文单位"
          aria-label="按来文单位筛选"
          style={{ width: 180 }}
          value={fromOrgan}
          onChange={setFromOrgan}
          options={organs.map((o) => ({ value: o, label: o }))}
          notFoundContent="列表中还没有来文单位"
          data-testid="incoming-filter-organ"
        />
        <Select
          allowClear
          placeholder="紧急程度"
          aria-label="按紧急程度筛选"
          style={{ width: 110 }}
          value={urgency}
          onChange={setUrgency}
          options={["特急", "加急", "普通"].map((u) => ({ value: u, label: u }))}
          data-testid="incoming-filter-urgency"
        />
        <Select
          allowClear
          placeholder="密级"
          aria-label="按密级筛选"
          style={{ width: 100 }}
          value={secrecy}
          onChange={setSecrecy}
          options={[...SECRECY_LEVELS, "非密"].map((s) => ({ value: s, label: s }))}
          data-testid="incoming-filter-secrecy"
        />
        <DatePicker.RangePicker
          value={dates}
          onChange={(v) => setDates(v && (v[0] || v[1]) ? [v[0], v[1]] : null)}
          allowEmpty={[true, true]}
          placeholder={["送达日期从", "到"]}
          aria-label="按送达日期筛选"
          style={{ width: 250 }}
          data-testid="incoming-filter-dates"
        />
        <Input.Search
          allowClear
          placeholder="按标题或文号查找"
          aria-label="按标题或文号查找"
          style={{ width: 210 }}
          value={searchBox}
          onChange={(e) => {
            setSearchBox(e.target.value);
            if (!e.target.value) setText("");
          }}
          onSearch={(value) => setText(value)}
          data-testid="incoming-search"
        />
        {filtered && (
          <Button
            type="link"
            onClick={() => {
              setUrgency(undefined);
              setSecrecy(undefined);
              setFromOrgan(undefined);
              setDates(null);
              setText("");
              setSearchBox("");
            }}
            data-testid="clear-filters"
          >
            清除筛选
          </Button>
        )}
        {data && (
          <Typography.Text type="secondary" style={{ marginLeft: "auto" }}>
            共 {Number(data.total)} 件
          </Typography.Text>
        )}
      </Flex>
      {error ? (
        <div className="gw-queue-error">
          <Typography.Text type="danger">{error.message}</Typography.Text>
          <Button size="small" onClick={load}>
            重试
          </Button>
        </div>
      ) : loading && !data ? (
        <div className="gw-queue-skeleton" data-testid="incoming-loading">
          <Skeleton active title={false} paragraph={{ rows: 6 }} />
        </div>
      ) : (
        <div tabIndex={0} onKeyDown={onKeyDown} className="gw-queue-table" aria-label={`${spec.emptyTitle.replace("暂无", "")}列表`}>
          <Table<ipc.IncomingRow>
            rowKey="id"
            size="middle"
            columns={cols}
            dataSource={rows}
            loading={loading}
            pagination={false}
            locale={{ emptyText: empty }}
            rowClassName={(_, index) => ["gw-row-openable", index === selected ? "gw-row-selected" : ""].join(" ")}
            onRow={(row, index) =>
              ({
                onClick: () => {
                  setSelected(index ?? 0);
                  onOpen(row);
                },
                "data-testid": "incoming-row",
                "data-incoming-id": row.id,
              }) as React.HTMLAttributes<HTMLElement>
            }
          />
          {(page > 0 || hasMore) && (
            <Flex justify="flex-end" align="center" gap={8} className="gw-queue-pager">
              <Button size="small" disabled={page === 0} onClick={() => setPage((p) => p - 1)}>
                上一页
              </Button>
              <span>第 {page + 1} 页</span>
              <Button size="small" disabled={!hasMore} onClick={() => setPage((p) => p + 1)}>
                下一页
              </Button>
            </Flex>
          )}
        </div>
      )}
    </Card>
  );
}
