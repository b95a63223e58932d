import { Empty, Typography } from "antd";
import type { Dispatch, KeyboardEvent, SetStateAction } from "react";
import { formatListTime } from "../lib/format";

/**
 * ↑/↓ move the selected row, Enter opens it (when `openable` allows), except while the
 * user types in a filter. Shared by the queue and 收文 lists.
 */
export function rowKeyHandler<T>(
  rows: T[],
  selected: number,
  setSelected: Dispatch<SetStateAction<number>>,
  onOpen: (row: T) => void,
  openable: (row: T) => boolean = () => true,
) {
  return (event: KeyboardEvent<HTMLDivElement>) => {
    if ((event.target as HTMLElement).closest("input, textarea, .ant-select")) return;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      setSelected((i) => Math.min(i + 1, Math.max(rows.length - 1, 0)));
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      setSelected((i) => Math.max(i - 1, 0));
    } else if (event.key === "Enter" && rows[selected] && openable(rows[selected])) {
      event.preventDefault();
      onOpen(rows[selected]);
    }
  };
}

export interface ListEmptyProps {
  /** Filters are set: say nothing matches and how to see everything. */
  filtered: boolean;
  /** What the title says when filters match nothing (没有符合条件的公文 …). */
  filteredTitle: string;
  emptyTitle: string;
  emptyHint: string;
  lastSyncedAt: string | null | undefined;
}

/** The empty state of a list: what to do, and when the list was last brought up to date. */
export function ListEmpty({ filtered, filteredTitle, emptyTitle, emptyHint, lastSyncedAt }: ListEmptyProps) {
  return (
    <Empty
      image={Empty.PRESENTED_IMAGE_SIMPLE}
      description={
        <>
          <div className="gw-empty-title">{filtered ? filteredTitle : emptyTitle}</div>
          <Typography.Text type="secondary">
            {filtered
              ? "请调整上方的筛选条件，或点“清除筛选”查看全部。"
              : `${emptyHint}${lastSyncedAt ? `（上次同步：${formatListTime(lastSyncedAt)}）` : ""}`}
          </Typography.Text>
        </>
      }
    />
  );
}
