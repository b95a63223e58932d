import dayjs from "dayjs";
import "dayjs/locale/zh-cn";

dayjs.locale("zh-cn");

/** "14:05" for today, "11-28 14:05" within the year, "2025年11月28日 14:05" before. */
export function formatListTime(iso: string, now: Date = new Date()): string {
  const time = dayjs(iso);
  if (!time.isValid()) return "";
  const today = dayjs(now);
  if (time.isSame(today, "day")) return time.format("HH:mm");
  if (time.isSame(today, "year")) return time.format("MM-DD HH:mm");
  return time.format("YYYY年M月D日 HH:mm");
}

/** "2026年11月28日" */
export function formatDate(iso: string): string {
  const time = dayjs(iso);
  return time.isValid() ? time.format("YYYY年M月D日") : "";
}

/** 办理时限 in words: "超期2天" (overdue), "今天到期", "剩余3天", or the date when far off. */
export function formatDue(dueIso: string | null, overdue: boolean, now: Date = new Date()): string {
  if (!dueIso) return "—";
  const due = dayjs(dueIso);
  if (!due.isValid()) return "—";
  const today = dayjs(now);
  if (overdue || due.isBefore(today)) {
    const days = today.startOf("day").diff(due.startOf("day"), "day");
    return days >= 1 ? `超期${days}天` : "已超期";
  }
  const days = due.startOf("day").diff(today.startOf("day"), "day");
  if (days === 0) return `今天 ${due.format("HH:mm")} 到期`;
  if (days <= 7) return `剩余${days}天`;
  return due.format("MM-DD 到期");
}

/** "2026年11月28日 14:05", for timelines and details. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const time = dayjs(iso);
  return time.isValid() ? time.format("YYYY年M月D日 HH:mm") : "";
}
