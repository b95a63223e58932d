import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { DocTable, FLEX_COLUMN_MIN_WIDTH, columnsToDrop, withoutDropped, type DocColumn } from "./DocTable";

interface Row {
  id: string;
  title: string;
  organ: string | null;
}

const COLUMNS: DocColumn<Row>[] = [
  { title: "标题", dataIndex: "title", ellipsis: true },
  { title: "来文单位", dataIndex: "organ", width: 120, render: (o: string | null) => o ?? "—" },
  { title: "操作", key: "action", width: 64, render: (_: unknown, row: Row, index: number) => <span>办理{index + 1}·{row.id}</span> },
];

const ROWS: Row[] = [
  { id: "a", title: "关于开展安全生产大检查的通知", organ: "鹤山市应急管理局" },
  { id: "b", title: "关于学校安全的通知", organ: null },
];

describe("DocTable", () => {
  it("draws a header and one row per item, each cell from its field or its render", () => {
    render(<DocTable columns={COLUMNS} rows={ROWS} rowKey={(r) => r.id} empty="暂无" />);
    expect(screen.getAllByRole("columnheader").map((h) => h.textContent)).toEqual(["标题", "来文单位", "操作"]);
    const rows = screen.getAllByRole("row").slice(1);
    expect(rows).toHaveLength(2);
    expect(within(rows[0]).getAllByRole("cell").map((c) => c.textContent)).toEqual([
      "关于开展安全生产大检查的通知",
      "鹤山市应急管理局",
      "办理1·a",
    ]);
    expect(within(rows[1]).getAllByRole("cell").map((c) => c.textContent)).toEqual(["关于学校安全的通知", "—", "办理2·b"]);
    // A cut text shows in full on hover.
    expect(within(rows[0]).getAllByRole("cell")[0]).toHaveAttribute("title", "关于开展安全生产大检查的通知");
  });

  it("gives each row its attributes and click handler", async () => {
    const onClick = vi.fn();
    render(
      <DocTable
        columns={COLUMNS}
        rows={ROWS}
        rowKey={(r) => r.id}
        empty="暂无"
        rowProps={(row, index) => ({ className: index === 0 ? "gw-row-selected" : "", onClick: () => onClick(row.id), "data-testid": "queue-row" })}
      />,
    );
    const rows = screen.getAllByTestId("queue-row");
    expect(rows[0]).toHaveClass("gw-row-selected");
    await userEvent.click(within(rows[1]).getByText("关于学校安全的通知"));
    expect(onClick).toHaveBeenCalledWith("b");
  });

  it("keeps a column without a width readable: the table is at least as wide as its columns' widths", () => {
    const { container } = render(<DocTable columns={COLUMNS} rows={ROWS} rowKey={(r) => r.id} empty="暂无" />);
    // 标题 (no width: FLEX_COLUMN_MIN_WIDTH) + 120 + 64
    expect(container.querySelector("table")).toHaveStyle({ minWidth: `${FLEX_COLUMN_MIN_WIDTH + 120 + 64}px` });
  });

  it("leaves out columns in their drop order until the rest fit the width", () => {
    const columns: DocColumn<Row>[] = [
      { title: "标题", dataIndex: "title" },
      { title: "文种", key: "a", width: 60, dropOrder: 1 },
      { title: "来文单位", key: "b", width: 170, dropOrder: 3 },
      { title: "环节", key: "c", width: 80, dropOrder: 2 },
      { title: "时限", key: "d", width: 120 },
    ];
    const titles = (count: number) => withoutDropped(columns, count).map((c) => c.title);
    const all = FLEX_COLUMN_MIN_WIDTH + 60 + 170 + 80 + 120;
    expect(columnsToDrop(columns, all)).toBe(0);
    expect(columnsToDrop(columns, all - 1)).toBe(1);
    expect(titles(1)).toEqual(["标题", "来文单位", "环节", "时限"]); // 文种 goes first
    expect(columnsToDrop(columns, all - 60)).toBe(1);
    expect(columnsToDrop(columns, all - 61)).toBe(2);
    expect(titles(2)).toEqual(["标题", "来文单位", "时限"]); // then 环节
    expect(columnsToDrop(columns, all - 141)).toBe(3);
    expect(titles(3)).toEqual(["标题", "时限"]); // 来文单位 last
    expect(columnsToDrop(columns, 100)).toBe(3); // never the others
  });

  it("shows the empty state across the columns, and dims the rows while reloading", () => {
    const { rerender, container } = render(<DocTable columns={COLUMNS} rows={[]} rowKey={(r) => r.id} empty="暂无待办事项" />);
    const cell = screen.getByText("暂无待办事项").closest("td");
    expect(cell).toHaveAttribute("colspan", "3");
    rerender(<DocTable columns={COLUMNS} rows={ROWS} rowKey={(r) => r.id} empty="暂无待办事项" loading />);
    expect(container.firstChild).toHaveClass("gw-table-loading");
    expect(container.firstChild).toHaveAttribute("aria-busy", "true");
  });
});
