import type { QueueSpec } from "./QueueTable";

/** The queue pages: which queue, and what their empty state says. */
export const QUEUES = {
  todo: {
    name: "todo",
    emptyTitle: "暂无待办事项",
    emptyHint: "需要您审核、签发或承办的公文会出现在这里；新的待办同步到本机后自动显示。",
    actionLabel: "办理",
  },
  toRead: {
    name: "toRead",
    emptyTitle: "暂无待阅公文",
    emptyHint: "他人分送给您阅知的公文会显示在这里；阅后点“已阅”即可。",
    actionLabel: "阅办",
  },
  read: {
    name: "read",
    emptyTitle: "暂无已阅公文",
    emptyHint: "您在“待阅”中点过“已阅”的传阅公文会保存在这里，可随时再次查看和打印。",
    actionLabel: "查看",
  },
  done: {
    name: "done",
    emptyTitle: "暂无已办事项",
    emptyHint: "您审核、签发或承办过的公文会显示在这里，可以查看它现在办到了哪一步。",
    actionLabel: "查看",
  },
  sent: {
    name: "sent",
    emptyTitle: "暂无在办公文",
    emptyHint: "您起草并送审、尚未办结的公文会显示在这里。在“草稿”中打开草稿并点“送审”即可发起。",
    actionLabel: "查看",
  },
  overdue: {
    name: "overdue",
    emptyTitle: "暂无超期事项",
    emptyHint: "超过办理时限仍未办理的事项会显示在这里，便于督促办理。",
    actionLabel: "查看",
  },
} as const satisfies Record<string, QueueSpec>;
