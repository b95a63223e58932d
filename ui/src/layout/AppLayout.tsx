import { PlusOutlined, QuestionCircleOutlined, ReloadOutlined } from "@ant-design/icons";
import { App as AntApp, Badge, Button, Layout, Menu, Result, Space, Tooltip } from "antd";
import { Suspense, useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import * as ipc from "../lib/ipc";
import { lazyNamed, preloadWhenIdle } from "../lib/lazyNamed";
import { usePolled } from "../lib/usePolled";
import { NAV_ITEMS, navItem, selectedNavKey, type NavCounts, type PageKey } from "../pages/nav";
import { PAGE_PRELOADS, PageContent } from "../pages/PageContent";
import { isTyping } from "../pages/help/shortcuts";
import { StatusBar } from "./StatusBar";
import { useShell } from "./shell";
import { StoreOpening } from "./StoreOpening";
import { UnlockStore } from "./UnlockStore";
import { PageLoading } from "./PageLoading";
import "./AppLayout.css";

// Everything but the 待办 list loads on first use (start-up bundle), and ahead of time once
// the window is idle (so the first 办理 or 起草 does not wait for it).
const TaskPage = lazyNamed(() => import("../pages/task/TaskPage"), "TaskPage");
const DraftEditor = lazyNamed(() => import("../pages/draft/DraftEditor"), "DraftEditor");
const SyncDrawer = lazyNamed(() => import("./SyncDrawer"), "SyncDrawer");
const ShortcutsDialog = lazyNamed(() => import("../pages/help/ShortcutsDialog"), "ShortcutsDialog");

/** How often the counts and the status bar re-read the local store. */
export const POLL_INTERVAL_MS = 10_000;

export interface AppLayoutProps {
  initialPage?: PageKey;
}

/** What the content area shows: a page of the navigation, a task being handled, or a draft. */
type View = { kind: "page" } | { kind: "task"; taskId: string } | { kind: "draft"; draftId: string | null; key: number };

const NO_INCOMING: ipc.IncomingCounts = { unsigned: 0, unregistered: 0, registered: 0 };

async function navCounts(): Promise<NavCounts> {
  const [queue, flow, incoming] = await Promise.all([
    ipc.queueCounts(),
    ipc.flowCounts(),
    // 收文 counts are extra: a failure shows in the 收文 pages, not as a blocked window.
    ipc.incomingCounts().catch(() => NO_INCOMING),
  ]);
  return { queue, flow, incoming };
}

/** The frame of every screen: navigation with counts, toolbar, content, status bar. */
export function AppLayout({ initialPage = "todo" }: AppLayoutProps) {
  const [page, setPage] = useState<PageKey>(initialPage);
  const [view, setView] = useState<View>({ kind: "page" });
  const [reloadKey, setReloadKey] = useState(0);
  const [syncOpen, setSyncOpen] = useState(false);
  const counts = usePolled(navCounts, POLL_INTERVAL_MS);
  const sync = usePolled(ipc.syncStatus, POLL_INTERVAL_MS);
  // Who works here and where the data lives change rarely: a slow poll is plenty.
  const info = usePolled(ipc.storeInfo, 60_000);
  const current = navItem(page);

  const refreshAll = useCallback(() => {
    counts.refresh();
    sync.refresh();
    info.refresh();
    setReloadKey((k) => k + 1);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const goTo = (key: PageKey) => {
    setPage(key);
    setView({ kind: "page" });
  };
  // While the store is shut (opening, locked, failed) the pages give way to the reason, and
  // a new draft could not be saved: 新建发文 waits for the store too.
  const storeShut = counts.error !== undefined;
  const storeShutRef = useRef(storeShut);
  storeShutRef.current = storeShut;
  const newDraft = useCallback(() => {
    if (!storeShutRef.current) setView({ kind: "draft", draftId: null, key: Date.now() });
  }, []);

  const { message } = AntApp.useApp();
  const shell = useShell();
  const unlocked = useCallback(() => {
    shell.refreshSetup();
    refreshAll();
  }, [shell, refreshAll]);
  const [helpOpen, setHelpOpen] = useState(false);

  /** 下一件 / 上一件: the neighbour of the open task in the current queue (or its first). */
  const stepTask = useCallback(
    (delta: 1 | -1) => {
      const queuePage = page === "todo" || page === "toRead" ? page : "todo";
      ipc
        .queue(queuePage, {}, 0, 200)
        .then((found) => {
          const rows = found.rows.filter((r) => r.taskId);
          if (rows.length === 0) {
            message.info(queuePage === "toRead" ? "没有待阅事项" : "没有待办事项");
            return;
          }
          const at = view.kind === "task" ? rows.findIndex((r) => r.taskId === view.taskId) : -1;
          const next = at < 0 ? (delta === 1 ? 0 : rows.length - 1) : at + delta;
          if (next < 0 || next >= rows.length) {
            message.info(delta === 1 ? "已是最后一件" : "已是第一件");
            return;
          }
          if (queuePage !== page) setPage(queuePage);
          setView({ kind: "task", taskId: rows[next].taskId as string });
        })
        .catch((raw: unknown) => message.error(ipc.CommandError.from(raw).message));
    },
    [page, view, message],
  );

  // The drawers are mounted when first opened (their code is not needed to draw 待办).
  const [syncMounted, setSyncMounted] = useState(false);
  const [helpMounted, setHelpMounted] = useState(false);
  useEffect(() => {
    if (syncOpen) setSyncMounted(true);
  }, [syncOpen]);
  useEffect(() => {
    if (helpOpen) setHelpMounted(true);
  }, [helpOpen]);
  useEffect(() => preloadWhenIdle([TaskPage.preload, DraftEditor.preload, SyncDrawer.preload, ...PAGE_PRELOADS]), []);

  // The window-wide shortcuts (listed under 帮助 · 快捷键, F1).
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const ctrl = event.ctrlKey || event.metaKey;
      const key = event.key;
      const typing = isTyping(event.target);
      const act = (fn: () => void) => {
        event.preventDefault();
        fn();
      };
      if (ctrl && !event.shiftKey && key.toLowerCase() === "n") return act(newDraft);
      if (key === "F1" || (!ctrl && !typing && key === "?")) return act(() => setHelpOpen(true));
      if ((ctrl && key.toLowerCase() === "f") || (!ctrl && !typing && key === "/")) {
        const box = document.querySelector<HTMLInputElement>(".gw-content .ant-input-search input, .gw-content input[type='search']");
        if (box) return act(() => box.focus());
        return;
      }
      if (ctrl && key === "ArrowDown") return act(() => stepTask(1));
      if (ctrl && key === "ArrowUp" && view.kind === "task") return act(() => stepTask(-1));
      if (!ctrl && !event.altKey && !typing && (key === "j" || key === "J")) return act(() => stepTask(1));
      if (!ctrl && !event.altKey && !typing && (key === "k" || key === "K") && view.kind === "task") return act(() => stepTask(-1));
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [newDraft, stepTask, view.kind]);

  /** After an action: the next open task of the same queue, or back to the queue. */
  const afterAction = useCallback(
    (doneTaskId: string) => {
      refreshAll();
      if (page !== "todo" && page !== "toRead") {
        setView({ kind: "page" });
        return;
      }
      ipc
        .queue(page, {}, 0, 2)
        .then((next) => {
          const row = next.rows.find((r) => r.taskId && r.taskId !== doneTaskId);
          setView(row?.taskId ? { kind: "task", taskId: row.taskId } : { kind: "page" });
        })
        .catch(() => setView({ kind: "page" }));
    },
    [page, refreshAll],
  );

  const title =
    view.kind === "task"
      ? `${current.title ?? current.label} · 办理`
      : view.kind === "draft"
        ? view.draftId
          ? "修改草稿"
          : "起草公文"
        : (current.title ?? current.label);

  let content: ReactNode;
  if (view.kind === "task") {
    const taskId = view.taskId;
    content = (
      <TaskPage
        taskId={taskId}
        backLabel={`返回${current.label}`}
        onBack={() => {
          setView({ kind: "page" });
          refreshAll();
        }}
        onDone={() => afterAction(taskId)}
      />
    );
  } else if (view.kind === "draft") {
    content = (
      <DraftEditor
        key={view.key}
        draftId={view.draftId}
        onBack={() => {
          setPage("drafts");
          setView({ kind: "page" });
          refreshAll();
        }}
        onSubmitted={() => {
          setPage("sent");
          setView({ kind: "page" });
          refreshAll();
        }}
      />
    );
  } else {
    content = (
      <PageContent
        page={page}
        sync={sync.data}
        info={info}
        pollMs={POLL_INTERVAL_MS}
        reloadKey={reloadKey}
        onOpenTask={(row) => row.taskId && setView({ kind: "task", taskId: row.taskId })}
        onOpenTaskId={(taskId) => setView({ kind: "task", taskId })}
        onChanged={refreshAll}
        onOpenDraft={(draftId) => setView({ kind: "draft", draftId, key: Date.now() })}
        onNewDraft={newDraft}
      />
    );
  }

  return (
    <Layout className="gw-root">
      <Layout className="gw-main">
        <Layout.Sider width={176} className="gw-sider">
          <div className="gw-brand">
            <span className="gw-brand-seal" aria-hidden="true">
              公
            </span>
            <span className="gw-brand-name">公文通</span>
          </div>
          <Menu
            theme="dark"
            mode="inline"
            selectedKeys={[selectedNavKey(page, view.kind)]}
            onClick={({ key }) => goTo(key as PageKey)}
            aria-label="主导航"
            items={groupNav(NAV_ITEMS.map((item) => {
              const count = item.count && counts.data ? item.count(counts.data) : undefined;
              return {
                group: item.group,
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
                        color={item.key === "todo" || item.key === "overdue" || item.key === "incoming" ? "#c62828" : "#4a6a9c"}
                      />
                    )}
                  </span>
                ),
              };
            }))}
          />
        </Layout.Sider>
        <Layout className="gw-work">
          <Layout.Header className="gw-toolbar">
            <h1 className="gw-page-title" data-testid="page-title">
              {title}
            </h1>
            <Space size={8}>
              <Tooltip title="新建发文（Ctrl+N）">
                <Button type="primary" icon={<PlusOutlined />} onClick={newDraft} disabled={storeShut} data-testid="new-draft">
                  新建发文
                </Button>
              </Tooltip>
              <Tooltip title="重新读取本地数据">
                <Button icon={<ReloadOutlined />} onClick={refreshAll} loading={counts.loading && !counts.data}>
                  刷新
                </Button>
              </Tooltip>
              <Tooltip title="快捷键（F1）">
                <Button icon={<QuestionCircleOutlined />} onClick={() => setHelpOpen(true)} aria-label="帮助" data-testid="help">
                  帮助
                </Button>
              </Tooltip>
            </Space>
          </Layout.Header>
          <Layout.Content className={view.kind === "page" ? "gw-content" : "gw-content gw-content-fill"}>
            {blockingError(counts.error, refreshAll, unlocked) ?? <Suspense fallback={<PageLoading />}>{content}</Suspense>}
          </Layout.Content>
        </Layout>
      </Layout>
      <StatusBar
        status={sync.data}
        error={sync.error}
        user={info.data?.userName}
        login={info.data?.user}
        rejected={counts.data?.flow.rejected ?? 0}
        onOpenSync={() => setSyncOpen(true)}
      />
      <Suspense fallback={null}>
        {(syncOpen || syncMounted) && (
          <SyncDrawer open={syncOpen} onClose={() => setSyncOpen(false)} status={sync.data} onChanged={refreshAll} />
        )}
        {(helpOpen || helpMounted) && <ShortcutsDialog open={helpOpen} onClose={() => setHelpOpen(false)} />}
      </Suspense>
    </Layout>
  );
}

type NavEntry = { group?: string; key: string; label: ReactNode };
type MenuEntry = { key: string; label: ReactNode } | { type: "group"; key: string; label: string; children: { key: string; label: ReactNode }[] };

/** Entries sharing a group (收文) go under one heading, where the first of them stands. */
function groupNav(entries: NavEntry[]): MenuEntry[] {
  const out: MenuEntry[] = [];
  for (const { group, key, label } of entries) {
    if (!group) {
      out.push({ key, label });
      continue;
    }
    const heading = out.find((e): e is Extract<MenuEntry, { type: "group" }> => "type" in e && e.label === group);
    if (heading) heading.children.push({ key, label });
    else out.push({ type: "group", key: `group-${group}`, label: group, children: [{ key, label }] });
  }
  return out;
}

/** Errors that make every page meaningless get a full-page explanation; the rest stay local. */
function blockingError(error: ipc.CommandError | undefined, retry: () => void, unlocked: () => void): ReactNode {
  if (!error) return null;
  switch (error.code) {
    case "schema_too_new":
      return <Result status="warning" title="请升级公文通" subTitle={error.message} />;
    case "store_locked":
      return <UnlockStore message={error.message} onUnlocked={unlocked} />;
    case "store_opening":
      return <StoreOpening message={error.message} onPoll={unlocked} />;
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
