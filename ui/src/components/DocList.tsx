import { Button, Card, DatePicker, Flex, Input, Select, Skeleton, Tag, Typography } from "antd";
import type { Dayjs } from "dayjs";
import { useCallback, useEffect, useRef, useState } from "react";
import * as ipc from "../lib/ipc";
import { DOC_TYPES } from "../lib/document";
import { DocTable, type DocColumn } from "./DocTable";
import { ListEmpty, rowKeyHandler } from "./listKeys";
import "./DocList.css";

/** Rows per page: a full 1366×768 screen, and fast from the local store. */
export const LIST_PAGE_SIZE = 50;

export const URGENCY_COLOR: Record<string, string> = { 特急: "red", 加急: "orange" };

/** 特急 in red, 加急 in orange, a dash for neither. */
export function UrgencyTag({ urgency }: { urgency: string | null }) {
  return urgency ? (
    <Tag color={URGENCY_COLOR[urgency]} className="gw-urgency">
      {urgency}
    </Tag>
  ) : (
    <span className="gw-cell-muted">—</span>
  );
}

/** What the filters above a list ask of the store; unset filters are left out. */
export interface ListQuery {
  docType?: string;
  urgency?: string;
  secrecy?: string;
  fromOrgan?: string;
  dateFrom?: string;
  dateTo?: string;
  text?: string;
  /** The 文号's year (发文). */
  year?: string;
  /** 核发 and 回执 state (发文): 未核发, 待签收, 已签收. */
  receipts?: string;
}

export type ChoiceField = "docType" | "urgency" | "secrecy" | "fromOrgan" | "year" | "receipts";

/** A choice of a filter: its value, and what the list shows when they differ (2026 → 2026年). */
export type ChoiceOption = string | { value: string; label: string };

/** One filter above a list. Selects are labelled 按{label}筛选 for screen readers and tests. */
export type FilterSpec =
  | {
      kind: "choice";
      field: ChoiceField;
      label: string;
      width: number;
      /** The choices; without them, every 来文单位 seen in the list so far (searchable). */
      options?: readonly ChoiceOption[];
      testId?: string;
    }
  /** A date range (inclusive, YYYY-MM-DD); `label` names the date: 收到时间, 送达日期 … */
  | { kind: "dates"; label: string; testId: string }
  /** Text search, applied on Enter; Ctrl+F and / focus it (AppLayout). */
  | { kind: "search"; label: string; width: number; testId?: string };

/** The filters several lists share; add a testId with a spread where a test needs one. */
export const FILTERS = {
  docType: { kind: "choice", field: "docType", label: "文种", width: 110, options: DOC_TYPES },
  urgency: { kind: "choice", field: "urgency", label: "紧急程度", width: 110, options: ["特急", "加急", "普通"] },
  fromOrgan: { kind: "choice", field: "fromOrgan", label: "来文单位", width: 180 },
} as const satisfies Record<string, FilterSpec>;

/** One page as the store answers it; `total` is shown (共 N 件) when the list knows it. */
export interface ListPage<Row> {
  rows: Row[];
  hasMore: boolean;
  total?: number;
}

/** A row's 来文单位, when its list has one (the queues, 收文): the 来文单位 filter's choices. */
type WithOrgan = { fromOrgan?: string | null };

export interface DocListProps<Row extends object> {
  /** Reads one page. Keep it stable (useCallback): a new function reads the list again. */
  fetchPage: (query: ListQuery, offset: number, limit: number) => Promise<ListPage<Row>>;
  filters: readonly FilterSpec[];
  columns: readonly DocColumn<Row>[];
  rowKey: (row: Row) => string;
  /** data-testid of each row and of the loading skeleton (queue-row / queue-loading …). */
  testIds: { row: string; loading: string };
  /** More attributes of a row's element, e.g. data-incoming-id. */
  rowAttributes?: (row: Row) => Record<string, string>;
  /** More classes of a row, e.g. gw-row-overdue. */
  rowClassName?: (row: Row) => string;
  /** Whether a row opens (click or Enter); all do by default. */
  openable?: (row: Row) => boolean;
  onOpen: (row: Row) => void;
  /** The empty state: what the list holds and what to do; and the title when filters match nothing. */
  empty: { title: string; hint: string; filteredTitle: string };
  /** Changes when something elsewhere changed the list: read the page again. */
  reloadKey: number;
  /** When the last sync succeeded: the empty state says it, and a newer one reloads quietly. */
  lastSyncedAt: string | null | undefined;
  /** Called once a page is on screen (the start-up benchmark's end point for 待办). */
  onShown?: () => void;
  /** The choices the list opens with and 清除筛选 returns to (发文: this year). */
  initialChoices?: Partial<Record<ChoiceField, string>>;
}

const NO_CHOICES: Partial<Record<ChoiceField, string>> = {};

const alwaysOpen = () => true;

/**
 * A list of documents from the local store (the queues, 收文): filters above, one page of rows,
 * paging below, with a skeleton while the first page loads, the error with 重试 in place, and
 * an empty state that says what to do. ↑/↓ move the selection, Enter or a click opens a row.
 */
export function DocList<Row extends object>(props: DocListProps<Row>) {
  const { fetchPage, filters, columns, rowKey, testIds, rowAttributes, rowClassName, onOpen, empty, reloadKey, lastSyncedAt, onShown } = props;
  const openable = props.openable ?? alwaysOpen;
  const initialChoices = props.initialChoices ?? NO_CHOICES;
  const [page, setPage] = useState(0);
  const [choices, setChoices] = useState<Partial<Record<ChoiceField, string>>>(initialChoices);
  const [dates, setDates] = useState<[Dayjs | null, Dayjs | null] | null>(null);
  const [text, setText] = useState("");
  const [searchBox, setSearchBox] = useState("");
  /** Every 来文单位 seen in this list, for the filter's choices. */
  const [organs, setOrgans] = useState<string[]>([]);
  const [data, setData] = useState<ListPage<Row>>();
  const [error, setError] = useState<ipc.CommandError>();
  const [loading, setLoading] = useState(true);
  const [selected, setSelected] = useState(0);
  const generation = useRef(0);

  // A new fetchPage is another list (another order, another queue): start at its first page.
  const [source, setSource] = useState(() => fetchPage);
  if (source !== fetchPage) {
    setSource(() => fetchPage);
    setPage(0);
    setSelected(0);
  }

  /** Every filter change starts again at the first page and the first row. */
  const refilter = (change: () => void) => {
    change();
    setPage(0);
    setSelected(0);
  };

  /** Reads the page again; `quiet` keeps the rows clickable (a reload after a background sync). */
  const load = useCallback(
    (quiet = false) => {
      const mine = ++generation.current;
      if (!quiet) setLoading(true);
      const query: ListQuery = {
        ...choices,
        dateFrom: dates?.[0]?.format("YYYY-MM-DD"),
        dateTo: dates?.[1]?.format("YYYY-MM-DD"),
        text: text.trim() || undefined,
      };
      fetchPage(query, page * LIST_PAGE_SIZE, LIST_PAGE_SIZE)
        .then((result) => {
          if (mine !== generation.current) return;
          setData(result);
          setError(undefined);
          const seen = result.rows.map((r) => (r as WithOrgan).fromOrgan).filter((o): o is string => Boolean(o));
          setOrgans((known) => {
            const more = seen.filter((o) => !known.includes(o));
            return more.length ? [...new Set([...known, ...more])].sort((a, b) => a.localeCompare(b, "zh-CN")) : known;
          });
        })
        .catch((raw: unknown) => {
          if (mine === generation.current) setError(ipc.CommandError.from(raw));
        })
        .finally(() => {
          if (mine === generation.current) setLoading(false);
        });
    },
    [fetchPage, choices, dates, text, page],
  );

  useEffect(() => {
    load();
  }, [load, reloadKey]);

  // After each background sync, what arrived (a new 待办, a 文号, a 来文) shows without 刷新:
  // a quiet reload when the last sync time moves on (not when it is first read).
  const lastSync = useRef(lastSyncedAt);
  useEffect(() => {
    const before = lastSync.current;
    lastSync.current = lastSyncedAt;
    if (before && lastSyncedAt && before !== lastSyncedAt) load(true);
  }, [lastSyncedAt, load]);

  useEffect(() => {
    if (data && !loading) onShown?.();
  }, [data, loading, onShown]);

  const rows = data?.rows ?? [];
  const choiceKeys = new Set([...Object.keys(choices), ...Object.keys(initialChoices)]) as Set<ChoiceField>;
  const filtered = Boolean([...choiceKeys].some((k) => (choices[k] ?? "") !== (initialChoices[k] ?? "")) || dates || text.trim());
  const onKeyDown = rowKeyHandler(rows, selected, setSelected, onOpen, openable);

  const clear = () =>
    refilter(() => {
      setChoices(initialChoices);
      setDates(null);
      setText("");
      setSearchBox("");
    });

  const control = (f: FilterSpec) => {
    switch (f.kind) {
      case "choice":
        return (
          <Select
            key={f.field}
            allowClear
            showSearch={!f.options}
            placeholder={f.label}
            aria-label={`按${f.label}筛选`}
            style={{ width: f.width }}
            value={choices[f.field]}
            onChange={(value?: string) => refilter(() => setChoices((c) => ({ ...c, [f.field]: value })))}
            options={(f.options ?? organs).map((o) => (typeof o === "string" ? { value: o, label: o } : o))}
            notFoundContent={f.options ? undefined : "列表中还没有来文单位"}
            data-testid={f.testId}
          />
        );
      case "dates":
        return (
          <DatePicker.RangePicker
            key="dates"
            value={dates}
            onChange={(v) => refilter(() => setDates(v && (v[0] || v[1]) ? [v[0], v[1]] : null))}
            allowEmpty={[true, true]}
            placeholder={[`${f.label}从`, "到"]}
            aria-label={`按${f.label}筛选`}
            style={{ width: 250 }}
            data-testid={f.testId}
          />
        );
      case "search":
        return (
          <Input.Search
            key="search"
            allowClear
            placeholder={f.label}
            aria-label={f.label}
            style={{ width: f.width }}
            value={searchBox}
            onChange={(e) => {
              setSearchBox(e.target.value);
              if (!e.target.value) refilter(() => setText(""));
            }}
            onSearch={(value) => refilter(() => setText(value))}
            data-testid={f.testId}
          />
        );
    }
  };

  return (
    <Card variant="borderless" className="gw-card" styles={{ body: { padding: 0 } }}>
      <Flex className="gw-queue-filters" gap={8} align="center" wrap>
        {filters.map(control)}
        {filtered && (
          <Button type="link" onClick={clear} data-testid="clear-filters">
            清除筛选
          </Button>
        )}
        {data?.total !== undefined && (
          <Typography.Text type="secondary" style={{ marginLeft: "auto" }}>
            共 {data.total} 件
          </Typography.Text>
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
        <div className="gw-queue-skeleton" data-testid={testIds.loading}>
          <Skeleton active title={false} paragraph={{ rows: 6 }} />
        </div>
      ) : (
        <div tabIndex={0} onKeyDown={onKeyDown} className="gw-queue-table" aria-label={`${empty.title.replace("暂无", "")}列表`}>
          <DocTable<Row>
            columns={columns}
            rows={rows}
            rowKey={rowKey}
            loading={loading}
            empty={
              <ListEmpty
                filtered={filtered}
                filteredTitle={empty.filteredTitle}
                emptyTitle={empty.title}
                emptyHint={empty.hint}
                lastSyncedAt={lastSyncedAt}
              />
            }
            rowProps={(row, index) => ({
              className: [index === selected ? "gw-row-selected" : "", openable(row) ? "gw-row-openable" : "", rowClassName?.(row) ?? ""]
                .join(" ")
                .trim(),
              onClick: () => {
                setSelected(index);
                if (openable(row)) onOpen(row);
              },
              "data-testid": testIds.row,
              ...rowAttributes?.(row),
            })}
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
