import { useState } from "react";
import type { StageSpec } from "./stages";
import { IncomingDetailView } from "./IncomingDetailView";
import { IncomingList } from "./IncomingList";

export interface IncomingPageProps {
  stage: StageSpec;
  /** Bumped when something elsewhere changed the store: reload. */
  reloadKey: number;
  lastSyncedAt: string | null | undefined;
  /** Opens the 办理 page of a task of the 收文 flow. */
  onOpenTask: (taskId: string) => void;
  /** 签收 or 登记 changed the store: re-read the counts. */
  onChanged: () => void;
}

/** A 收文 page: the list, and the detail of the row opened from it. */
export function IncomingPage({ stage, reloadKey, lastSyncedAt, onOpenTask, onChanged }: IncomingPageProps) {
  const [openId, setOpenId] = useState<string | null>(null);
  if (openId) {
    return (
      <IncomingDetailView
        incomingId={openId}
        onBack={() => {
          setOpenId(null);
          onChanged();
        }}
        onChanged={onChanged}
        onOpenTask={onOpenTask}
      />
    );
  }
  return <IncomingList spec={stage} reloadKey={reloadKey} lastSyncedAt={lastSyncedAt} onOpen={(row) => setOpenId(row.id)} />;
}
