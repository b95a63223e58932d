import type { FlowCounts, IncomingCounts, QueueCounts } from "../lib/ipc";

export type PageKey =
  | "todo"
  | "toRead"
  | "read"
  | "done"
  | "sent"
  | "drafts"
  | "outgoing"
  | "incoming"
  | "incomingSigned"
  | "incomingRegistered"
  | "receipts"
  | "overdue"
  | "search"
  | "settings";

/** The counts beside the navigation: the store's queue counts and the workflow's. */
export interface NavCounts {
  queue: QueueCounts;
  flow: FlowCounts;
  incoming: IncomingCounts;
}

export interface NavItem {
  key: PageKey;
  /** Menu label and page title. */
  label: string;
  /** Which count, if any, is shown beside the label. */
  count?: (counts: NavCounts) => number;
  /** The group heading it is listed under (收文), if any. */
  group?: string;
  /** The page title when it differs from the label (收文 · 待签收). */
  title?: string;
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
  { key: "incoming", label: "待签收", group: "收文", title: "收文 · 待签收", count: (c) => c.incoming.unsigned },
  { key: "incomingSigned", label: "待登记", group: "收文", title: "收文 · 待登记", count: (c) => c.incoming.unregistered },
  { key: "incomingRegistered", label: "已登记", group: "收文", title: "收文 · 已登记" },
  { key: "receipts", label: "回执", group: "收文", title: "收文 · 发文回执" },
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
