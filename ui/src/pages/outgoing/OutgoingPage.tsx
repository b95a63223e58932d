import { useState } from "react";
import { OutgoingDetailView } from "./OutgoingDetailView";
import { OutgoingList } from "./OutgoingList";

export interface OutgoingPageProps {
  /** Bumped when something elsewhere changed the store: reload. */
  reloadKey: number;
  lastSyncedAt: string | null | undefined;
  /** This year; by default the current one in China time. */
  thisYear?: number;
}

/** The current year in China Standard Time, the year the register opens at. */
export function chinaYear(now: Date = new Date()): number {
  return new Date(now.getTime() + 8 * 3600_000).getUTCFullYear();
}

/** 发文: the register of this organ's numbered 发文, and the document opened from it. */
export function OutgoingPage({ reloadKey, lastSyncedAt, thisYear = chinaYear() }: OutgoingPageProps) {
  const [openId, setOpenId] = useState<string | null>(null);
  if (openId) return <OutgoingDetailView documentId={openId} onBack={() => setOpenId(null)} />;
  return <OutgoingList thisYear={thisYear} reloadKey={reloadKey} lastSyncedAt={lastSyncedAt} onOpen={(row) => setOpenId(row.documentId)} />;
}
