import type { FlowCounts, QueueCounts } from "../lib/ipc";

export type PageKey =
  | "todo"
  | "toRead"
  | "read"
  | "done"
  | "sent"
  | "drafts"
  | "outgoing"
  | "incoming"
  | "overdue"
  | "search"
  | "settings";

/** The counts beside the navigation: the store's queue counts and the workflow's. */
export interface NavCounts {
  queue: QueueCounts;
  flow: FlowCounts;
}

export interface NavItem {
  key: PageKey;
  /** Menu label and page title. */
  label: string;
  /** Which count, if any, is shown beside the label. */
  count?: (counts: NavCounts) => number;
}

/** The left navigation, in the order users of web OA systems expect. */
export const NAV_ITEMS: readonly NavItem[] = [
  { key: "todo", label: "待办", count: (c) => c.flow.todo },
  { key: "toRead", label: "待阅", count: (c) => c.flow.toRead },
  { key: "done", label: "已办" },
  { key: "read", label: "已阅" },
  { key: "sent", label: "在办", count: (c) => c.flow.sent },
  { key: "drafts", label: "草稿", count: (c) => c.queue.drafts },
  { key: "outgoing", label: "发文" },
  { key: "incoming", label: "收文" },
  { key: "overdue", label: "督办", count: (c) => c.flow.overdue },
  { key: "search", label: "搜索" },
  { key: "settings", label: "设置" },
];

export function navItem(key: PageKey): NavItem {
  const item = NAV_ITEMS.find((candidate) => candidate.key === key);
  if (!item) throw new Error(`unknown page ${key}`);
  return item;
}

/** The navigation entry to highlight: the editor belongs to 草稿, whichever page opened it. */
export function selectedNavKey(page: PageKey, view: "page" | "task" | "draft"): PageKey {
  return view === "draft" ? "drafts" : page;
}
