import { EmptyPage } from "../components/EmptyPage";
import type { QueueCounts, StoreInfo, SyncStatus } from "../lib/ipc";
import type { Polled } from "../lib/usePolled";
import type { PageKey } from "./nav";
import { DraftsPage } from "./DraftsPage";
import { SettingsPage } from "./SettingsPage";
import { TodoPage } from "./TodoPage";

export interface PageContentProps {
  page: PageKey;
  counts: QueueCounts | undefined;
  sync: SyncStatus | undefined;
  info: Polled<StoreInfo>;
  pollMs: number;
}

/** The content area of the selected page. */
export function PageContent({ page, sync, info, pollMs }: PageContentProps) {
  switch (page) {
    case "todo":
      return <TodoPage rows={[]} sync={sync} />;
    case "done":
      return <EmptyPage title="暂无已办事项" hint="您审核、签发或承办过的公文会显示在这里，便于查询和跟踪办理结果。" />;
    case "toRead":
      return <EmptyPage title="暂无待阅公文" hint="他人分送给您阅知的公文会显示在这里；阅后标记“已阅”即可。" />;
    case "drafts":
      return <DraftsPage pollMs={pollMs} />;
    case "outgoing":
      return <EmptyPage title="暂无发文记录" hint="本单位签发并编号的发文会登记在这里，可按文号、年份查找和打印。" />;
    case "incoming":
      return <EmptyPage title="暂无收文" hint="上级和外单位的来文签收、登记后会显示在这里，并可批办给承办科室。" />;
    case "search":
      return <EmptyPage title="搜索本机公文" hint="可按标题、文号、来文单位查找已同步到本机的公文，离线时同样可用。" />;
    case "settings":
      return <SettingsPage info={info} />;
  }
}
