import { ReloadOutlined } from "@ant-design/icons";
import { Badge, Button, Layout, Menu, Result, Tooltip } from "antd";
import { useState, type ReactNode } from "react";
import * as ipc from "../lib/ipc";
import { usePolled } from "../lib/usePolled";
import { NAV_ITEMS, navItem, type PageKey } from "../pages/nav";
import { PageContent } from "../pages/PageContent";
import { StatusBar } from "./StatusBar";
import "./AppLayout.css";

/** How often the counts and the status bar re-read the local store. */
export const POLL_INTERVAL_MS = 10_000;

export interface AppLayoutProps {
  initialPage?: PageKey;
}

/** The frame of every screen: navigation with counts, toolbar, content, status bar. */
export function AppLayout({ initialPage = "todo" }: AppLayoutProps) {
  const [page, setPage] = useState<PageKey>(initialPage);
  const counts = usePolled(ipc.queueCounts, POLL_INTERVAL_MS);
  const sync = usePolled(ipc.syncStatus, POLL_INTERVAL_MS);
  // Who works here and where the data lives change rarely: a slow poll is plenty.
  const info = usePolled(ipc.storeInfo, 60_000);
  const current = navItem(page);

  const refreshAll = () => {
    counts.refresh();
    sync.refresh();
    info.refresh();
  };

  return (
    <Layout className="gw-root">
      <Layout className="gw-main">
        <Layout.Sider width={188} className="gw-sider">
          <div className="gw-brand">
            <span className="gw-brand-seal" aria-hidden="true">
              公
            </span>
            <span className="gw-brand-name">公文通</span>
          </div>
          <Menu
            theme="dark"
            mode="inline"
            selectedKeys={[page]}
            onClick={({ key }) => setPage(key as PageKey)}
            aria-label="主导航"
            items={NAV_ITEMS.map((item) => {
              const count = item.count && counts.data ? item.count(counts.data) : undefined;
              return {
                key: item.key,
                label: (
                  <span className="gw-nav-item" data-testid={`nav-${item.key}`}>
                    <span>{item.label}</span>
                    {count !== undefined && count > 0 && (
                      <Badge
                        count={count}
                        overflowCount={999}
                        className="gw-nav-count"
                        data-testid={`nav-count-${item.key}`}
                        color={item.key === "todo" ? "#c62828" : "#4a6a9c"}
                      />
                    )}
                  </span>
                ),
              };
            })}
          />
        </Layout.Sider>
        <Layout className="gw-work">
          <Layout.Header className="gw-toolbar">
            <h1 className="gw-page-title" data-testid="page-title">
              {current.label}
            </h1>
            <Tooltip title="重新读取本地数据">
              <Button icon={<ReloadOutlined />} onClick={refreshAll} loading={counts.loading && !counts.data}>
                刷新
              </Button>
            </Tooltip>
          </Layout.Header>
          <Layout.Content className="gw-content">
            {blockingError(counts.error, refreshAll) ?? (
              <PageContent page={page} counts={counts.data} sync={sync.data} info={info} pollMs={POLL_INTERVAL_MS} />
            )}
          </Layout.Content>
        </Layout>
      </Layout>
      <StatusBar status={sync.data} error={sync.error} user={info.data?.user} />
    </Layout>
  );
}

/** Errors that make every page meaningless get a full-page explanation; the rest stay local. */
function blockingError(error: ipc.CommandError | undefined, retry: () => void): ReactNode {
  if (!error) return null;
  switch (error.code) {
    case "schema_too_new":
      return <Result status="warning" title="请升级公文通" subTitle={error.message} />;
    case "store_locked":
      return (
        <Result
          status="warning"
          title="本机数据已加密，暂时无法打开"
          subTitle={error.message}
          extra={
            <Button type="primary" onClick={retry}>
              重试
            </Button>
          }
        />
      );
    case "busy":
      return (
        <Result
          status="info"
          title="另一个公文通正在使用本机数据"
          subTitle={error.message}
          extra={
            <Button type="primary" onClick={retry}>
              重试
            </Button>
          }
        />
      );
    case "store_unavailable":
    case "bridge_unavailable":
      return (
        <Result
          status="error"
          title="无法读取本机数据"
          subTitle={error.message}
          extra={
            <Button type="primary" onClick={retry}>
              重试
            </Button>
          }
        />
      );
    default:
      return (
        <Result
          status="error"
          title="出现问题"
          subTitle={error.message}
          extra={
            <Button type="primary" onClick={retry}>
              重试
            </Button>
          }
        />
      );
  }
}
