import { EmptyPage } from "../components/EmptyPage";
import type { QueueRow, StoreInfo, SyncStatus } from "../lib/ipc";
import type { Polled } from "../lib/usePolled";
import type { PageKey } from "./nav";
import { DraftsPage } from "./DraftsPage";
import { QueueTable } from "./queue/QueueTable";
import { QUEUES } from "./queue/queues";
import { SettingsPage } from "./SettingsPage";

export interface PageContentProps {
  page: PageKey;
  sync: SyncStatus | undefined;
  info: Polled<StoreInfo>;
  pollMs: number;
  /** Bumped when the queues changed (an action, a refresh). */
  reloadKey: number;
  onOpenTask: (row: QueueRow) => void;
  onOpenDraft: (draftId: string) => void;
  onNewDraft: () => void;
}

/** The content area of the selected page. */
export function PageContent({ page, sync, info, pollMs, reloadKey, onOpenTask, onOpenDraft, onNewDraft }: PageContentProps) {
  switch (page) {
    case "todo":
    case "toRead":
    case "read":
    case "done":
    case "sent":
    case "overdue":
      return (
        <QueueTable
          key={page}
          spec={QUEUES[page]}
          onOpen={onOpenTask}
          reloadKey={reloadKey}
          lastSyncedAt={sync?.lastSyncedAt}
        />
      );
    case "drafts":
      return <DraftsPage pollMs={pollMs} onOpen={onOpenDraft} onNew={onNewDraft} />;
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
