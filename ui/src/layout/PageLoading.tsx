import { Skeleton } from "antd";

/** Shown for the moment a page's code is being loaded (its first opening only). */
export function PageLoading() {
  return (
    <div className="gw-page-loading" aria-busy="true" aria-label="正在加载">
      <Skeleton active paragraph={{ rows: 6 }} />
    </div>
  );
}
