import type { QueueRow, StoreInfo, SyncStatus } from "../lib/ipc";
import { lazyNamed } from "../lib/lazyNamed";
import type { Polled } from "../lib/usePolled";
import type { PageKey } from "./nav";
import { INCOMING_STAGES } from "./incoming/stages";
import { QueueTable } from "./queue/QueueTable";
import { QUEUES } from "./queue/queues";

// The queues (待办 first) are in the start-up bundle; every other page comes from its own
// chunk, fetched when the window is idle after the start ({@link PAGE_PRELOADS}) or when opened.
const DraftsPage = lazyNamed(() => import("./DraftsPage"), "DraftsPage");
const IncomingPage = lazyNamed(() => import("./incoming/IncomingPage"), "IncomingPage");
const OutgoingPage = lazyNamed(() => import("./outgoing/OutgoingPage"), "OutgoingPage");
const ReceiptsPage = lazyNamed(() => import("./incoming/ReceiptsPage"), "ReceiptsPage");
const SearchPage = lazyNamed(() => import("./search/SearchPage"), "SearchPage");
const SettingsPage = lazyNamed(() => import("./SettingsPage"), "SettingsPage");

/** The pages' chunks, for preloading once the first screen is drawn. */
export const PAGE_PRELOADS = [DraftsPage, IncomingPage, OutgoingPage, ReceiptsPage, SearchPage, SettingsPage].map((p) => p.preload);

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
