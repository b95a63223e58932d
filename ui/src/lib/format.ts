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
