import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { App as AntApp, ConfigProvider } from "antd";
import zhCN from "antd/locale/zh_CN";
import { beforeEach, describe, expect, it, vi } from "vitest";
import * as ipc from "../lib/ipc";
import { AppLayout } from "./AppLayout";

vi.mock("../lib/ipc", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../lib/ipc")>();
  return {
    ...actual,
    queueCounts: vi.fn(),
    flowCounts: vi.fn(),
    incomingCounts: vi.fn(),
    incomingList: vi.fn(),
    syncStatus: vi.fn(),
    storeInfo: vi.fn(),
    directory: vi.fn(),
    listDrafts: vi.fn(),
    queue: vi.fn(),
    outbox: vi.fn(),
    rejectedActions: vi.fn(),
    lintDocument: vi.fn(),
    taskView: vi.fn(),
    createDraft: vi.fn(),
    getSettings: vi.fn(),
    printers: vi.fn(),
    fonts: vi.fn(),
    about: vi.fn(),
    storeLock: vi.fn(),
    unlockStore: vi.fn(),
  };
});

vi.mock("../components/PdfPreview", () => ({ PdfPreview: () => <div data-testid="pdf-preview" /> }));

const mocked = vi.mocked(ipc);

function renderLayout() {
  return render(
    <ConfigProvider locale={zhCN}>
      <AntApp>
        <AppLayout />
      </AntApp>
    </ConfigProvider>,
  );
}

describe("AppLayout", () => {
  beforeEach(() => {
    mocked.queueCounts.mockResolvedValue({ todo: 7, done: 12, toRead: 2, drafts: 0 });
    mocked.flowCounts.mockResolvedValue({ todo: 7, done: 12, toRead: 2, read: 0, sent: 0, overdue: 0, rejected: 0 });
    mocked.queue.mockResolvedValue({ rows: [], hasMore: false });
    mocked.incomingCounts.mockResolvedValue({ unsigned: 4, unregistered: 1, registered: 0 });
    mocked.incomingList.mockResolvedValue({ rows: [], total: 0 });
    mocked.outbox.mockResolvedValue([]);
    mocked.rejectedActions.mockResolvedValue([]);
    mocked.lintDocument.mockResolvedValue([]);
    mocked.syncStatus.mockResolvedValue({
      online: false,
      state: "离线",
      connected: false,
      pending: 3,
      rejected: 0,
      lastSyncedAt: null,
      progress: null,
      lastError: null,
    });
    mocked.listDrafts.mockResolvedValue([
      {
        id: "d1",
        title: "关于报送2026年度工作总结的通知",
        docType: "通知",
        docNumber: null,
        createdBy: "zhangsan",
        updatedAt: "2026-11-27T09:30:00+08:00",
        version: 3,
      },
    ]);
    mocked.storeInfo.mockResolvedValue({
      appVersion: "0.1.0",
      dataDir: "/home/zhangsan/.local/share/gongwen",
      schemaVersion: 1,
      latestSchemaVersion: 1,
      keySource: "系统钥匙串",
      user: "zhangsan",
      userName: "张三",
      dbBytes: 98_304,
    });
    mocked.directory.mockResolvedValue([{ id: "zhangsan", name: "张三", organ: "鹤山镇人民政府", dept: "党政办", roles: [] }]);
    mocked.getSettings.mockResolvedValue({
      profile: "local",
      serverUrl: null,
      caFile: null,
      printer: null,
      copies: 1,
      syncIntervalSecs: 60,
      fontSize: "normal",
      notifications: true,
    });
    mocked.printers.mockResolvedValue({ printers: ["HP_LaserJet"], systemDefault: "HP_LaserJet", problem: null });
    mocked.fonts.mockResolvedValue({
      roles: [{ label: "仿宋", expected: "仿宋_GB2312", official: null, used: "FandolFang" }],
      allOfficial: false,
      problems: [],
    });
    mocked.about.mockResolvedValue({
      appVersion: "0.1.0",
      protocolVersion: 1,
      syncSchemaVersion: 1,
      storeSchemaVersion: 4,
      latestStoreSchemaVersion: 4,
      tauriVersion: "2.12.5",
      webviewVersion: null,
      platform: "linux x86_64",
      dataDir: "/home/zhangsan/.local/share/gongwen",
      logFile: "/home/zhangsan/.local/share/gongwen/logs/desktop.log",
    });
  });

  it("shows the navigation entries in order", () => {
    renderLayout();
    const nav = screen.getByRole("menu", { name: "主导航" });
    const labels = within(nav)
      .getAllByRole("menuitem")
      .map((item) => item.textContent?.replace(/\d+/g, "").trim());
    expect(labels).toEqual(["待办", "待阅", "已办", "已阅", "在办", "草稿", "发文", "待签收", "待登记", "已登记", "回执", "督办", "搜索", "设置"]);
    // The 收文 entries stand under their own heading.
    expect(within(nav).getByText("收文")).toBeInTheDocument();
  });

  it("shows the 待办 count from the store beside the navigation entry", async () => {
    renderLayout();
    const badge = await screen.findByTestId("nav-count-todo");
    expect(badge).toHaveTextContent("7");
    expect(await screen.findByTestId("nav-count-toRead")).toHaveTextContent("2");
    // Zero counts are not shown: an empty 草稿 needs no badge; 已办 is history, never counted.
    expect(screen.queryByTestId("nav-count-drafts")).not.toBeInTheDocument();
    expect(screen.queryByTestId("nav-count-done")).not.toBeInTheDocument();
  });

  it("opens on 待办 with its table columns and the empty state", async () => {
    renderLayout();
    expect(screen.getByTestId("page-title")).toHaveTextContent("待办");
    expect(await screen.findByText("暂无待办事项")).toBeInTheDocument();
    expect(mocked.queue).toHaveBeenCalledWith("todo", {}, 0, 50);
    for (const column of ["紧急程度", "标题", "文种", "来文单位/拟稿单位", "当前环节", "收到时间", "办理时限", "操作"]) {
      expect(screen.getByRole("columnheader", { name: column })).toBeInTheDocument();
    }
    expect(await screen.findByText("暂无待办事项")).toBeInTheDocument();
  });

  it("shows 离线, the pending count and the user by name (not login) in the status bar", async () => {
    renderLayout();
    expect(screen.getByTestId("connection")).toHaveTextContent("○ 离线");
    expect(await screen.findByText("待同步 3")).toBeInTheDocument();
    expect(await screen.findByText("张三 · 未登录服务器")).toBeInTheDocument();
    expect(screen.getByTestId("account")).toHaveAttribute("title", "用户名：zhangsan");
  });

  it("switches pages from the navigation, each with a title and its own content", async () => {
    const user = userEvent.setup();
    renderLayout();
    await user.click(screen.getByTestId("nav-incoming"));
    expect(screen.getByTestId("page-title")).toHaveTextContent("收文 · 待签收");
    expect(await screen.findByText("暂无待签收的来文")).toBeInTheDocument();
    expect(mocked.incomingList).toHaveBeenCalledWith("unsigned", {}, 0, 50);
    expect(await screen.findByTestId("nav-count-incoming")).toHaveTextContent("4");
    expect(screen.getByTestId("nav-count-incomingSigned")).toHaveTextContent("1");

    await user.click(screen.getByTestId("nav-settings"));
    expect(screen.getByTestId("page-title")).toHaveTextContent("设置");
    expect(await screen.findByText("/home/zhangsan/.local/share/gongwen")).toBeInTheDocument();
    expect(await screen.findByText(/第 4 版（本程序支持到第 4 版） · 96\.0 KB · 密钥保存在系统钥匙串/)).toBeInTheDocument();
    // 打印: the printers CUPS lists and the official fonts that are missing.
    expect(await screen.findByText("仿宋_GB2312")).toBeInTheDocument();
    expect(screen.getByText(/用“FandolFang”代替/)).toBeInTheDocument();
  });

  it("lists the drafts from the store on the 草稿 page", async () => {
    const user = userEvent.setup();
    renderLayout();
    await user.click(screen.getByTestId("nav-drafts"));
    expect(screen.getByTestId("page-title")).toHaveTextContent("草稿");
    expect(await screen.findByText("关于报送2026年度工作总结的通知")).toBeInTheDocument();
    expect(screen.getByText("第3版")).toBeInTheDocument();
    // 起草人 by name from the directory, not by login.
    expect(await screen.findByRole("cell", { name: "张三" })).toBeInTheDocument();
    expect(screen.queryByText("zhangsan")).not.toBeInTheDocument();
    expect(mocked.listDrafts).toHaveBeenCalledWith(200, 0);
  });

  it("explains a store from a newer version instead of showing the page", async () => {
    mocked.queueCounts.mockRejectedValue(
      new ipc.CommandError("schema_too_new", "本机数据由更新版本的公文通创建，请升级后再打开。"),
    );
    renderLayout();
    expect(await screen.findByText("请升级公文通")).toBeInTheDocument();
    expect(screen.getByText("本机数据由更新版本的公文通创建，请升级后再打开。")).toBeInTheDocument();
    expect(screen.queryByText("暂无待办事项")).not.toBeInTheDocument();
  });

  it("says the store is being upgraded, and shows the queue by itself once it is open", async () => {
    const upgrading = "正在升级本地数据（第 1/2 步）。数据较多时需要几分钟，请勿关闭公文通，完成后自动进入。";
    mocked.queueCounts.mockRejectedValue(new ipc.CommandError("store_opening", upgrading));
    renderLayout();
    expect(await screen.findByText("公文通正在准备本机数据")).toBeInTheDocument();
    expect(screen.getByText(upgrading)).toBeInTheDocument();
    expect(screen.queryByText("暂无待办事项")).not.toBeInTheDocument();
    // Nothing could be saved yet: no new draft.
    expect(screen.getByTestId("new-draft")).toBeDisabled();
    // The upgrade ends: the next poll finds the store open.
    mocked.queueCounts.mockResolvedValue({ todo: 7, done: 12, toRead: 2, drafts: 0 });
    expect(await screen.findByText("暂无待办事项", {}, { timeout: 3_000 })).toBeInTheDocument();
    expect(screen.queryByText("公文通正在准备本机数据")).not.toBeInTheDocument();
    expect(screen.getByTestId("new-draft")).toBeEnabled();
  });

  it("says the store is locked when only its keychain can open it", async () => {
    const reason = "系统钥匙串中找不到本地数据库的密钥，无法打开已加密的数据库。";
    mocked.queueCounts.mockRejectedValue(new ipc.CommandError("store_locked", reason));
    mocked.storeLock.mockResolvedValue({ kind: "keychain_needed", message: reason, minPassphraseChars: 8 });
    renderLayout();
    expect(await screen.findByText("本机数据已加密，暂时无法打开")).toBeInTheDocument();
    expect(screen.getByText(reason)).toBeInTheDocument();
    expect(screen.queryByLabelText("口令")).not.toBeInTheDocument();
  });

  it("without a keychain offers a passphrase, checks it twice, and opens the store", async () => {
    const user = userEvent.setup();
    const reason = "无法访问系统钥匙串（no dbus）。可以改用口令加密本地数据库";
    mocked.queueCounts.mockRejectedValue(new ipc.CommandError("store_locked", reason));
    mocked.storeLock.mockResolvedValue({ kind: "no_keychain", message: reason, minPassphraseChars: 8 });
    // Locked (however often the counts are polled) until the store is unlocked.
    mocked.unlockStore.mockImplementation(async () => {
      mocked.queueCounts.mockResolvedValue({ todo: 7, done: 12, toRead: 2, drafts: 0 });
    });
    renderLayout();
    expect(await screen.findByText("设置本机数据口令")).toBeInTheDocument();
    await user.type(screen.getByTestId("unlock-passphrase"), "短口令");
    await user.type(screen.getByTestId("unlock-repeat"), "短口令");
    await user.click(screen.getByTestId("unlock-submit"));
    expect(await screen.findByText("口令至少需要 8 个字符")).toBeInTheDocument();
    await user.clear(screen.getByTestId("unlock-passphrase"));
    await user.type(screen.getByTestId("unlock-passphrase"), "县政府办公室口令");
    await user.clear(screen.getByTestId("unlock-repeat"));
    await user.type(screen.getByTestId("unlock-repeat"), "县政府办公室口令X");
    await user.click(screen.getByTestId("unlock-submit"));
    expect(await screen.findByText("两次输入的口令不一致")).toBeInTheDocument();
    expect(mocked.unlockStore).not.toHaveBeenCalled();
    await user.type(screen.getByTestId("unlock-passphrase"), "X");
    await user.click(screen.getByTestId("unlock-submit"));
    expect(mocked.unlockStore).toHaveBeenCalledWith("县政府办公室口令X");
    // Opened: the counts are read again and the queue shows.
    expect(await screen.findByText("暂无待办事项")).toBeInTheDocument();
  });

  it("keeps a wrong passphrase in the field and says why", async () => {
    const user = userEvent.setup();
    mocked.queueCounts.mockRejectedValue(new ipc.CommandError("store_locked", "本地数据库使用口令加密，请输入口令后再打开"));
    mocked.storeLock.mockResolvedValue({ kind: "passphrase_required", message: "", minPassphraseChars: 8 });
    mocked.unlockStore.mockRejectedValue(
      new ipc.CommandError("store_locked", "无法解密本地数据库：密钥或口令不正确（数据库文件未被改动）"),
    );
    renderLayout();
    expect(await screen.findByText("输入本机数据口令")).toBeInTheDocument();
    await user.type(screen.getByTestId("unlock-passphrase"), "错误的口令一二三");
    await user.click(screen.getByTestId("unlock-submit"));
    expect(await screen.findByText(/口令不正确/)).toBeInTheDocument();
    expect(screen.getByTestId("unlock-passphrase")).toHaveValue("错误的口令一二三");
  });

  it("offers to retry when the store cannot be opened, and recovers", async () => {
    const user = userEvent.setup();
    mocked.queueCounts.mockRejectedValueOnce(
      new ipc.CommandError("store_unavailable", "无法打开本机数据文件夹，请检查磁盘空间和权限。"),
    );
    renderLayout();
    expect(await screen.findByText("无法读取本机数据")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: /重\s?试/ }));
    expect(await screen.findByText("暂无待办事项")).toBeInTheDocument();
    expect(await screen.findByTestId("nav-count-todo")).toHaveTextContent("7");
  });

  it("lists the 待办 rows with urgency, 超期 in red and the 待同步 mark, and opens one", async () => {
    const user = userEvent.setup();
    mocked.queue.mockResolvedValue({
      rows: [
        {
          taskId: "t1",
          flowId: "f1",
          documentId: "d1",
          title: "关于开展安全生产大检查的通知",
          docType: "通知",
          urgency: "特急",
          fromOrgan: "鹤山市人民政府办公室",
          stepName: "审核",
          status: "open",
          since: "2026-11-25T09:00:00+08:00",
          dueAt: "2026-11-26T09:00:00+08:00",
          overdue: true,
          doneAt: null,
          opinion: null,
          nowAt: "审核（张三）",
          docNumber: null,
          pendingSync: true,
          reminded: null,
        },
      ],
      hasMore: false,
    });
    mocked.taskView.mockReturnValue(new Promise(() => {}));
    renderLayout();
    expect(await screen.findByText("关于开展安全生产大检查的通知")).toBeInTheDocument();
    expect(screen.getByText("特急")).toBeInTheDocument();
    expect(screen.getByText(/^超期\d+天$/)).toBeInTheDocument();
    expect(screen.getByTestId("pending-sync")).toHaveTextContent("待同步");
    await user.click(screen.getByText("关于开展安全生产大检查的通知"));
    expect(screen.getByTestId("page-title")).toHaveTextContent("待办 · 办理");
    // The 办理 view's code loads on first use.
    await waitFor(() => expect(mocked.taskView).toHaveBeenCalledWith("t1"));
  });

  it("starts a new draft with Ctrl+N", async () => {
    const user = userEvent.setup();
    renderLayout();
    await screen.findByText("暂无待办事项");
    await user.keyboard("{Control>}n{/Control}");
    expect(screen.getByTestId("page-title")).toHaveTextContent("起草公文");
    expect(await screen.findByLabelText("标题")).toBeInTheDocument();
  });

  it("opens 同步详情 from the status bar", async () => {
    const user = userEvent.setup();
    renderLayout();
    await user.click(await screen.findByText("待同步 3"));
    expect(await screen.findByText("同步详情")).toBeInTheDocument();
    expect(await screen.findByText("没有被拒绝的操作。")).toBeInTheDocument();
  });
});
