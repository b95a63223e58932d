import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { CommandError, type SyncStatus } from "../lib/ipc";
import { StatusBar } from "./StatusBar";

const OFFLINE: SyncStatus = { online: false, state: "离线", connected: false, pending: 0, rejected: 0, lastSyncedAt: null, progress: null, lastError: null };

describe("StatusBar", () => {
  it("says the store is being prepared, not that something failed, while it opens", () => {
    const opening = new CommandError("store_opening", "正在升级本地数据（第 2/2 步）。数据较多时需要几分钟，请勿关闭公文通，完成后自动进入。");
    render(<StatusBar status={undefined} error={opening} user={undefined} />);
    expect(screen.getByText("正在准备本机数据…")).toBeInTheDocument();
    expect(screen.queryByText(opening.message)).not.toBeInTheDocument();
  });

  it("shows 离线 with the reassurance and the pending count when offline", () => {
    render(<StatusBar status={{ ...OFFLINE, pending: 4 }} error={undefined} user={undefined} />);
    expect(screen.getByTestId("connection")).toHaveTextContent("○ 离线");
    expect(screen.getByText("离线工作中，联网后自动同步")).toBeInTheDocument();
    expect(screen.getByTestId("pending")).toHaveTextContent("待同步 4");
    expect(screen.getByText("尚未同步")).toBeInTheDocument();
    expect(screen.getByTestId("account")).toHaveTextContent("未登录服务器");
  });

  it("shows 在线, the last sync time and who is signed in when online", () => {
    const now = new Date();
    now.setHours(14, 5, 0, 0);
    render(
      <StatusBar
        status={{
          online: true,
          state: "在线",
          connected: false,
          pending: 0,
          rejected: 0,
          lastSyncedAt: now.toISOString(),
          progress: null,
          lastError: null,
        }}
        error={undefined}
        user="张三"
      />,
    );
    expect(screen.getByTestId("connection")).toHaveTextContent("● 在线");
    expect(screen.queryByText("离线工作中，联网后自动同步")).not.toBeInTheDocument();
    expect(screen.getByText("已同步 14:05")).toBeInTheDocument();
    expect(screen.getByTestId("pending")).toHaveTextContent("待同步 0");
    expect(screen.getByTestId("account")).toHaveTextContent("张三 · 未登录服务器");
  });

  it("still says 离线 and 待同步 before the first answer arrives", () => {
    render(<StatusBar status={undefined} error={undefined} user={undefined} />);
    expect(screen.getByTestId("connection")).toHaveTextContent("○ 离线");
    expect(screen.getByTestId("pending")).toHaveTextContent("待同步 …");
  });

  it("shows the error instead of a stale count when the store cannot be read", () => {
    render(
      <StatusBar
        status={{ ...OFFLINE, pending: 9 }}
        error={new CommandError("store_unavailable", "无法打开本机数据文件。")}
        user="张三"
      />,
    );
    expect(screen.getByTestId("pending")).toHaveTextContent("待同步 —");
    expect(screen.getByTestId("connection")).toHaveTextContent("○ 离线");
    expect(screen.getByText("无法打开本机数据文件。")).toBeInTheDocument();
  });
});

describe("StatusBar while syncing", () => {
  it("shows 同步中 with the progress, the refused count, and the user without 未登录服务器", () => {
    render(
      <StatusBar
        status={{ ...OFFLINE, online: true, state: "同步中", connected: true, pending: 2, rejected: 1, progress: [3, 12] }}
        error={undefined}
        user="张三"
      />,
    );
    expect(screen.getByTestId("connection")).toHaveTextContent("◐ 同步中 3/12");
    expect(screen.getByTestId("rejected")).toHaveTextContent("1 项被服务器拒绝");
    expect(screen.getByTestId("account")).toHaveTextContent(/^张三$/);
  });
});

describe("StatusBar names the user", () => {
  it("by name, with the login in the tooltip only when it differs", () => {
    const { rerender } = render(<StatusBar status={{ ...OFFLINE, online: true, connected: true }} error={undefined} user="王芳" login="wangfang" />);
    expect(screen.getByTestId("account")).toHaveTextContent(/^王芳$/);
    expect(screen.getByTestId("account")).toHaveAttribute("title", "用户名：wangfang");
    rerender(<StatusBar status={{ ...OFFLINE, online: true, connected: true }} error={undefined} user="wangfang" login="wangfang" />);
    expect(screen.getByTestId("account")).not.toHaveAttribute("title");
  });
});
