import type { QueueRow, StoreInfo, SyncStatus } from "../lib/ipc";
import type { Polled } from "../lib/usePolled";
import type { PageKey } from "./nav";
import { DraftsPage } from "./DraftsPage";
import { IncomingPage } from "./incoming/IncomingPage";
import { OutgoingPage } from "./outgoing/OutgoingPage";
import { INCOMING_STAGES } from "./incoming/stages";
import { ReceiptsPage } from "./incoming/ReceiptsPage";
import { SearchPage } from "./search/SearchPage";
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
  /** Opens a task by id (the 收文 flow after 登记). */
  onOpenTaskId: (taskId: string) => void;
  /** Something changed here (签收, 登记): re-read the counts. */
  onChanged: () => void;
  onOpenDraft: (draftId: string) => void;
  onNewDraft: () => void;
}

/** The content area of the selected page. */
export function PageContent({ page, sync, info, pollMs, reloadKey, onOpenTask, onOpenTaskId, onChanged, onOpenDraft, onNewDraft }: PageContentProps) {
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
      return <OutgoingPage reloadKey={reloadKey} lastSyncedAt={sync?.lastSyncedAt} />;
    case "incoming":
    case "incomingSigned":
    case "incomingRegistered":
      return (
        <IncomingPage
          key={page}
          stage={INCOMING_STAGES[page]}
          reloadKey={reloadKey}
          lastSyncedAt={sync?.lastSyncedAt}
          onOpenTask={onOpenTaskId}
          onChanged={onChanged}
        />
      );
    case "receipts":
      return <ReceiptsPage reloadKey={reloadKey} lastSyncedAt={sync?.lastSyncedAt} />;
    case "search":
      return <SearchPage onOpenDraft={onOpenDraft} onOpenTask={onOpenTaskId} onChanged={onChanged} />;
    case "settings":
      return <SettingsPage info={info} />;
  }
}
