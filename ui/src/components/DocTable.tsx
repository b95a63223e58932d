import { useLayoutEffect, useRef, useState, type HTMLAttributes, type ReactNode } from "react";
import "./DocTable.css";

/**
 * One column of a {@link DocTable}: the same fields as Ant Design's table columns that the
 * lists use, so a column reads the same in either.
 */
export interface DocColumn<Row> {
  title: ReactNode;
  /** The name of the row's field shown in the cell (and given to `render`). */
  dataIndex?: string;
  /** Identifies a column without a field (操作). */
  key?: string;
  /** In px; columns without one share the rest of the width. */
  width?: number;
  /** One line, cut with "…" when too long. */
  ellipsis?: boolean;
  /**
   * Left out when the list is too narrow for every column (150 % scaling): columns with a
   * `dropOrder` give way in its order, 1 first (the least missed); the others always stay.
   */
  dropOrder?: number;
  /** The cell's content; without it, the field's text. */
  // `any`: each column knows the type of its own field.
  render?: (value: any, row: Row, index: number) => ReactNode;
}

export interface DocTableProps<Row> {
  columns: readonly DocColumn<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row) => string;
  /** Attributes of a row's element: classes, click handler, data-testid … */
  rowProps?: (row: Row, index: number) => HTMLAttributes<HTMLTableRowElement> & Record<string, unknown>;
  /** Shown in place of the rows when there are none. */
  empty: ReactNode;
  /** A reload is under way: the rows stay, dimmed and not clickable. */
  loading?: boolean;
}

/** The narrowest a column without a width may get, in px. */
export const FLEX_COLUMN_MIN_WIDTH = 240;

function columnsWidth<Row>(columns: readonly DocColumn<Row>[]): number {
  return columns.reduce((sum, c) => sum + (c.width ?? FLEX_COLUMN_MIN_WIDTH), 0);
}

/** `columns` without the first `count` of them in `dropOrder`. */
export function withoutDropped<Row>(columns: readonly DocColumn<Row>[], count: number): readonly DocColumn<Row>[] {
  if (count <= 0) return columns;
  const drop = new Set(
    columns
      .filter((c) => c.dropOrder !== undefined)
      .sort((a, b) => (a.dropOrder ?? 0) - (b.dropOrder ?? 0))
      .slice(0, count),
  );
  return columns.filter((c) => !drop.has(c));
}

/** A column's React key: its key, else its field, else its place. */
function columnKey<Row>(column: DocColumn<Row>, index: number): string | number {
  return column.key ?? column.dataIndex ?? index;
}

/** How many columns (in `dropOrder`) must go for the rest to fit `width`. */
export function columnsToDrop<Row>(columns: readonly DocColumn<Row>[], width: number): number {
  const droppable = columns.filter((c) => c.dropOrder !== undefined).length;
  for (let count = 0; count < droppable; count++) {
    if (columnsWidth(withoutDropped(columns, count)) <= width) return count;
  }
  return droppable;
}

function cellText(value: unknown): ReactNode {
  return value === null || value === undefined ? "" : (value as ReactNode);
}

/**
 * The document lists' table (待办 and the other queues, 收文, 发文): plain table markup in the
 * look of Ant Design's middle-size table. The lists are the first thing the window draws, and
 * Ant Design's Table, run for the first time at start-up, cost most of the time between the
 * rows' arrival and their paint (issue 8, cold start); this draws the same page in a fraction
 * of it. Sorting, selection and paging stay with the list around it (DocList).
 */
export function DocTable<Row>({ columns: all, rows, rowKey, rowProps, empty, loading = false }: DocTableProps<Row>) {
  // How many columns the width leaves out; measured before the first paint and
  // whenever the list's width changes. Unchanged (0 in a wide window) it costs no render.
  const box = useRef<HTMLDivElement>(null);
  const [dropped, setDropped] = useState(0);
  useLayoutEffect(() => {
    const element = box.current;
    if (!element) return;
    const fit = (width: number) => {
      if (width > 0) setDropped(columnsToDrop(all, width));
    };
    fit(element.clientWidth);
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver((entries) => fit(entries[0]?.contentRect.width ?? 0));
    observer.observe(element);
    return () => observer.disconnect();
  }, [all]);
  const columns = withoutDropped(all, dropped);
  // Columns without a width (标题) share what the others leave, never less than
  // FLEX_COLUMN_MIN_WIDTH: rather than squeeze the title out, the table grows (and scrolls).
  const minWidth = columnsWidth(columns);
  return (
    <div ref={box} className={loading ? "gw-table gw-table-loading" : "gw-table"} aria-busy={loading || undefined}>
      <table style={{ minWidth }}>
        <colgroup>
          {columns.map((c, i) => (
            <col key={columnKey(c, i)} style={c.width ? { width: c.width } : undefined} />
          ))}
        </colgroup>
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th key={columnKey(c, i)} scope="col" className={c.ellipsis ? "gw-cell-ellipsis" : undefined}>
                {c.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr className="gw-table-empty">
              <td colSpan={columns.length}>{empty}</td>
            </tr>
          ) : (
            rows.map((row, index) => (
              <tr key={rowKey(row)} {...rowProps?.(row, index)}>
                {columns.map((c, i) => {
                  const value = c.dataIndex ? (row as Record<string, unknown>)[c.dataIndex] : undefined;
                  const content = c.render ? c.render(value, row, index) : cellText(value);
                  return (
                    <td
                      key={columnKey(c, i)}
                      className={c.ellipsis ? "gw-cell-ellipsis" : undefined}
                      // The whole text on hover where it is cut.
                      title={c.ellipsis && typeof content === "string" ? content : undefined}
                    >
                      {content}
                    </td>
                  );
                })}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
