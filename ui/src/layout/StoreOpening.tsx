import { Result, Spin } from "antd";
import { useEffect } from "react";

/** How often the window asks whether the store has opened. */
export const STORE_OPENING_POLL_MS = 1_000;

export interface StoreOpeningProps {
  /** What is happening (the message of the `store_opening` error: 打开, or 升级 step n of m). */
  message: string;
  /** Asks again (the counts, the setup status); once the store is open this screen goes. */
  onPoll: () => void;
}

/**
 * Shown instead of the pages while the store is still being opened in the background: a
 * new version upgrading a large store can take minutes, and the window must say so rather
 * than stay away or look broken. Asks again every second and gives way by itself.
 */
export function StoreOpening({ message, onPoll }: StoreOpeningProps) {
  useEffect(() => {
    const timer = window.setInterval(onPoll, STORE_OPENING_POLL_MS);
    return () => window.clearInterval(timer);
  }, [onPoll]);
  return (
    <Result
      icon={<Spin size="large" />}
      title="公文通正在准备本机数据"
      subTitle={<span role="status">{message}</span>}
    />
  );
}
