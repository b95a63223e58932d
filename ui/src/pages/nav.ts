import type { QueueCounts } from "../lib/ipc";

export type PageKey = "todo" | "done" | "toRead" | "drafts" | "outgoing" | "incoming" | "search" | "settings";

export interface NavItem {
  key: PageKey;
  /** Menu label and page title. */
  label: string;
  /** Which queue count, if any, is shown beside the label. */
  count?: (counts: QueueCounts) => number;
}

/** The left navigation, in the order users of web OA systems expect. */
export const NAV_ITEMS: readonly NavItem[] = [
  { key: "todo", label: "待办", count: (c) => c.todo },
  { key: "done", label: "已办" },
  { key: "toRead", label: "待阅", count: (c) => c.toRead },
  { key: "drafts", label: "草稿", count: (c) => c.drafts },
  { key: "outgoing", label: "发文" },
  { key: "incoming", label: "收文" },
  { key: "search", label: "搜索" },
  { key: "settings", label: "设置" },
];

export function navItem(key: PageKey): NavItem {
  const item = NAV_ITEMS.find((candidate) => candidate.key === key);
  if (!item) throw new Error(`unknown page ${key}`);
  return item;
}
